"""The shipped encoder head on the real planner encoder: it shares the planner's cache, keeps the
eval set's holdout split and everyday ESConv talk where they were measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esc_edge.conversation import Conversation
from esc_edge.planner.hier import HierPlanner
from esc_edge.safety.detector import LayeredSafetyCheck
from esc_edge.safety.encoder_head import EncoderHead, encoder_text
from esc_edge.safety.evaluate import evaluate, load_rows

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "esconv"


@pytest.fixture(scope="module")
def planner() -> HierPlanner:
    return HierPlanner.from_dir(threads=1)


@pytest.fixture(scope="module")
def check(planner: HierPlanner) -> LayeredSafetyCheck:
    return LayeredSafetyCheck.create(encoder=planner)


def test_the_head_was_trained_on_the_shipped_encoder(planner: HierPlanner) -> None:
    assert EncoderHead.load().encoder_sha256 == planner.config.raw["encoder_sha256"]


def test_standalone_the_packaged_encoder_is_loaded_once() -> None:
    check = LayeredSafetyCheck.create()
    assert check.encoder is not None
    first = check.encoder.encoder()
    assert isinstance(first, HierPlanner) and check.encoder.encoder() is first


def test_a_message_past_the_gate_is_encoded_once_for_safety_and_planner(
    check: LayeredSafetyCheck, planner: HierPlanner
) -> None:
    text = "I wrote letters to everyone and put them on the table. Tonight is the night."
    planner.cache.clear()
    assert check.assess(Conversation(), text).crisis
    misses, hits = planner.cache.misses, planner.cache.hits
    conversation = Conversation()
    conversation.add_seeker(text)
    planner.plan(conversation)
    assert planner.cache.misses == misses and planner.cache.hits == hits + 1
    assert encoder_text(text) == "[seeker] " + text


def test_everyday_talk_below_the_gate_costs_no_encoder_pass(
    check: LayeredSafetyCheck, planner: HierPlanner
) -> None:
    planner.cache.clear()
    assert not check.assess(Conversation(), "we went to the park and had ice cream").crisis
    assert len(planner.cache) == 0


def test_the_eval_sets_holdout_split_stays_caught(check: LayeredSafetyCheck) -> None:
    # never trained on by any safety model; measured with the head: 102 / 102 crises, 2 / 130 false
    rows = load_rows(REPO / "bench" / "safety" / "eval_set.jsonl", split="holdout")
    overall = evaluate(rows, check=check)["overall"]
    assert overall["recall"] >= 0.98 and overall["fpr"] <= 0.02, overall


def test_everyday_esconv_turns_stay_everyday(check: LayeredSafetyCheck) -> None:
    path = DATA / "valid.jsonl"
    if not path.exists():
        pytest.skip(f"ESConv data not found at {DATA}")
    turns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        dialogue = json.loads(line)
        turns += [t["text"] for t in dialogue["turns"] if t["speaker"] == "seeker"]
    turns = [t for t in turns if len(t.split()) >= 3]
    flagged = [t for t in turns if check.assess(None, t).crisis]
    # measured (round 9): 10 of 2,689 (round 8: 7; the cheap layers alone: 7)
    assert len(turns) == 2689 and len(flagged) <= 10, flagged


def test_the_head_never_drops_what_the_cheap_layers_catch(check: LayeredSafetyCheck) -> None:
    # round 9: the head may raise the blend, never lower it, in careful mode (round 8) and outside it.
    # Measured on the holdout split in careful mode: 102 / 102 crises, 8 / 130 false
    cheap = LayeredSafetyCheck.create(use_encoder=False)
    rows = load_rows(REPO / "bench" / "safety" / "eval_set.jsonl", split="holdout")
    for row in rows:
        for careful in (False, True):
            with_head = check.assess(None, row["text"], careful=careful).score
            assert with_head >= cheap.assess(None, row["text"], careful=careful).score - 1e-9, row["text"]
    overall = evaluate(rows, check=check, careful=True)["overall"]
    assert overall["recall"] >= 0.98 and overall["fpr"] <= 0.08, overall
