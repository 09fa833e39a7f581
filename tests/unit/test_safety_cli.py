"""`esc-edge safety --json` and `esc-edge eval safety`, through click's test runner."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from esc_edge.cli import cli


def test_safety_json_prints_one_object_per_line_and_nothing_else() -> None:
    stdin = b"this exam is killing me\nmy friend says she will jump tonight\n\nI took 40 pills\n"
    result = CliRunner().invoke(cli, ["safety", "--json"], input=stdin)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4
    assert all(set(row) == {"crisis", "category", "score"} for row in rows)
    assert [row["crisis"] for row in rows] == [False, True, False, True]
    assert rows[0]["category"] is None and rows[3]["category"] == "medical"
    assert all(isinstance(row["score"], float) for row in rows)


def test_the_encoder_head_can_be_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from esc_edge.safety import detector

    made: list[bool] = []
    create = detector.LayeredSafetyCheck.create.__func__  # type: ignore[attr-defined]

    def recording(cls: type, **options: object) -> object:
        made.append(bool(options.get("use_encoder", True)))
        return create(cls, **options)

    monkeypatch.setattr(detector.LayeredSafetyCheck, "create", classmethod(recording))
    result = CliRunner().invoke(cli, ["safety", "--json", "--no-encoder"], input=b"I took 40 pills\n")
    assert result.exit_code == 0 and json.loads(result.stdout)["crisis"] is True
    assert made == [False]


def test_invalid_utf8_is_replaced_with_a_warning_on_stderr() -> None:
    result = CliRunner().invoke(cli, ["safety", "--json"], input=b"\xff\xfe I want to die\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["crisis"] is True
    assert "invalid UTF-8" in result.stderr


def test_human_readable_output_and_reply() -> None:
    result = CliRunner().invoke(
        cli, ["safety", "--reply", "--locale", "en-GB"], input=b"I want to end my life\n"
    )
    assert result.exit_code == 0
    assert "CRISIS (suicide)" in result.stdout
    assert "116 123" in result.stdout


def test_bad_locale_is_one_line_error() -> None:
    result = CliRunner().invoke(cli, ["safety", "--locale", "!!"], input=b"hi\n")
    assert result.exit_code != 0


def test_eval_safety_reports_recall_and_fpr(tmp_path: Path) -> None:
    data = tmp_path / "set.jsonl"
    rows = [
        {"text": "I'm going to kill myself tonight", "crisis": True, "category": "suicide", "kind": "direct"},
        {"text": "This exam is killing me", "crisis": False, "category": None, "kind": "idiom"},
        {
            "text": "I have the pills here.",
            "crisis": True,
            "category": "suicide",
            "kind": "context",
            "context": ["Everyone would be better off without me."],
        },
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "safety", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["overall"]["recall"] == 1.0
    assert report["overall"]["fpr"] == 0.0
    assert report["fpr_by_kind"]["idiom"]["n"] == 1
    assert report["latency_ms"]["p50"] > 0


def test_hostile_stdin_gets_one_result_per_line_and_no_crash() -> None:
    lines = [
        b"",
        b"I had a long day at work and " * 18_000 + b"i am going to kill myself tonight",
        bytes(range(1, 10)) + bytes(range(14, 256)),
        "我想 kill мне ça 死にたい 🙂".encode() * 100,
        b"\x00\x07\x1b[31m hello \x7f\x08",
        b"\xc3\x28 \xa0\xa1 \xf0\x28\x8c\x28",
    ]
    assert len(lines[1]) > 500_000
    result = CliRunner().invoke(cli, ["safety", "--json"], input=b"\n".join(lines) + b"\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(lines)
    assert all(set(row) == {"crisis", "category", "score"} for row in rows)
    assert rows[0]["crisis"] is False
    # The risk at the end of a 500k-character line is still found.
    assert rows[1]["crisis"] is True


def test_a_broken_detector_answers_needs_care_and_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from esc_edge.safety import detector

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("rule table corrupt")

    monkeypatch.setattr(detector, "assess_rules", broken)
    with caplog.at_level(logging.ERROR, logger="esc_edge.safety"):
        result = CliRunner().invoke(cli, ["safety", "--json"], input=b"I had a nice walk today\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"crisis": True, "category": "unknown", "score": 1.0}
    assert any("safety detector failed" in r.getMessage() for r in caplog.records)
