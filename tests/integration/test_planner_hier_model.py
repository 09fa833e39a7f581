"""The shipped hierarchical planner: loads, beats the majority baseline on valid, caches utterances."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from esc_edge.conversation import Conversation, Turn
from esc_edge.planner.hier import CONFIG_FILE, HierPlanner
from esc_edge.planner.onnx import DEFAULT_MODEL_DIR
from esc_edge.planner.strategies import INDEX, NAMES

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "esconv"
VALID_DIALOGUES = 40


@pytest.fixture(scope="module")
def planner() -> HierPlanner:
    # The model ships with the package: its absence is a packaging defect, not a reason to skip.
    if not (DEFAULT_MODEL_DIR / CONFIG_FILE).exists():
        pytest.fail(f"the shipped hierarchical planner is missing from {DEFAULT_MODEL_DIR}")
    return HierPlanner.from_dir(DEFAULT_MODEL_DIR)


def test_registry_entry_pins_the_shipped_head(planner: HierPlanner) -> None:
    from esc_edge.models.registry import load_registry
    from esc_edge.models.store import ModelStore, sha256_file

    registry = load_registry()
    spec = registry.get("esconv-planner-hier-int8")
    assert spec.role == "planner" and spec.source.type == "package" and "NC" in spec.license
    assert ModelStore(registry=registry).path(spec.name) == DEFAULT_MODEL_DIR
    head = DEFAULT_MODEL_DIR / planner.config.head_file
    assert spec.file == planner.config.head_file
    assert spec.size == head.stat().st_size and spec.sha256 == sha256_file(head)


def test_planner_directory_stays_small() -> None:
    size = sum(f.stat().st_size for f in DEFAULT_MODEL_DIR.iterdir() if f.is_file())
    assert size <= 25_000_000


def test_beats_the_majority_baseline_on_valid(planner: HierPlanner) -> None:
    if not (DATA / "valid.jsonl").exists():
        pytest.skip(f"ESConv data not found at {DATA} (the shared data folder is absent)")
    with (DATA / "valid.jsonl").open(encoding="utf-8") as fh:
        dialogues = [json.loads(line) for line in itertools.islice(fh, VALID_DIALOGUES)]
    gold, predicted = [], []
    for dialogue in dialogues:
        turns = [Turn.from_dict(t) for t in dialogue["turns"]]
        for i, turn in enumerate(turns):
            if turn.speaker == "supporter" and turn.strategy in INDEX:
                gold.append(turn.strategy)
                predicted.append(planner.predict(turns[:i]).strategy)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    majority = max(gold.count(name) for name in NAMES) / len(gold)
    assert len(gold) > 400
    assert accuracy > majority + 0.05
    # every utterance of a dialogue is encoded once, however many turns are planned
    assert planner.cache.misses <= sum(len(d["turns"]) for d in dialogues)
    assert planner.cache.hits > planner.cache.misses


def test_a_chat_turn_encodes_the_new_utterances_only(planner: HierPlanner) -> None:
    conversation = Conversation(
        turns=[
            Turn("seeker", "I lost my job last week and I cannot sleep."),
            Turn("supporter", "That sounds really hard. What happened?", "Question"),
            Turn("seeker", "They closed the whole department without warning."),
        ]
    )
    first = planner.plan(conversation)
    assert first.strategy in NAMES
    misses = planner.cache.misses
    conversation.append(Turn("supporter", "I am so sorry, that must have been a shock.", first.strategy))
    conversation.append(Turn("seeker", "It was. I do not know what to do now."))
    assert planner.plan(conversation).strategy in NAMES
    assert planner.cache.misses == misses + 2
