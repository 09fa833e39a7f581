from __future__ import annotations

import time

import pytest

from esc_edge.conversation import Turn
from esc_edge.planner.features import (
    EMPTY_CONTEXT,
    MAX_TURNS,
    POSITION_BUCKETS,
    dialogue_position,
    feature_names,
    planner_text,
    strategy_features,
)
from esc_edge.planner.strategies import NAMES


def _features(turns: list[Turn]) -> dict[str, float]:
    return dict(zip(feature_names(), strategy_features(turns), strict=True))


def test_empty_context_is_marked() -> None:
    assert planner_text([]) == EMPTY_CONTEXT
    feats = _features([])
    assert feats["empty"] == 1.0
    assert feats["last1=<none>"] == 1.0
    assert feats["pos<=0"] == 1.0


def test_text_puts_most_recent_turn_first_with_strategy_tags() -> None:
    turns = [Turn("seeker", "first"), Turn("supporter", "second", "Question"), Turn("seeker", "third")]
    assert planner_text(turns) == "[seeker] third [supporter|Question] second [seeker] first"


def test_strategy_history_one_hots_and_shares() -> None:
    turns = [
        Turn("seeker", "a"),
        Turn("supporter", "b", "Question"),
        Turn("seeker", "c"),
        Turn("supporter", "d", "Self-disclosure"),
        Turn("supporter", "e", "Question"),
    ]
    feats = _features(turns)
    assert feats["last1=Question"] == 1.0
    assert feats["last2=Self-disclosure"] == 1.0
    assert sum(v for k, v in feats.items() if k.startswith("last1=")) == 1.0
    assert feats["share=Question"] == pytest.approx(2 / 3)
    assert feats["share=Self-disclosure"] == pytest.approx(1 / 3)
    assert feats["last_speaker_supporter"] == 1.0
    assert feats["supporter_run"] == pytest.approx(2 / 4)
    assert feats["seeker_run"] == 0.0
    assert feats["empty"] == 0.0


def test_unknown_or_missing_strategy_counts_as_none() -> None:
    turns = [Turn("seeker", "a"), Turn("supporter", "b", None), Turn("supporter", "c", "bogus")]
    feats = _features(turns)
    assert feats["last1=<none>"] == 1.0
    assert all(feats[f"share={n}"] == 0.0 for n in NAMES)


@pytest.mark.parametrize("position", [0, 1, 3, 10, 17, 18, 500])
def test_exactly_one_position_bucket(position: int) -> None:
    turns = [Turn("supporter", "x", "Question")] * position + [Turn("seeker", "hi")]
    feats = _features(turns)
    buckets = [k for k in feats if k.startswith("pos<=") or k.startswith("pos>")]
    assert len(buckets) == len(POSITION_BUCKETS) + 1
    assert sum(feats[k] for k in buckets) == 1.0
    assert dialogue_position(turns) == position


def test_feature_length_is_stable() -> None:
    assert len(strategy_features([])) == len(feature_names()) == 39


def test_ten_thousand_turns_stay_cheap_and_bounded() -> None:
    turns = [Turn("seeker" if i % 2 else "supporter", "word " * 50, "Question") for i in range(10_000)]
    start = time.perf_counter()
    text = planner_text(turns)
    feats = strategy_features(turns)
    elapsed = time.perf_counter() - start
    assert text.count("[seeker]") + text.count("[supporter") == MAX_TURNS
    assert len(feats) == len(feature_names())
    assert elapsed < 2.0  # a regression guard on O(n^2) work, not a speed target
