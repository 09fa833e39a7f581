"""The real `esc-edge` CLI with fake engine parts: ``python -m tests.integration.serve_fakes serve``.

The environment chooses the parts (``ESC_EDGE_GENERATOR=echo|llama``, ``ESC_EDGE_PLANNER=fake``,
``ESC_EDGE_SAFETY=fake``). The echo generator answers with the conversation markers it sees; a
message containing ``SLOW`` gets a long, slow reply, for client-disconnect tests.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from esc_edge.cli import main
from esc_edge.generation.base import (
    CancelToken,
    DecodeOptions,
    GenerationStats,
    GeneratorOptions,
    LogitsProcessor,
    generators,
)
from esc_edge.planner.base import planners
from esc_edge.safety.base import safety_checks
from tests.embed_fakes import EchoGenerator, prompt_text
from tests.fakes import FakeGenerator, FakePlanner, FakeSafety

SLOW_WORDS = 400
SLOW_DELAY_S = 0.025


@dataclass
class ServerEcho(EchoGenerator):
    @classmethod
    def from_options(cls, options: GeneratorOptions) -> ServerEcho:
        return cls()

    def stream(
        self,
        prompt_tokens: Sequence[int],
        options: DecodeOptions,
        processor: LogitsProcessor | None,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        if "SLOW" in prompt_text(prompt_tokens[-200:]):
            slow = FakeGenerator(
                reply=" ".join(["word"] * SLOW_WORDS), delay_s=SLOW_DELAY_S, _busy=self._busy
            )
            return slow.stream(prompt_tokens, options, processor, cancel, stats)
        return super().stream(prompt_tokens, options, processor, cancel, stats)


generators.add("echo", ServerEcho.from_options)
planners.add("fake", FakePlanner)
safety_checks.add("fake", lambda locale: FakeSafety())

if __name__ == "__main__":
    main(sys.argv[1:])
