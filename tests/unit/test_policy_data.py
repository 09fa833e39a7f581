"""The policy data builder: runtime prompt format, joined turns, overlong turns, reply-only loss."""

from __future__ import annotations

from collections import Counter
from typing import Any

from esc_edge.conversation import Turn
from esc_edge.generation.prompt import IM_END, completed_reply_pieces, render, tokenize_pieces
from export.policy.build_data import (
    IGNORE,
    dialogue_cases,
    evenly_spaced,
    make_example,
    uses_situation,
)
from tests.fakes import CONTROL, fake_tokenize


def _dialogue(*turns: tuple[str, str, str | None], situation: str = "") -> dict[str, Any]:
    return {
        "id": "esconv-test",
        "situation": situation,
        "emotion_type": "sadness",
        "turns": [{"speaker": s, "text": t, "strategy": g} for s, t, g in turns],
    }


def _words(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


DIALOGUE = _dialogue(
    ("supporter", "Hello, how are you?", "Question"),  # opening greeting: not a case
    ("seeker", "I lost my job today.", None),
    ("supporter", "That sounds hard.", "Reflection of feelings"),
    ("supporter", "What happened?", "Question"),
    ("seeker", "They closed the office.", None),
    ("supporter", "I am sorry.", "Affirmation and Reassurance"),
    situation="I was laid off.",
)


def _decode(ids: list[int]) -> str:
    inverse = {v: k for k, v in CONTROL.items()}
    out = bytearray()
    for i in ids:
        out += inverse[i].encode() if i in inverse else bytes([i - 16])
    return out.decode()


def test_consecutive_supporter_messages_are_joined_under_the_first_strategy() -> None:
    cases = dialogue_cases(DIALOGUE)
    assert [c.reply for c in cases] == ["That sounds hard. What happened?", "I am sorry."]
    assert [c.strategy for c in cases] == ["Reflection of feelings", "Affirmation and Reassurance"]
    assert cases[0].n_messages == 2 and cases[0].first_message == "That sounds hard."
    # The opening greeting answers no seeker message, but it stays in the later contexts.
    assert cases[0].context[0].text == "Hello, how are you?"
    assert len(cases[1].context) == 5


def test_overlong_turns_keep_whole_leading_messages_or_are_skipped() -> None:
    dialogue = _dialogue(
        ("seeker", "help", None),
        ("supporter", _words(50, "first"), "Question"),
        ("supporter", _words(20, "second"), "Others"),
        ("seeker", "more", None),
        ("supporter", _words(61, "long"), "Information"),
    )
    stats: Counter[str] = Counter()
    cases = dialogue_cases(dialogue, max_words=60, stats=stats)
    assert len(cases) == 1
    assert cases[0].reply == _words(50, "first") and cases[0].trimmed
    assert stats["trimmed"] == 1 and stats["skipped_long"] == 1


def test_strategy_tag_is_last_and_loss_is_on_the_reply_only() -> None:
    case = dialogue_cases(DIALOGUE)[1]
    example = make_example(case, fake_tokenize, budget=10_000, situation_rate=0.0)
    prompt_ids = example.input_ids[: example.n_prompt]
    assert _decode(prompt_ids).endswith("<|im_start|>assistant\n[Affirmation and Reassurance]")
    assert example.labels[: example.n_prompt] == [IGNORE] * example.n_prompt
    reply_ids = example.input_ids[example.n_prompt :]
    assert example.labels[example.n_prompt :] == reply_ids
    assert _decode(reply_ids) == " I am sorry." + IM_END
    assert reply_ids[-1] == CONTROL[IM_END]


def test_prompt_is_exactly_the_runtime_prompt_and_continues_append_only() -> None:
    first, second = dialogue_cases(DIALOGUE)
    example = make_example(first, fake_tokenize, budget=10_000, situation_rate=0.0)
    runtime = render(first.context, first.strategy, fake_tokenize, 10_000).tokens(fake_tokenize)
    assert example.input_ids[: example.n_prompt] == runtime
    # The next turn's prompt starts with this example's prompt + reply (the KV cache is reused)
    # when the runtime stores the joined reply as one turn.
    turns = [*first.context, Turn("supporter", first.reply, first.strategy), second.context[-1]]
    nxt = render(turns, second.strategy, fake_tokenize, 10_000).tokens(fake_tokenize)
    done = runtime + tokenize_pieces(completed_reply_pieces(first.reply, first.strategy), fake_tokenize)
    assert nxt[: len(done)] == done
    assert example.input_ids == done[: len(example.input_ids)]


def test_budget_holds_and_situation_dropout_is_deterministic() -> None:
    case = dialogue_cases(DIALOGUE)[1]
    small = make_example(case, fake_tokenize, budget=220, situation_rate=0.0)
    assert small.n_prompt <= 220 < make_example(case, fake_tokenize, 10_000, 0.0).n_prompt
    assert _decode(small.input_ids[: small.n_prompt]).endswith("[Affirmation and Reassurance]")
    with_sit = make_example(case, fake_tokenize, budget=10_000, situation_rate=1.0)
    assert with_sit.with_situation and "I was laid off." in _decode(with_sit.input_ids)
    assert not uses_situation(case, 0.0)
    assert uses_situation(case, 0.5) == uses_situation(case, 0.5)


def test_evenly_spaced_sample_is_the_derisk_rule() -> None:
    items = list(range(1000))
    assert evenly_spaced(items, 150)[:3] == [0, 6, 12]  # type: ignore[arg-type]
    assert len(evenly_spaced(items, 150)) == 150  # type: ignore[arg-type]
