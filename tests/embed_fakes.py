"""Test doubles for the embedding layer (async API, server, examples).

``EchoGenerator`` answers with the markers it finds in its prompt, so a test can prove that a reply
was written from its own conversation and nobody else's. ``GatedGenerator`` holds every reply until
the test opens the gate, so a test can catch a turn in flight without timing guesses.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from esc_edge.config import Settings
from esc_edge.generation.base import (
    CancelToken,
    DecodeOptions,
    GenerationStats,
    GeneratorOptions,
    LogitsProcessor,
    NoConstraints,
)
from esc_edge.runtime import select_runtime
from esc_edge.supporter import Supporter
from tests.fakes import BYTE_OFFSET, FakeGenerator, FakePlanner, FakeSafety

MARKER = re.compile(r"\bc\d+-t\d+\b")


def prompt_text(prompt: Sequence[int]) -> str:
    return bytes(t - BYTE_OFFSET for t in prompt if t >= BYTE_OFFSET).decode("utf-8", errors="replace")


@dataclass
class EchoGenerator(FakeGenerator):
    """Replies ``ack <marker> <marker> ...``: every distinct ``c<client>-t<turn>`` marker in the prompt."""

    delay_s: float = 0.001

    @classmethod
    def from_options(cls, options: GeneratorOptions) -> EchoGenerator:
        return cls()

    def stream(
        self,
        prompt_tokens: Sequence[int],
        options: DecodeOptions,
        processor: LogitsProcessor | None,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        markers = list(dict.fromkeys(MARKER.findall(prompt_text(prompt_tokens))))
        scripted = FakeGenerator(reply=" ".join(["ack", *markers]), delay_s=self.delay_s, _busy=self._busy)
        scripted.prompts = self.prompts
        return scripted.stream(prompt_tokens, options, processor, cancel, stats)


@dataclass
class GatedGenerator(FakeGenerator):
    """Streams its reply only while ``gate`` is open (after ``free_words`` words); ``started`` is set
    when a reply begins."""

    reply: str = "one two three four five six seven eight"
    free_words: int = 0
    gate: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)
    finish_reasons: list[str] = field(default_factory=list)

    def stream(
        self,
        prompt_tokens: Sequence[int],
        options: DecodeOptions,
        processor: LogitsProcessor | None,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        stats = stats if stats is not None else GenerationStats()
        return self._gated(list(prompt_tokens), cancel, stats)

    def _gated(self, prompt: list[int], cancel: CancelToken, stats: GenerationStats) -> Iterator[str]:
        with self._busy:
            self.prompts.append(prompt)
            self.started.set()
            stats.finish_reason = "stop"
            try:
                for i, word in enumerate(self.reply.split(" ")):
                    while i >= self.free_words and not self.gate.wait(0.005):
                        if cancel.cancelled:
                            break
                    if cancel.cancelled:
                        stats.finish_reason = "cancelled"
                        return
                    stats.completion_tokens += 1
                    yield word if i == 0 else " " + word
            finally:
                self.finish_reasons.append(stats.finish_reason)


def fake_supporter(generator: FakeGenerator | None = None, **settings: object) -> Supporter:
    return Supporter(
        Settings(planner="none", safety="none", **settings),  # type: ignore[arg-type]
        safety=FakeSafety(),
        planner=FakePlanner(),
        generator=generator if generator is not None else EchoGenerator(),
        constraints=NoConstraints(),
        runtime=select_runtime("cpu"),
    )


def wait_for(condition: object, timeout_s: float = 5.0) -> bool:
    """Poll ``condition()`` until true; for waiting on other threads without fixed sleeps."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.002)
    return False
