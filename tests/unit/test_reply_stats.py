"""bench/reply_stats.py's statistics on hand-made records: what each count means."""

from __future__ import annotations

from typing import Any

from bench import reply_stats as rs
from esc_edge.config import Settings
from esc_edge.generation.constraints import load_decoding


def record(dialogue: int, index: int, reply: str, strategy: str = "Question") -> rs.Record:
    return rs.Record(
        mode="constrained",
        dialogue=dialogue,
        index=index,
        strategy=strategy,
        reply=reply,
        raw=reply,
        completion_tokens=10,
        prompt_tokens=100,
        reused_tokens=80,
        ttft_ms=100.0,
        total_ms=600.0,
        finish="stop",
    )


def test_a_repeated_opener_counts_only_within_its_own_conversation() -> None:
    records = [
        record(0, 1, "I'm so sorry to hear that."),
        record(0, 3, "I’m so SORRY, that is hard."),  # same three words after normalising
        record(0, 5, "That sounds hard."),
        record(1, 1, "I'm so sorry you lost it."),  # first reply of another conversation
        record(1, 3, "How are you?"),
    ]
    assert rs.repeated_openers(records) == (1, 3)


def test_the_hard_rule_counts_catch_what_they_name() -> None:
    replies = [
        "How are you? What happened?",  # two questions
        "Seeker: I feel sad.",  # role break
        "[Question] How are you?",  # template leak
        "Call 555 123 4567 or visit www.help.com now.",  # contact
        "I hope that you are going to...",  # trails off
        " ".join(["word"] * 31) + ".",  # over the budget
        "That sounds really hard, and I am here.",  # clean
    ]
    stats = rs.mode_stats([record(0, i, r) for i, r in enumerate(replies)], Settings(), load_decoding())
    assert stats["more_than_one_question"] == 1
    assert stats["role_breaks"] == 1
    assert stats["template_leaks"] == 1
    assert stats["links_emails_phones"] == 1
    assert stats["over_budget"] == 1
    assert stats["not_ending_a_sentence"] == 1


def test_distinct_is_the_share_of_unique_ngrams() -> None:
    assert rs.distinct(["a b a b"], 1) == 50.0
    assert rs.distinct(["a b a b"], 2) == 200 / 3


def test_targets_are_marked_met_or_missed() -> None:
    constrained: dict[str, Any] = {
        "replies": 200,
        "over_budget": 0,
        "more_than_one_question": 0,
        "role_breaks": 0,
        "template_leaks": 1,
        "repeated_opener_share": 0.12,
    }
    result = {"modes": {"constrained": constrained}, "speed": {"ratio_with_over_without": 0.95}}
    marks = rs.targets(result)
    assert marks["at_least_200_contexts"] and marks["none_over_the_word_budget"]
    assert marks["no_role_breaks_or_template_leaks"] is False
    assert marks["repeated_opener_share_at_most_0.1"] is False
    assert marks["decode_speed_ratio_at_least_0.9"] is True


def test_dialogues_are_picked_until_enough_moves() -> None:
    seeker = {"speaker": "seeker", "text": "hi"}
    supporter = {"speaker": "supporter", "text": "hello", "strategy": "Question"}
    dialogues = [[seeker, supporter] * 3 for _ in range(10)]  # 3 moves each
    picked = rs.pick_dialogues(dialogues, 7)
    assert len(picked) == 3 and len(set(picked)) == 3
    assert sum(len(rs.moves_of(dialogues[i], i)) for i in picked) >= 7
