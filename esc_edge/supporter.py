"""The engine: safety check → strategy planner → constrained generator, one turn at a time.

>>> with Supporter(pull=True) as s:                       # doctest: +SKIP
...     print(s.reply("I lost my job today").text)

Thread-safety: components are shared; each :class:`Conversation` has a turn lock, so replies to one
conversation never interleave, and the generator's single worker queues the turns of several
conversations. A reply can be streamed and cancelled from any thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from esc_edge.config import Settings, load_settings
from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import CancelledError, EscEdgeError, InputError
from esc_edge.generation.base import (
    CancelToken,
    Constraints,
    DecodeOptions,
    GenerationStats,
    Generator,
    NoConstraints,
    TurnSpec,
)
from esc_edge.generation.prompt import render
from esc_edge.generation.rerank import Candidate, Chooser, choosers
from esc_edge.planner import strategies
from esc_edge.planner.base import Plan, Planner
from esc_edge.runtime import RuntimeProfile, select_runtime
from esc_edge.safety.base import INJECTION, Assessment, SafetyCheck
from esc_edge.text import clean, normalise

log = logging.getLogger("esc_edge")

# Longest text the safety layer reads from an overlong message before it is refused: a risk
# sentence buried in a huge paste must still be seen.
SAFETY_SCAN_LIMIT = 1_000_000
# Strategies allowed while the conversation is in careful mode after a crisis.
CAREFUL_STRATEGIES = (
    "Reflection of feelings",
    "Affirmation and Reassurance",
    "Question",
    "Restatement or Paraphrasing",
)
# Reserve room in the context for the reply and the per-turn tail.
REPLY_RESERVE_TOKENS = 128
# Drop a quarter more history than needed when trimming so the next turns reuse the KV cache.
TRIM_SLACK = 0.25
# Longest pre-chat situation put in the prompt: the system block is never trimmed, so a long
# intake text would crowd the dialogue out of the context (ESConv train situations: median 86
# characters, 4 of 910 over 600).
SITUATION_MAX_CHARS = 600
# Situations whose safety verdict is kept (oldest dropped first): bounded for a long-lived server.
SITUATION_CACHE_SIZE = 256


@dataclass(frozen=True)
class Timings:
    safety_ms: float = 0.0
    plan_ms: float = 0.0
    ttft_ms: float = 0.0
    total_ms: float = 0.0
    tokens: int = 0
    prompt_tokens: int = 0
    reused_tokens: int = 0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "safety_ms": round(self.safety_ms, 2),
            "plan_ms": round(self.plan_ms, 2),
            "ttft_ms": round(self.ttft_ms, 2),
            "total_ms": round(self.total_ms, 2),
            "tokens": self.tokens,
            "prompt_tokens": self.prompt_tokens,
            "reused_tokens": self.reused_tokens,
        }


@dataclass(frozen=True)
class Reply:
    text: str
    strategy: str | None
    crisis: bool = False
    category: str | None = None
    emotion: str | None = None
    plan: Plan | None = None
    cancelled: bool = False
    timings: Timings = field(default_factory=Timings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reply": self.text,
            "strategy": self.strategy,
            "emotion": self.emotion,
            "crisis": self.crisis,
            "category": self.category,
            "cancelled": self.cancelled,
            "timings": self.timings.to_dict(),
        }


class ReplyStream:
    """Iterate for text chunks; ``reply`` holds the finished :class:`Reply` afterwards."""

    def __init__(self, chunks: Iterator[str], cancel: CancelToken) -> None:
        self._chunks = chunks
        self._cancel = cancel
        self.reply: Reply | None = None
        # Set as soon as the turn is planned, before the first chunk: UIs can show it early.
        self.plan: Plan | None = None

    def __iter__(self) -> Iterator[str]:
        return self._chunks

    def cancel(self) -> None:
        self._cancel.cancel()

    def result(self) -> Reply:
        for _ in self._chunks:
            pass
        assert self.reply is not None
        return self.reply

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


class Supporter:
    """A support conversation engine. Use as a context manager to free the models."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        conversation: Conversation | None = None,
        safety: SafetyCheck | None = None,
        planner: Planner | None = None,
        generator: Generator | None = None,
        constraints: Constraints | None = None,
        chooser: Chooser | None = None,
        pull: bool | Callable[[list[str]], bool] = False,
        runtime: RuntimeProfile | None = None,
    ) -> None:
        self.settings = settings if settings is not None else load_settings()
        self.conversation = conversation if conversation is not None else Conversation()
        self.runtime = runtime if runtime is not None else select_runtime(self.settings.runtime)
        from esc_edge import _components

        self._components = _components.Components(self.settings, self.runtime, pull)
        self.safety = safety if safety is not None else self._components.safety()
        self.planner = planner if planner is not None else self._components.planner()
        self._share_encoder()
        self.generator = generator if generator is not None else self._components.generator()
        if constraints is not None:
            self.constraints = constraints
        elif self.settings.constraints:
            self.constraints = self._components.constraints(self.generator.vocabulary)
        else:
            self.constraints = NoConstraints()
        self._decode_options: Callable[[str | None], DecodeOptions] = self._components.decode_options
        # Safety verdicts on pre-chat situations, by text: assessed once, not every turn.
        self._situation_verdicts: dict[str, Assessment] = {}
        self.chooser: Chooser = chooser if chooser is not None else choosers.get(self.settings.chooser)()
        if (
            self.settings.candidates > 1
            and self._decode_options(None).temperature <= 0
            and self.chooser.sample_temperature is None
        ):
            log.warning(
                "candidates=%d has no effect with greedy decoding (every draw is the same); "
                "set temperature above 0 (e.g. --temperature 0.7) to sample and rerank",
                self.settings.candidates,
            )

    # -- public API ----------------------------------------------------------------------------------
    def reply(
        self,
        text: str,
        *,
        strategy: str | None = None,
        conversation: Conversation | None = None,
        cancel: CancelToken | None = None,
    ) -> Reply:
        """Answer one seeker message and append both turns to the conversation."""
        return self.stream(text, strategy=strategy, conversation=conversation, cancel=cancel).result()

    def stream(
        self,
        text: str,
        *,
        strategy: str | None = None,
        conversation: Conversation | None = None,
        cancel: CancelToken | None = None,
    ) -> ReplyStream:
        """Like :meth:`reply`, streaming text chunks. Validation errors raise here, at once."""
        conversation = conversation if conversation is not None else self.conversation
        cancel = cancel if cancel is not None else CancelToken()
        override = strategies.canonical(strategy) if strategy else None
        stream = ReplyStream(iter(()), cancel)
        stream._chunks = self._turn(text, override, conversation, cancel, stream)
        return stream

    def plan(self, conversation: Conversation | None = None) -> Plan:
        return self.planner.plan(conversation if conversation is not None else self.conversation)

    def assess(self, text: str, conversation: Conversation | None = None) -> Assessment:
        return self.safety.assess(conversation or self.conversation, normalise(text))

    def reset(self) -> None:
        self.conversation.clear()

    def save(self, path: str | Path) -> Path:
        return self.conversation.save(path)

    def load(self, path: str | Path) -> Conversation:
        self.conversation = Conversation.load(path)
        return self.conversation

    def close(self) -> None:
        close = getattr(self.generator, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Supporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one turn ------------------------------------------------------------------------------------
    def _turn(
        self,
        text: str,
        override: str | None,
        conversation: Conversation,
        cancel: CancelToken,
        stream: ReplyStream,
    ) -> Iterator[str]:
        started = time.perf_counter()
        cleaned, assessment = self._screen(text, conversation)
        safety_ms = (time.perf_counter() - started) * 1000
        if assessment.crisis or assessment.reason == INJECTION:
            return self._vetted_turn(cleaned, assessment, conversation, stream, safety_ms)
        return self._model_turn(cleaned, override, conversation, cancel, stream, started, safety_ms)

    def _screen(self, text: str, conversation: Conversation) -> tuple[str, Assessment]:
        """Clean the message and assess it; an overlong message is still screened before refusal."""
        careful = conversation.careful_turns_left > 0
        try:
            cleaned = clean(text, self.settings.max_message_chars)
        except InputError:
            if not isinstance(text, str) or not normalise(text):
                raise
            flat = normalise(text[:SAFETY_SCAN_LIMIT])
            assessment = self._assess(conversation, flat, careful)
            if assessment.crisis:
                return flat[: self.settings.max_message_chars], assessment
            raise
        assessment = self._assess(conversation, cleaned, careful)
        return cleaned, self._with_situation(conversation, assessment)

    def _with_situation(self, conversation: Conversation, assessment: Assessment) -> Assessment:
        """At the first message, danger in the pre-chat situation counts as danger in the message."""
        if assessment.crisis or conversation.recent_seeker_texts(1):
            return assessment
        screened = self._screened_situation(conversation.situation)
        return screened[1] if screened is not None and screened[1].crisis else assessment

    def _screened_situation(self, situation: str | None) -> tuple[str, Assessment] | None:
        """The situation as the prompt would show it, with its (cached) safety verdict."""
        text = _situation_text(situation)
        if text is None:
            return None
        verdict = self._situation_verdicts.get(text)
        if verdict is None:
            verdict = self._assess(Conversation(), text, careful=False)
            if len(self._situation_verdicts) >= SITUATION_CACHE_SIZE:
                self._situation_verdicts.pop(next(iter(self._situation_verdicts)), None)
            self._situation_verdicts[text] = verdict
        return text, verdict

    def _prompt_situation(self, situation: str | None) -> str | None:
        """The situation as the prompt shows it; one the safety check flags never reaches the model."""
        screened = self._screened_situation(situation)
        if screened is None:
            return None
        text, verdict = screened
        return None if verdict.crisis or verdict.reason == INJECTION else text

    def _assess(self, conversation: Conversation, text: str, careful: bool) -> Assessment:
        try:
            return self.safety.assess(conversation, text, careful=careful)
        except Exception:
            # Fail safe: a detector that breaks must not let a message through unseen.
            log.exception("safety check failed; treating the message as needing care")
            return Assessment(crisis=True, category="unknown", score=1.0, reason="detector failure")

    def _vetted_turn(
        self,
        text: str,
        assessment: Assessment,
        conversation: Conversation,
        stream: ReplyStream,
        safety_ms: float,
    ) -> Iterator[str]:
        """A turn answered by the safety layer's vetted text: a crisis, or an injection attempt
        (a 135M model told to "ignore previous instructions" would follow them)."""
        message = self.safety.reply(assessment, self.settings.locale)
        with conversation.turn_lock:
            conversation.add_seeker(text)
            conversation.add_supporter(message, strategy=None, crisis=assessment.crisis)
            if assessment.crisis:
                conversation.careful_turns_left = self.settings.careful_turns
            elif conversation.careful_turns_left > 0:
                conversation.careful_turns_left -= 1
        stream.reply = Reply(
            text=message,
            strategy=None,
            crisis=assessment.crisis,
            category=assessment.category,
            timings=Timings(safety_ms=safety_ms, total_ms=safety_ms),
        )
        yield message

    def _model_turn(
        self,
        text: str,
        override: str | None,
        conversation: Conversation,
        cancel: CancelToken,
        stream: ReplyStream,
        started: float,
        safety_ms: float,
    ) -> Iterator[str]:
        with conversation.turn_lock:
            turns = [*conversation.snapshot()]
            draft = Conversation(turns=[*turns], situation=conversation.situation)
            draft.add_seeker(text)
            plan_started = time.perf_counter()
            plan = self._choose(draft, override, conversation.careful_turns_left > 0)
            plan_ms = (time.perf_counter() - plan_started) * 1000
            stream.plan = plan
            prompt, spec = self.turn_inputs(draft, plan.strategy)
            stats = GenerationStats()
            pieces: list[str] = []
            ttft_ms = 0.0
            for chunk in self._reply_chunks(prompt, plan.strategy, spec, draft.turns, cancel, stats):
                if not pieces:
                    ttft_ms = (time.perf_counter() - started) * 1000
                pieces.append(chunk)
                yield chunk
            reply_text = self.constraints.finalize("".join(pieces), spec)
            cancelled = stats.finish_reason == "cancelled"
            self._commit(conversation, text, reply_text, plan.strategy, cancelled)
            stream.reply = Reply(
                text=reply_text,
                strategy=plan.strategy,
                emotion=plan.emotion,
                plan=plan,
                cancelled=cancelled,
                timings=Timings(
                    safety_ms=safety_ms,
                    plan_ms=plan_ms,
                    ttft_ms=ttft_ms,
                    total_ms=(time.perf_counter() - started) * 1000,
                    tokens=stats.completion_tokens,
                    prompt_tokens=stats.prompt_tokens,
                    reused_tokens=stats.reused_tokens,
                ),
            )
            if reply_text:
                self._remember(conversation)

    def _share_encoder(self) -> None:
        """Let a safety check that reads sentence vectors use the planner's encoder and cache (the
        seeker message is then encoded once per turn: by safety, then found by the planner)."""
        share = getattr(self.safety, "share_encoder", None)
        if not callable(share) or not callable(getattr(self.planner, "encode", None)):
            return
        try:
            share(self.planner)
        except Exception as exc:  # the check keeps (or lazily loads) its own encoder
            log.warning("the safety check could not share the planner's encoder: %s", exc)

    def turn_inputs(self, draft: Conversation, strategy: str | None) -> tuple[list[int], TurnSpec]:
        """The prompt tokens and the constraint spec for the reply to ``draft``'s last (seeker) turn."""
        prompt = render(
            draft.turns,
            strategy,
            self.generator.tokenize,
            situation=self._prompt_situation(draft.situation),
            budget=self.generator.n_ctx - REPLY_RESERVE_TOKENS,
            slack=TRIM_SLACK,
        ).tokens(self.generator.tokenize)
        spec = TurnSpec(
            strategy=strategy,
            prompt_length=len(prompt),
            earlier_replies=tuple(t.text for t in draft.turns[:-1] if t.speaker == "supporter"),
            seeker_text=" ".join(t.text for t in draft.turns if t.speaker == "seeker"),
            word_budget=self.settings.word_budget,
            min_words=self.settings.min_words,
        )
        return prompt, spec

    def _remember(self, conversation: Conversation) -> None:
        """Let a caching planner encode the reply just sent, before the seeker answers.

        Optional capability (the hierarchical planner has it): the next plan then encodes only
        the seeker's new message. The reply has been delivered by now; a failure here costs the
        cache, never the turn.
        """
        remember = getattr(self.planner, "remember", None)
        if remember is None:
            return
        try:
            remember(conversation.snapshot()[-1:])
        except EscEdgeError as exc:
            log.warning("the planner could not pre-encode the reply: %s", exc)

    def _reply_chunks(
        self,
        prompt: list[int],
        strategy: str | None,
        spec: TurnSpec,
        turns: Sequence[Turn],
        cancel: CancelToken,
        stats: GenerationStats,
    ) -> Iterator[str]:
        options = self._decode_options(strategy)
        if self.chooser.sample_temperature is not None:
            options = replace(options, temperature=self.chooser.sample_temperature)
        if self.settings.candidates <= 1 or options.temperature <= 0:
            # Greedy decoding would draw the same reply every time: one is enough.
            options = self._decode_options(strategy)
            return self.generator.stream(prompt, options, self.constraints.processor(spec), cancel, stats)
        return self._best_of(prompt, options, spec, turns, cancel, stats)

    def _best_of(
        self,
        prompt: list[int],
        options: DecodeOptions,
        spec: TurnSpec,
        turns: Sequence[Turn],
        cancel: CancelToken,
        stats: GenerationStats,
    ) -> Iterator[str]:
        """Draw ``settings.candidates`` replies, yield the one the chooser picks, whole.

        The chooser decides whether the first candidate is the greedy reply and whether the
        backend reports log-probabilities. Nothing streams before every candidate is drawn, so
        the first chunk arrives with the whole reply. A cancel stops the drawing; the best of what
        was drawn is kept.
        """
        chooser = self.chooser
        raw: list[str] = []
        candidates: list[Candidate] = []
        runs: list[GenerationStats] = []
        for k in range(self.settings.candidates):
            if cancel.cancelled:
                break
            greedy = k == 0 and chooser.include_greedy
            draw = replace(
                options,
                seed=None if options.seed is None else options.seed + k,
                temperature=0.0 if greedy else options.temperature,
                logprobs=chooser.needs_logprobs,
            )
            run = GenerationStats()
            text = "".join(self.generator.stream(prompt, draw, self.constraints.processor(spec), cancel, run))
            raw.append(text)
            candidates.append(
                Candidate(self.constraints.finalize(text, spec), greedy, run.logprob, run.logprob_tokens)
            )
            runs.append(run)
        if not runs:
            stats.finish_reason = "cancelled"
            return
        pick = chooser.choose(candidates, turns)
        stats.prompt_tokens = runs[0].prompt_tokens
        stats.reused_tokens = runs[0].reused_tokens
        stats.completion_tokens = sum(run.completion_tokens for run in runs)
        stats.finish_reason = "cancelled" if cancel.cancelled else runs[pick].finish_reason
        yield raw[pick]

    def _choose(self, draft: Conversation, override: str | None, careful: bool) -> Plan:
        fixed = override or (strategies.canonical(self.settings.strategy) if self.settings.strategy else None)
        if fixed:
            return Plan(strategy=fixed, overridden=True)
        plan = self.planner.plan(draft)
        if careful and plan.strategy and plan.strategy not in CAREFUL_STRATEGIES:
            best = max(CAREFUL_STRATEGIES, key=lambda name: plan.probs.get(name, 0.0))
            return Plan(
                strategy=best,
                probs=plan.probs,
                emotion=plan.emotion,
                emotion_probs=plan.emotion_probs,
                outlook=plan.outlook,
            )
        return plan

    @staticmethod
    def _commit(
        conversation: Conversation, seeker: str, reply: str, strategy: str | None, cancelled: bool
    ) -> None:
        conversation.add_seeker(seeker)
        if reply:
            conversation.add_supporter(reply, strategy=strategy)
        if conversation.careful_turns_left > 0:
            conversation.careful_turns_left -= 1
        if cancelled:
            log.info("reply cancelled after %d characters", len(reply))


def _situation_text(situation: str | None) -> str | None:
    """Normalised (template markers and role headers defused, one line) and cut at a word."""
    if not situation:
        return None
    text = " ".join(normalise(situation).split())
    if len(text) > SITUATION_MAX_CHARS:
        text = text[:SITUATION_MAX_CHARS].rsplit(" ", 1)[0]
    return text or None


__all__ = ["CancelToken", "CancelledError", "EscEdgeError", "Reply", "ReplyStream", "Supporter", "Timings"]
