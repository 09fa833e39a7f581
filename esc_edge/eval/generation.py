"""Score the policy on ESConv-style JSONL through the real runtime path (``Supporter.reply``).

For each evaluated supporter turn (a supporter message that answers a seeker message), the
dialogue before it is loaded as the conversation, its last seeker message is sent to the
supporter, and the reply is compared with the human supporter's. The strategy is the gold one
(``gold``: the first supporter message's strategy, an oracle setting) or the planner's
(``planned``). The safety layer is off here: this measures the policy, not the crisis path.

References: ``reference`` is the first supporter message, the per-utterance reference of the
published ESC evaluations; ``reference_turn`` joins all consecutive supporter messages of the
turn, which is what the policy is trained to write. Metrics are computed against both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import InputError
from esc_edge.eval.dialogues import dialogue_turns
from esc_edge.eval.metrics import generation_report
from esc_edge.generation.prompt import IM_END, Piece, reply_target, tokenize_pieces
from esc_edge.planner.strategies import NAMES, canonical
from esc_edge.safety.base import SAFE, Assessment

QUESTION = "Question"


@dataclass(frozen=True)
class GenerationCase:
    dialogue_id: str
    context: tuple[Turn, ...]  # the turns before the supporter turn; the last one is the seeker's
    situation: str | None
    strategy: str  # gold strategy of the turn's first supporter message
    reference: str  # the first supporter message
    reference_turn: str  # every consecutive supporter message of the turn, joined


@dataclass
class GenerationResult:
    case: GenerationCase
    reply: str
    strategy: str | None  # the strategy the reply was generated for
    total_ms: float
    nll: float | None = None  # summed over the human reply's tokens (incl. <|im_end|>)
    n_tokens: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class PassThroughSafety:
    """Lets every message through: the evaluation scores the policy, not the safety layer."""

    def assess(self, conversation: Conversation, text: str, *, careful: bool = False) -> Assessment:
        return SAFE

    def reply(self, assessment: Assessment, locale: str) -> str:  # pragma: no cover - never crisis
        return ""


def dialogue_cases(dialogue: Mapping[str, Any]) -> list[GenerationCase]:
    """Every supporter turn with a strategy that directly follows a seeker message."""
    where = f"line {dialogue.get('_line', '?')}"
    turns = dialogue_turns(dialogue)
    situation = dialogue.get("situation")
    cases = []
    for i, turn in enumerate(turns):
        if turn.speaker != "supporter" or i == 0 or turns[i - 1].speaker != "seeker":
            continue
        if not turn.strategy:
            continue
        end = i
        while end < len(turns) and turns[end].speaker == "supporter":
            end += 1
        cases.append(
            GenerationCase(
                dialogue_id=str(dialogue.get("id", where)),
                context=tuple(turns[:i]),
                situation=situation if isinstance(situation, str) and situation else None,
                strategy=canonical(turn.strategy),
                reference=" ".join(turn.text.split()),
                reference_turn=" ".join(" ".join(t.text.split()) for t in turns[i:end]),
            )
        )
    return cases


def evenly_spaced_cases(dialogues: Iterable[Mapping[str, Any]], limit: int) -> list[GenerationCase]:
    """All cases in file order, then every ⌊N/limit⌋-th one (a fixed, spread-out sample)."""
    cases = [case for dialogue in dialogues for case in dialogue_cases(dialogue)]
    if limit <= 0 or limit >= len(cases):
        return cases
    step = max(1, len(cases) // limit)
    return cases[::step][:limit]


# -- running the supporter ---------------------------------------------------------------------
def run_case(
    supporter: Any, case: GenerationCase, mode: str, with_nll: bool, with_situation: bool = False
) -> GenerationResult:
    """One reply through ``Supporter.reply``; then the human reply's NLL under the same prompt.

    ``with_situation`` gives the dialogue's ``situation`` (the seeker's pre-chat description) as
    the conversation's situation, as an app with an intake form would; off, the prompt has none.
    """
    situation = case.situation if with_situation else None
    conversation = Conversation(turns=list(case.context[:-1]), situation=situation)
    override = case.strategy if mode == "gold" else None
    reply = supporter.reply(case.context[-1].text, strategy=override, conversation=conversation)
    result = GenerationResult(case, reply.text, reply.strategy, reply.timings.total_ms)
    if with_nll and hasattr(supporter.generator, "call"):
        # The prompt the supporter just used: its conversation minus the reply it appended.
        turns = conversation.snapshot()[:-1] if reply.text else conversation.snapshot()
        result.nll, result.n_tokens = reply_nll(supporter, turns, reply.strategy, case, situation)
    return result


def reply_nll(
    supporter: Any,
    turns: Sequence[Turn],
    strategy: str | None,
    case: GenerationCase,
    situation: str | None = None,
) -> tuple[float, int]:
    """Summed NLL of the human reply under the prompt the supporter itself renders."""
    generator = supporter.generator
    draft = Conversation(turns=list(turns), situation=situation)
    prompt, _ = supporter.turn_inputs(draft, strategy)
    pieces = [Piece(reply_target(case.reference_turn, strategy)), Piece(IM_END, True)]
    target = tokenize_pieces(pieces, generator.tokenize)
    return float(generator.call(lambda llm: _llama_nll(llm, prompt, target))), len(target)


def _llama_nll(llm: Any, prompt: Sequence[int], target: Sequence[int]) -> float:
    """Summed NLL of ``target`` after ``prompt``, one token at a time (no logits_all needed).

    Reuses the KV cache for the prompt prefix already evaluated, like ``Llama.generate`` does.
    """
    cached = llm.input_ids[: llm.n_tokens].tolist()
    common = 0
    for a, b in zip(cached, prompt[:-1], strict=False):
        if a != b:
            break
        common += 1
    llm.n_tokens = common
    llm.eval(list(prompt[common:]))
    total = 0.0
    n_vocab = llm.n_vocab()
    for i, token in enumerate(target):
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(n_vocab,)).astype(np.float64)
        top = logits.max()
        total += float(top + np.log(np.exp(logits - top).sum()) - logits[token])
        if i + 1 < len(target):
            llm.eval([token])
    return total


def evaluate(
    supporter: Any,
    cases: Sequence[GenerationCase],
    mode: str = "gold",
    with_nll: bool = True,
    progress: Callable[[int, int, GenerationResult], None] | None = None,
    with_situation: bool = False,
) -> list[GenerationResult]:
    if mode not in ("gold", "planned"):
        raise InputError(f"unknown strategy mode {mode!r}", hint="use gold or planned")
    results = []
    for i, case in enumerate(cases, start=1):
        result = run_case(supporter, case, mode, with_nll, with_situation)
        results.append(result)
        if progress is not None:
            progress(i, len(cases), result)
    return results


# -- report ------------------------------------------------------------------------------------
def question_adherence(results: Sequence[GenerationResult]) -> dict[str, Any]:
    """A lexical proxy for strategy adherence: Question replies ask, the others mostly do not.

    Human ESConv supporters: about 82% of Question turns contain "?", 27% of the others.
    """
    asked = [r for r in results if r.strategy == QUESTION]
    others = [r for r in results if r.strategy and r.strategy != QUESTION]
    per_strategy = {
        name: round(100 * float(np.mean(["?" in r.reply for r in group])), 1)
        for name in NAMES
        if (group := [r for r in results if r.strategy == name])
    }
    return {
        "question_turns_with_q": _share(["?" in r.reply for r in asked]),
        "other_turns_with_q": _share(["?" in r.reply for r in others]),
        "human_question_turns_with_q": _share(["?" in r.case.reference_turn for r in asked]),
        "human_other_turns_with_q": _share(["?" in r.case.reference_turn for r in others]),
        "q_rate_by_strategy": per_strategy,
    }


def _share(flags: Sequence[bool]) -> float | None:
    return round(100 * float(np.mean(flags)), 1) if flags else None


def report(results: Sequence[GenerationResult], resamples: int = 1000, seed: int = 0) -> dict[str, Any]:
    replies = [r.reply for r in results]
    out: dict[str, Any] = {
        "turns": len(results),
        "vs_first_message": generation_report(replies, [r.case.reference for r in results], resamples, seed),
        "vs_joined_turn": generation_report(
            replies, [r.case.reference_turn for r in results], resamples, seed
        ),
        "human_mean_words": round(float(np.mean([len(r.case.reference.split()) for r in results])), 1),
        "strategy_adherence": question_adherence(results),
        "empty_replies": sum(1 for r in results if not r.reply.strip()),
        "ms_per_reply": round(float(np.mean([r.total_ms for r in results])), 1),
    }
    scored = [r for r in results if r.nll is not None and r.n_tokens]
    if scored:
        tokens = sum(r.n_tokens for r in scored)
        mean_nll = sum(r.nll or 0.0 for r in scored) / tokens
        out["human_reply_nll"] = round(mean_nll, 4)
        out["human_reply_ppl"] = round(float(np.exp(mean_nll)), 2)
    planned = [r for r in results if r.strategy]
    out["strategy_accuracy"] = (
        round(float(np.mean([r.strategy == r.case.strategy for r in planned])), 4) if planned else None
    )
    return out
