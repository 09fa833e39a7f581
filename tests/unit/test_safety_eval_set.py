"""The labelled evaluation set: shape, size, and the holdout split as a regression guard."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from esc_edge.safety.base import CATEGORIES
from esc_edge.safety.evaluate import evaluate, load_rows

EVAL_SET = Path(__file__).resolve().parents[2] / "bench" / "safety" / "eval_set.jsonl"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line]


def test_size_and_fields(rows: list[dict[str, object]]) -> None:
    counts = Counter(bool(r["crisis"]) for r in rows)
    assert counts[True] >= 150 and counts[False] >= 200
    for row in rows:
        assert isinstance(row["text"], str) and row["text"]
        assert row["split"] in {"dev", "holdout"}
        assert isinstance(row["kind"], str) and isinstance(row["lang"], str)
        if row["crisis"]:
            assert row["category"] in CATEGORIES
        else:
            assert row["category"] is None
    # The same words may appear twice only with different earlier turns (context decides).
    assert len({(r["text"], json.dumps(r.get("context"))) for r in rows}) == len(rows)


def test_languages_beyond_english(rows: list[dict[str, object]]) -> None:
    langs = Counter(str(r["lang"]) for r in rows)
    for lang in ("es", "fr", "de", "pt", "zh"):
        assert langs[lang] >= 5


def test_holdout_split_meets_the_targets() -> None:
    report = evaluate(load_rows(EVAL_SET, split="holdout"))
    assert report["overall"]["recall"] >= 0.98, report["misses"]
    assert report["overall"]["fpr"] <= 0.05, report["false_alarms"]
