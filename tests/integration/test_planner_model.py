"""The shipped planner model: loads, beats the majority baseline on valid, drives the plan CLI."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from esc_edge.conversation import Conversation, Turn
from esc_edge.planner.onnx import DEFAULT_MODEL_DIR, OnnxPlanner
from esc_edge.planner.strategies import NAMES

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "esconv"
VALID_DIALOGUES = 40  # ~560 supporter turns: enough to separate 30%+ from the 20% baseline


def _require_shipped_model() -> None:
    # The model ships with the package: its absence is a packaging defect, not a reason to skip.
    if not (DEFAULT_MODEL_DIR / "config.json").exists():
        pytest.fail(f"the shipped planner model is missing from {DEFAULT_MODEL_DIR}")


@pytest.fixture(scope="module")
def planner() -> OnnxPlanner:
    _require_shipped_model()
    return OnnxPlanner.from_dir(DEFAULT_MODEL_DIR)


def test_registry_default_planner_is_the_verified_shipped_model(planner: OnnxPlanner) -> None:
    from esc_edge.models.registry import load_registry
    from esc_edge.models.store import ModelStore, sha256_file

    registry = load_registry()
    name = registry.default("planner")
    assert name is not None
    spec = registry.get(name)
    assert spec.role == "planner" and spec.source.type == "package"
    assert "NC" in spec.license
    assert ModelStore(registry=registry).path(name) == DEFAULT_MODEL_DIR
    onnx_file = DEFAULT_MODEL_DIR / planner.config.onnx_file
    assert spec.file == planner.config.onnx_file
    assert spec.size == onnx_file.stat().st_size and spec.sha256 == sha256_file(onnx_file)


def test_shipped_model_is_small(planner: OnnxPlanner) -> None:
    shipped = [
        planner.config.onnx_file,
        planner.config.tokenizer_file,
        planner.config.heads_file,
        "config.json",
    ]
    size = sum((DEFAULT_MODEL_DIR / name).stat().st_size for name in shipped)
    assert size <= 25 * 1024 * 1024


def test_beats_majority_baseline_on_a_valid_slice(planner: OnnxPlanner) -> None:
    if not (DATA / "valid.jsonl").exists():
        pytest.skip(f"ESConv data not found at {DATA} (the shared data folder is absent)")
    from esc_edge.eval.dialogues import read_jsonl
    from esc_edge.eval.planner import evaluate_planner

    report = evaluate_planner(
        planner,
        itertools.islice(read_jsonl(DATA / "valid.jsonl"), VALID_DIALOGUES),
        emotion_labels=planner.config.emotion_labels,
        majority_label="Question",
    )
    strategy, baseline = report["strategy"], report["majority_baseline"]
    assert report["examples"] > 400
    assert strategy["accuracy"] > baseline["accuracy"] + 0.05
    assert strategy["macro_f1"] > baseline["macro_f1"] + 0.1
    assert report["emotion"]["accuracy"] > 1 / len(planner.config.emotion_labels)


def test_plan_follows_the_dialogue(planner: OnnxPlanner) -> None:
    conversation = Conversation(
        turns=[
            Turn("seeker", "Hi, I lost my job today and I feel terrible."),
        ]
    )
    first = planner.plan(conversation)
    assert first.strategy in NAMES and first.emotion in planner.config.emotion_labels
    conversation.append(Turn("supporter", "I'm so sorry. What happened?", "Question"))
    conversation.append(Turn("seeker", "They cut half the team. What should I do now?"))
    assert planner.plan(conversation).probs != first.probs


def test_plan_cli_json_shape() -> None:
    _require_shipped_model()
    dialogue = {"turns": [{"speaker": "seeker", "text": "I can't sleep, I'm so worried.", "strategy": None}]}
    result = subprocess.run(
        [sys.executable, "-c", "from esc_edge.cli import main; main()", "plan", "--json"],
        input=json.dumps(dialogue),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"strategy", "probs", "emotion", "emotion_probs"}
    assert set(out["probs"]) == set(NAMES)
    assert abs(sum(out["probs"].values()) - 1.0) < 1e-3


def test_plan_cli_rejects_empty_dialogue() -> None:
    _require_shipped_model()
    result = subprocess.run(
        [sys.executable, "-c", "from esc_edge.cli import main; main()", "plan", "--json"],
        input='{"turns": []}',
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("esc-edge: error:")


def test_package_data_ships_every_model_file() -> None:
    import fnmatch

    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    _require_shipped_model()
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["esc_edge.planner"]
    shipped = [f"model/{f.name}" for f in DEFAULT_MODEL_DIR.iterdir() if f.is_file()]
    assert shipped
    missing = [f for f in shipped if not any(fnmatch.fnmatch(f, p) for p in patterns)]
    assert not missing, f"not in the wheel: {missing}"
