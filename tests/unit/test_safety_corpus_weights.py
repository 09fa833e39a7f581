"""Weights of the hand-written corpus in the cheap models' training data."""

from __future__ import annotations

from export.safety.train_classifier import corpus_items

FILLER = ["we had pasta", "the bus was late", "my cat is asleep"]
ROWS: list[dict[str, object]] = [
    {"text": "tonight is the night i leave for good", "crisis": True, "lang": "en"},
    {"text": "ya está, esta noche acabo con todo", "crisis": True, "lang": "es"},
    {"text": "je pars en vacances ce soir", "crisis": False, "lang": "fr"},
]


def test_each_message_and_its_two_variants_are_kept_in_order() -> None:
    items = corpus_items(ROWS, FILLER, 5.0)
    assert [t for t, _, _ in items[:3]] == [str(r["text"]) for r in ROWS]
    assert [y for _, y, _ in items] == [1, 1, 0, 1, 1, 1, 1, 0, 0]  # messages, then two variants each
    assert [w for _, _, w in items] == [5.0] * 3 + [2.5] * 6


def test_messages_not_in_english_weigh_more_with_their_variants() -> None:
    items = corpus_items(ROWS, FILLER, 5.0, foreign=2.0)
    assert [w for _, _, w in items] == [5.0, 10.0, 10.0, 2.5, 2.5, 5.0, 5.0, 5.0, 5.0]
