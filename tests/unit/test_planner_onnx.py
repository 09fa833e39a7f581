"""OnnxPlanner on a toy model with the real directory layout (tests/unit/fixtures/tiny_planner)."""

from __future__ import annotations

import io
import json
import shutil
import sys
import threading
from pathlib import Path

import pytest

from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import InputError, ModelCorruptError, ModelNotFoundError
from esc_edge.planner.base import planners
from esc_edge.planner.onnx import OnnxPlanner
from esc_edge.planner.strategies import NAMES

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny_planner"


@pytest.fixture(scope="module")
def planner() -> OnnxPlanner:
    return OnnxPlanner.from_dir(TINY)


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(TINY, target)
    return target


def _conversation(*turns: Turn) -> Conversation:
    return Conversation(turns=list(turns))


def test_plan_returns_distributions_over_all_labels(planner: OnnxPlanner) -> None:
    plan = planner.plan(_conversation(Turn("seeker", "i lost my job")))
    assert set(plan.probs) == set(NAMES)
    assert sum(plan.probs.values()) == pytest.approx(1.0)
    assert plan.strategy == max(plan.probs, key=lambda k: plan.probs[k])
    assert plan.emotion in plan.emotion_probs
    assert sum(plan.emotion_probs.values()) == pytest.approx(1.0)


def test_plan_depends_on_the_dialogue(planner: OnnxPlanner) -> None:
    a = planner.plan(_conversation(Turn("seeker", "i feel sad")))
    b = planner.plan(
        _conversation(
            Turn("seeker", "hello"), Turn("supporter", "hi", "Question"), Turn("seeker", "help me with work")
        )
    )
    assert a.probs != b.probs


def test_registered_under_onnx() -> None:
    assert isinstance(planners.get("onnx")(TINY), OnnxPlanner)


def test_empty_dialogue_is_an_input_error(planner: OnnxPlanner) -> None:
    with pytest.raises(InputError, match="empty"):
        planner.plan(Conversation())


def test_dialogue_without_seeker_turn_is_an_input_error(planner: OnnxPlanner) -> None:
    with pytest.raises(InputError, match="no seeker"):
        planner.plan(_conversation(Turn("supporter", "hello", "Question")))


def test_unknown_speaker_is_an_input_error(planner: OnnxPlanner) -> None:
    with pytest.raises(InputError, match="unknown speaker"):
        planner.plan(_conversation(Turn("seeker", "hi"), Turn("bot", "x")))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown speaker"):
        Conversation.from_dict({"turns": [{"speaker": "bot", "text": "x"}]})


def test_predict_accepts_an_empty_context_for_evaluation(planner: OnnxPlanner) -> None:
    assert planner.predict([]).strategy in NAMES


@pytest.mark.timeout(20)
def test_ten_thousand_turn_history(planner: OnnxPlanner) -> None:
    turns = [
        Turn("seeker" if i % 2 else "supporter", "i feel sad " * 30, None if i % 2 else "Question")
        for i in range(10_000)
    ]
    plan = planner.plan(_conversation(*turns))
    assert plan.strategy in NAMES


def test_concurrent_plans_agree(planner: OnnxPlanner) -> None:
    conversation = _conversation(Turn("seeker", "i lost my job"))
    expected = planner.plan(conversation).probs
    results: list[dict[str, float]] = []
    threads = [
        threading.Thread(target=lambda: results.append(planner.plan(conversation).probs)) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 8


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        OnnxPlanner.from_dir(tmp_path / "nope")


def test_missing_onnx_file(model_copy: Path) -> None:
    (model_copy / "planner.int8.onnx").unlink()
    with pytest.raises(ModelNotFoundError, match="missing"):
        OnnxPlanner.from_dir(model_copy)


def test_corrupt_onnx_file(model_copy: Path) -> None:
    (model_copy / "planner.int8.onnx").write_bytes(b"\x00not an onnx model" * 10)
    with pytest.raises(ModelCorruptError, match="cannot be loaded") as info:
        OnnxPlanner.from_dir(model_copy)
    assert "rebuild" in str(info.value)


def test_truncated_onnx_file(model_copy: Path) -> None:
    path = model_copy / "planner.int8.onnx"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ModelCorruptError):
        OnnxPlanner.from_dir(model_copy)


def test_corrupt_config(model_copy: Path) -> None:
    (model_copy / "config.json").write_text("{not json")
    with pytest.raises(ModelCorruptError, match="unreadable"):
        OnnxPlanner.from_dir(model_copy)


def test_config_with_other_labels(model_copy: Path) -> None:
    config = json.loads((model_copy / "config.json").read_text())
    config["labels"] = list(reversed(config["labels"]))
    (model_copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelCorruptError, match="labels"):
        OnnxPlanner.from_dir(model_copy)


def test_corrupt_heads(model_copy: Path) -> None:
    (model_copy / "heads.npz").write_bytes(b"garbage")
    with pytest.raises(ModelCorruptError, match="heads"):
        OnnxPlanner.from_dir(model_copy)


# -- CLI ----------------------------------------------------------------------------------------
def _run_cli(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: bytes) -> int:
    from esc_edge.cli import main

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code or 0)


def test_plan_cli_json_shape(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    dialogue = {"turns": [{"speaker": "seeker", "text": "i lost my job", "strategy": None}]}
    code = _run_cli(
        monkeypatch,
        ["plan", "--json", "--model-dir", str(TINY), "--planner", "onnx"],
        json.dumps(dialogue).encode(),
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"strategy", "probs", "emotion", "emotion_probs"}
    assert set(out["probs"]) == set(NAMES)
    assert out["strategy"] in NAMES


@pytest.mark.parametrize(
    "stdin",
    [
        b"",
        b"{not json",
        b'{"turns": 3}',
        b'[{"speaker": "x"}]',
        b"\xff\xfe",
        b"[]",
        b'[{"speaker":"supporter","text":"hi"}]',
    ],
)
def test_plan_cli_bad_input_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: bytes
) -> None:
    code = _run_cli(monkeypatch, ["plan", "--json", "--model-dir", str(TINY), "--planner", "onnx"], stdin)
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("esc-edge: error:") and "\n" not in err


def test_plan_cli_missing_model_exits_4(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stdin = b'[{"speaker": "seeker", "text": "hi"}]'
    assert _run_cli(monkeypatch, ["plan", "--model-dir", str(tmp_path / "x")], stdin) == 4


def test_eval_planner_cli_on_tiny_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.jsonl"
    line = {
        "emotion_type": "shame",
        "turns": [
            {"speaker": "supporter", "text": "hello", "strategy": "Question"},
            {"speaker": "seeker", "text": "i feel sad", "strategy": None},
            {"speaker": "supporter", "text": "why", "strategy": "Questions"},
        ],
    }
    data.write_text(json.dumps(line) + "\n\n" + json.dumps(line) + "\n")
    code = _run_cli(
        monkeypatch,
        ["eval", "planner", "--data", str(data), "--json", "--model-dir", str(TINY), "--planner", "onnx"],
        b"",
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["examples"] == 4 and report["dialogues"] == 2
    assert report["emotion"]["n"] == 4  # "shame" counts as "other"
    assert len(report["strategy"]["confusion_matrix"]) == len(NAMES)
    assert report["majority_baseline"]["label_source"] == "train"


def test_eval_planner_cli_bad_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text('{"turns": []}\nnot json\n')
    code = _run_cli(
        monkeypatch,
        ["eval", "planner", "--data", str(data), "--model-dir", str(TINY), "--planner", "onnx"],
        b"",
    )
    assert code == 2
    assert ":2:" in capsys.readouterr().err


def test_plan_cli_default_model_comes_from_the_registry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without --model-dir the planner is resolved (and checksum-verified) through the registry,
    # so a configured planner name that the registry does not know is a clear error.
    monkeypatch.setenv("ESC_EDGE_PLANNER_MODEL", "no-such-planner")
    stdin = b'[{"speaker": "seeker", "text": "hi"}]'
    assert _run_cli(monkeypatch, ["plan", "--json"], stdin) == 4
    assert "unknown model 'no-such-planner'" in capsys.readouterr().err
