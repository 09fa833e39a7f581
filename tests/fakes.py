"""Test doubles for the engine's interfaces: small, deterministic, and strict about misuse."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from esc_edge.conversation import Conversation
from esc_edge.errors import GenerationError
from esc_edge.generation.base import (
    CancelToken,
    DecodeOptions,
    GenerationStats,
    GeneratorOptions,
    LogitsProcessor,
    Vocabulary,
)
from esc_edge.generation.prompt import IM_END, IM_START
from esc_edge.planner.base import Plan
from esc_edge.safety.base import INJECTION, Assessment

CONTROL = {"<|endoftext|>": 0, IM_START: 1, IM_END: 2}
BYTE_OFFSET = 16


def fake_tokenize(text: str, special: bool) -> list[int]:
    """One token per UTF-8 byte; template markers become control ids only when ``special``."""
    ids: list[int] = []
    rest = text
    while rest:
        if special:
            marker = next((m for m in CONTROL if rest.startswith(m)), None)
            if marker is not None:
                ids.append(CONTROL[marker])
                rest = rest[len(marker) :]
                continue
        ids.extend(b + BYTE_OFFSET for b in rest[0].encode("utf-8"))
        rest = rest[1:]
    return ids


def fake_vocabulary() -> Vocabulary:
    pieces = tuple([b""] * BYTE_OFFSET + [bytes([b]) for b in range(256)])
    return Vocabulary(pieces=pieces, control_ids=frozenset(range(BYTE_OFFSET)), eos_id=2)


@dataclass
class FakeGenerator:
    """Streams a scripted reply word by word and records every prompt.

    Like the real backend it serves one request at a time (others wait), and it records the
    highest concurrency it saw so tests can prove that.
    """

    reply: str = "That sounds really hard. What happened at work today?"
    delay_s: float = 0.0
    fail: bool = False
    n_ctx: int = 2048
    prompts: list[list[int]] = field(default_factory=list)
    closed: bool = False
    _busy: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_options(cls, options: GeneratorOptions) -> FakeGenerator:
        return cls()

    @property
    def vocabulary(self) -> Vocabulary:
        return fake_vocabulary()

    def tokenize(self, text: str, special: bool) -> list[int]:
        return fake_tokenize(text, special)

    def stream(
        self,
        prompt_tokens: Sequence[int],
        options: DecodeOptions,
        processor: LogitsProcessor | None,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        stats = stats if stats is not None else GenerationStats()
        return self._run(list(prompt_tokens), cancel, stats)

    def _run(self, prompt: list[int], cancel: CancelToken, stats: GenerationStats) -> Iterator[str]:
        with self._busy:
            self.prompts.append(prompt)
            stats.prompt_tokens = len(prompt)
            stats.finish_reason = "stop"
            for i, word in enumerate(self.reply.split(" ")):
                if cancel.cancelled:
                    stats.finish_reason = "cancelled"
                    return
                if self.fail and i == 2:
                    raise GenerationError("fake backend failure")
                if self.delay_s:
                    time.sleep(self.delay_s)
                stats.completion_tokens += 1
                yield word if i == 0 else " " + word

    def close(self) -> None:
        self.closed = True


@dataclass
class FakePlanner:
    strategy: str | None = "Question"
    calls: int = 0

    def plan(self, conversation: Conversation) -> Plan:
        self.calls += 1
        probs = {"Question": 0.1, "Providing Suggestions": 0.5, "Reflection of feelings": 0.3}
        return Plan(strategy=self.strategy, probs=probs, emotion="sadness")


@dataclass
class FakeSafety:
    """Flags messages containing ``trigger``; careful mode also flags ``careful_trigger``."""

    trigger: str = "DANGER"
    careful_trigger: str = "pills"
    injection_trigger: str = "IGNORE INSTRUCTIONS"
    raise_error: bool = False
    seen: list[tuple[str, bool]] = field(default_factory=list)

    def assess(self, conversation: Conversation, text: str, *, careful: bool = False) -> Assessment:
        self.seen.append((text, careful))
        if self.raise_error:
            raise RuntimeError("detector broke")
        if self.trigger in text or (careful and self.careful_trigger in text):
            return Assessment(crisis=True, category="suicide", score=0.99)
        if self.injection_trigger in text:
            return Assessment(crisis=False, score=0.01, reason=INJECTION)
        return Assessment(crisis=False, score=0.01)

    def reply(self, assessment: Assessment, locale: str) -> str:
        if assessment.reason == INJECTION:
            return "ON-TASK MESSAGE"
        return f"SAFETY MESSAGE ({locale})"
