"""Generation metrics and the selection of evaluated turns (no model)."""

from __future__ import annotations

import pytest

from esc_edge.eval.generation import (
    GenerationResult,
    dialogue_cases,
    evaluate,
    evenly_spaced_cases,
    question_adherence,
)
from esc_edge.eval.metrics import (
    bleu2,
    distinct_n,
    esc_literature_report,
    esc_tokens,
    generation_report,
    mean_words,
    rouge_l,
    rouge_l_beta,
)

pytest.importorskip("sacrebleu")
pytest.importorskip("rouge_score")

DIALOGUE = {
    "id": "d1",
    "situation": "laid off",
    "turns": [
        {"speaker": "supporter", "text": "Hi there!", "strategy": "Others"},
        {"speaker": "seeker", "text": "I lost my job.", "strategy": None},
        {"speaker": "supporter", "text": "That is hard.", "strategy": "Reflection of feelings"},
        {"speaker": "supporter", "text": "What  happened?", "strategy": "Question"},
        {"speaker": "seeker", "text": "They closed.", "strategy": None},
        {"speaker": "supporter", "text": "I see.", "strategy": "Others"},
    ],
}


def test_turns_follow_a_seeker_message_and_join_the_supporter_run() -> None:
    cases = dialogue_cases(DIALOGUE)
    assert [c.reference for c in cases] == ["That is hard.", "I see."]
    assert cases[0].reference_turn == "That is hard. What happened?"
    assert cases[0].strategy == "Reflection of feelings"
    assert cases[0].context[-1].text == "I lost my job."
    assert len(evenly_spaced_cases([DIALOGUE] * 10, 5)) == 5


def test_the_situation_reaches_the_prompt_only_when_asked() -> None:
    from esc_edge.config import Settings
    from esc_edge.generation.base import NoConstraints
    from esc_edge.runtime import select_runtime
    from esc_edge.supporter import Supporter
    from tests.fakes import FakeGenerator, FakePlanner, FakeSafety

    generator = FakeGenerator()
    supporter = Supporter(
        Settings(),
        runtime=select_runtime("cpu"),
        safety=FakeSafety(),
        planner=FakePlanner(),
        generator=generator,
        constraints=NoConstraints(),
    )
    cases = dialogue_cases(DIALOGUE)[:1]
    prompts = []
    for flag in (False, True):
        evaluate(supporter, cases, "gold", with_nll=False, with_situation=flag)
        prompts.append(bytes(t - 16 for t in generator.prompts[-1] if t >= 16).decode())
    assert "laid off" not in prompts[0] and "before the chat: laid off" in prompts[1]


def test_metrics_on_known_inputs() -> None:
    assert bleu2(["the cat sat on the mat"], ["the cat sat on the mat"]) == pytest.approx(100.0)
    assert bleu2(["a b c d"], ["w x y z"]) < 5
    assert rouge_l(["What happened?"], ["what happened"]) == pytest.approx(100.0)
    assert distinct_n(["a a a", "a b"], 1) == pytest.approx(100 * 2 / 5)
    assert distinct_n(["A b", "a B"], 2) == pytest.approx(50.0)
    assert mean_words(["one two", "three"]) == 1.5
    with pytest.raises(ValueError):
        bleu2(["a"], [])


def test_report_has_intervals_around_the_value() -> None:
    hyps = [f"reply number {i} about work" for i in range(30)]
    refs = [f"answer {i} about your work" for i in range(30)]
    report = generation_report(hyps, refs, resamples=200)
    for key in ("bleu2", "rouge_l", "mean_words"):
        low, high = report[key]["ci95"]
        assert low <= report[key]["value"] <= high
    assert report["distinct2"]["value"] > 0


def test_esc_literature_tokens_split_punctuation_and_contractions() -> None:
    tokens = esc_tokens("I don't know. That's HARD!")
    assert tokens == ["i", "do", "n't", "know", ".", "that", "'s", "hard", "!"]


def test_esc_literature_rouge_weights_recall() -> None:
    # LCS 2 of a 3-token reply and a 4-token reference: P = 2/3, R = 1/2, beta = 1.2.
    expected = (1 + 1.44) * (2 / 3) * 0.5 / (0.5 + 1.44 * (2 / 3))
    assert rouge_l_beta(["a", "b", "c"], ["a", "c", "d", "e"]) == pytest.approx(expected)
    # Recall weighs more: the same LCS against a shorter reference (higher recall) scores higher.
    assert rouge_l_beta(["a", "c", "d", "e"], ["a", "b", "c"]) > expected
    assert rouge_l_beta([], ["a"]) == 0.0


def test_esc_literature_counts_punctuation_so_it_scores_above_the_strict_metrics() -> None:
    hyps = [f"I hear you. Work {i} sounds hard, doesn't it?" for i in range(20)]
    refs = [f"That sounds hard. How is work {i} going?" for i in range(20)]
    report = generation_report(hyps, refs, resamples=50)
    lit = report["esc_literature"]
    assert lit == esc_literature_report(hyps, refs, resamples=50)
    assert lit["bleu2"]["value"] > report["bleu2"]["value"]
    assert lit["rouge_l"]["value"] > report["rouge_l"]["value"]
    assert lit["bleu2"]["ci95"][0] <= lit["bleu2"]["value"] <= lit["bleu2"]["ci95"][1]
    identical = esc_literature_report(["the cat sat"], ["the cat sat"], resamples=10)
    assert identical["bleu2"]["value"] == pytest.approx(100.0)


def test_question_adherence_counts_question_marks_by_strategy() -> None:
    cases = dialogue_cases(DIALOGUE)
    results = [
        GenerationResult(cases[0], "What was that like?", "Question", 1.0),
        GenerationResult(cases[1], "That sounds hard.", "Others", 1.0),
    ]
    adherence = question_adherence(results)
    assert adherence["question_turns_with_q"] == 100.0
    assert adherence["other_turns_with_q"] == 0.0
