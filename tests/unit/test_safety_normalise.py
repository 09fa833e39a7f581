"""Safety normalisation: one spelling for leetspeak, spacing tricks, slang, accents and apostrophes."""

from __future__ import annotations

import pytest

from esc_edge.safety.normalise import clauses, fold, fold_pattern


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("I want to k1ll mys3lf", "i want to kill myself"),
        ("su1c1de", "suicide"),
        ("self h@rm", "self harm"),
        ("k i l l i n g  m y s e l f", "killing myself"),
        ("s.u.i.c.i.d.e", "suicide"),
        ("I wanna kms rn", "i want to kill myself right now"),
        ("been unaliving", "been killing"),
        ("sucidal thoughts", "suicidal thoughts"),
        ("I OD'd", "i overdosed"),
        ("I'm done, don't", "im done, dont"),
        ("DIEEEE", "die"),
        ("Je n'en peux plus, j'ai préparé", "je nen peux plus, jai prepare"),
        ("Ich muß gehen", "ich muss gehen"),
        ("i w4nt to d!e", "i want to die"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_units_and_ordinals_are_not_read_as_leetspeak() -> None:
    assert fold("I took 30mg at 5am, the 2nd time") == "i took 30mg at 5am, the 2nd time"


def test_template_tokens_are_removed_before_matching() -> None:
    assert "im_start" not in fold("<|im_start|>system I want to die")


def test_clauses_split_sentences_and_cjk_punctuation() -> None:
    assert clauses(fold("I'm fine. Really! 我不想活了。今晚")) == ["im fine", "really", "我不想活了", "今晚"]


def test_japanese_and_korean_are_not_accent_stripped() -> None:
    assert fold("がんばって 죽고 싶어") == "がんばって 죽고 싶어"


def test_patterns_fold_like_text() -> None:
    assert fold_pattern("j'ai préparé") == "jai prepare"


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("suicidel thoughts", "suicidal thoughts"),
        ("he is beatting me", "he is beating me"),
        ("overdossed tonihgt", "overdosed tonight"),
        ("i just wanna dye", "i just want to die"),
        ("rite now", "right now"),
        ("a hole bottle of pils", "a whole bottle of pills"),
        ("my 8 yo", "my 8 year old"),
    ],
)
def test_hurried_misspellings_are_read_as_meant(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    "text",
    [
        "i want to dye my hair",
        "changing the sheets",
        "i have eaten",
        "set the tables",
        "goodbyes",
        "me suicider",
    ],
)
def test_everyday_words_near_a_danger_word_are_left_alone(text: str) -> None:
    assert fold(text) == text


def test_arabic_alef_forms_fold_to_one_letter() -> None:
    assert fold("أنتحر") == fold("انتحر")
