"""The generator interface, kept apart from any model backend.

A backend turns prompt tokens into streamed text. Everything that steers *what* is written (length,
questions, role breaks, formulas) is a :class:`LogitsProcessor` built by the constraint layer from the
backend's :class:`Vocabulary`, so constraints never depend on a particular backend.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from esc_edge._registry import Registry

Logits = npt.NDArray[np.float32]
TokenIds = npt.NDArray[np.intc]


class LogitsProcessor(Protocol):
    """Called once per generated token with the ids so far (prompt + reply) and the next-token logits."""

    def __call__(self, input_ids: TokenIds, scores: Logits) -> Logits: ...


@dataclass(frozen=True)
class Vocabulary:
    """What the constraint layer needs to know about a backend's tokens, precomputed once at load."""

    pieces: tuple[bytes, ...]  # token id -> the bytes it decodes to (b"" for control tokens)
    control_ids: frozenset[int]  # template/special tokens: never inside a reply
    eos_id: int  # ends the reply (ChatML's <|im_end|>)

    @property
    def size(self) -> int:
        return len(self.pieces)


@dataclass(frozen=True)
class GeneratorOptions:
    """How to load a policy model; every backend factory takes exactly this."""

    model_path: Path
    lora_path: Path | None = None
    n_ctx: int = 2048
    n_threads: int = 1
    n_threads_batch: int = 1
    n_gpu_layers: int = 0
    n_batch: int = 256
    seed: int = 0
    queue_size: int = 64
    queue_timeout_s: float = 60.0


@dataclass(frozen=True)
class DecodeOptions:
    max_tokens: int = 96
    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    min_p: float = 0.05
    # The backend's own repetition penalty counts the prompt too, so it punishes the seeker's own
    # words; the constraint layer applies its own penalty to the reply only. Keep this at 1.0.
    repeat_penalty: float = 1.0
    seed: int | None = None
    # Ask the backend for the model's log-probability of the reply it writes (GenerationStats.logprob):
    # the unconstrained, temperature-free distribution, end-of-turn token included. Costs one
    # log-sum-exp over the vocabulary per token.
    logprobs: bool = False


class CancelToken:
    """Set from any thread to stop a running generation at the next token."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    reused_tokens: int = 0  # prompt tokens served from the KV cache
    completion_tokens: int = 0
    ttft_ms: float = 0.0
    total_ms: float = 0.0
    finish_reason: str = ""  # "stop" | "length" | "cancelled"
    logprob: float | None = None  # summed over logprob_tokens, when DecodeOptions.logprobs asked
    logprob_tokens: int = 0  # the reply's tokens plus the end-of-turn token when it stopped


class Generator(Protocol):
    """A loaded policy model. Implementations must be safe to call from several threads."""

    @property
    def n_ctx(self) -> int: ...

    @property
    def vocabulary(self) -> Vocabulary: ...

    def tokenize(self, text: str, special: bool) -> list[int]: ...

    def stream(
        self,
        prompt_tokens: Sequence[int],
        options: DecodeOptions,
        processor: LogitsProcessor | None,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        """Yield the reply as text chunks until end of turn, ``max_tokens`` or cancellation."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class TurnSpec:
    """What the constraint layer knows about the reply it steers."""

    strategy: str | None
    prompt_length: int  # reply tokens start after this many ids in ``input_ids``
    earlier_replies: tuple[str, ...] = ()  # the supporter's earlier replies in this conversation
    seeker_text: str = ""  # the seeker's words: never penalised as repetition
    word_budget: int = 30
    min_words: int = 12


class Constraints(Protocol):
    """Steers one reply: a logits processor per turn, and a final clean-up of the text."""

    def processor(self, spec: TurnSpec) -> LogitsProcessor | None: ...

    def finalize(self, text: str, spec: TurnSpec) -> str: ...


class NoConstraints:
    """Decoding as the model likes it (the baseline the constraint layer is measured against)."""

    def processor(self, spec: TurnSpec) -> LogitsProcessor | None:
        return None

    def finalize(self, text: str, spec: TurnSpec) -> str:
        return text.strip()


generators: Registry[Generator] = Registry("generator")
