"""The llama-cpp-python backend.

One ``Llama`` object is not thread-safe, so exactly one worker thread owns it: it is created, used
and freed there, and every other thread talks to it through a bounded job queue. Generation streams
token text back through a per-request queue, which also makes cancellation a flag checked between
tokens.
"""

from __future__ import annotations

import codecs
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from esc_edge.errors import (
    BackendUnavailableError,
    BusyError,
    GenerationError,
    ModelCorruptError,
    ModelLoadError,
    ModelNotFoundError,
)
from esc_edge.generation.base import (
    CancelToken,
    DecodeOptions,
    GenerationStats,
    GeneratorOptions,
    Logits,
    LogitsProcessor,
    TokenIds,
    Vocabulary,
    generators,
)

log = logging.getLogger("esc_edge.generation")

T = TypeVar("T")
GGUF_MAGIC = b"GGUF"
# llama.cpp token attribute bit for control tokens (LLAMA_TOKEN_ATTR_CONTROL).
_ATTR_CONTROL = 1 << 3
_DONE = object()
# Text is handed to the consuming thread at most this often (the first chunk at once): every
# hand-off wakes a thread, which on a busy 2-core machine measurably slows decoding.
FLUSH_INTERVAL_S = 0.025


def check_gguf(path: Path, what: str = "model") -> None:
    """Fail early, with a clear message, on a missing file or one that is not GGUF at all."""
    if not path.is_file():
        raise ModelNotFoundError(
            f"{what} file not found: {path}", hint="run `esc-edge pull` or pass an existing GGUF file"
        )
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise ModelCorruptError(
            f"{path} is not a GGUF file",
            hint="pass a .gguf model, or run `esc-edge pull --force` to replace a damaged download",
        )


def _import_llama_cpp() -> Any:
    # OpenMP reads its wait policy once, when the library loads: with the default (active
    # spinning) a second thread slows this tiny model ~3x whenever another process wants a core.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import llama_cpp
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise BackendUnavailableError(
            "llama-cpp-python is not installed", hint="pip install llama-cpp-python==0.3.36"
        ) from exc
    return llama_cpp


def _build_vocabulary(llm: Any) -> Vocabulary:
    model = llm._model
    n_vocab = llm.n_vocab()
    pieces = []
    control = set()
    for token in range(n_vocab):
        attr = model.token_get_attr(token)
        if attr & _ATTR_CONTROL:
            control.add(token)
            pieces.append(b"")
        else:
            pieces.append(model.token_to_piece(token, False).rstrip(b"\0"))
    # The GGUF's EOS is the template's end of turn (<|im_end|> for ChatML models).
    return Vocabulary(pieces=tuple(pieces), control_ids=frozenset(control), eos_id=llm.token_eos())


class _LogprobRecorder:
    """Wraps the constraint processor: keeps each step's raw logits to score the token drawn.

    The custom sampler runs first in llama.cpp's chain, so ``scores`` are the model's own logits,
    before constraints, temperature or truncation.
    """

    def __init__(self, inner: LogitsProcessor | None) -> None:
        self.inner = inner
        self._last: npt.NDArray[np.float32] | None = None
        self._lse = 0.0

    def __call__(self, input_ids: TokenIds, scores: Logits) -> Logits:
        self._last = np.array(scores, dtype=np.float32)
        top = float(self._last.max())
        self._lse = top + float(np.log(np.exp(self._last - top).sum()))
        return self.inner(input_ids, scores) if self.inner is not None else scores

    def logprob(self, token: int) -> float:
        return float(self._last[token]) - self._lse if self._last is not None else 0.0


class _Request:
    def __init__(self) -> None:
        self.out: queue.SimpleQueue[object] = queue.SimpleQueue()


class LlamaGenerator:
    """A GGUF policy served by llama-cpp-python from a single owner thread."""

    def __init__(self, options: GeneratorOptions) -> None:
        check_gguf(options.model_path)
        if options.lora_path is not None:
            check_gguf(options.lora_path, what="adapter")
        self.options = options
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(options.queue_size)
        self._llm: Any = None
        self._vocab: Vocabulary | None = None
        self._closed = False
        ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="esc-edge-llama", daemon=True)
        self._thread.start()
        ready.result()

    # -- worker thread -----------------------------------------------------------------------------
    def _run(self, ready: Future[None]) -> None:
        try:
            self._llm = self._load()
            self._vocab = _build_vocabulary(self._llm)
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        while True:
            job = self._jobs.get()
            if job is None:
                break
            job()
        self._llm.close() if hasattr(self._llm, "close") else None
        self._llm = None

    def _load(self) -> Any:
        llama_cpp = _import_llama_cpp()
        opts = self.options
        try:
            return llama_cpp.Llama(
                model_path=str(opts.model_path),
                lora_path=str(opts.lora_path) if opts.lora_path else None,
                n_ctx=opts.n_ctx,
                n_batch=opts.n_batch,
                n_threads=opts.n_threads,
                n_threads_batch=opts.n_threads_batch,
                n_gpu_layers=opts.n_gpu_layers,
                seed=opts.seed,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadError(
                f"llama.cpp could not load {opts.model_path.name}: {exc}",
                hint="the file may be truncated or corrupt; run `esc-edge pull --force`",
            ) from None

    def _submit(self, job: Callable[[], None]) -> None:
        if self._closed:
            raise GenerationError("the generator is closed", hint="create a new Supporter")
        try:
            self._jobs.put(job, timeout=self.options.queue_timeout_s)
        except queue.Full:
            raise BusyError(
                "the model is busy: too many requests are waiting", hint="retry in a moment"
            ) from None

    def call(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(llama)`` on the owner thread and return its result."""
        done: Future[T] = Future()

        def job() -> None:
            try:
                done.set_result(fn(self._llm))
            except BaseException as exc:
                done.set_exception(exc)

        self._submit(job)
        return done.result()

    # -- Generator protocol --------------------------------------------------------------------------
    @property
    def n_ctx(self) -> int:
        return self.options.n_ctx

    @property
    def vocabulary(self) -> Vocabulary:
        assert self._vocab is not None
        return self._vocab

    def tokenize(self, text: str, special: bool) -> list[int]:
        data = text.encode("utf-8")
        return self.call(lambda llm: llm.tokenize(data, add_bos=False, special=special))

    def reset(self) -> None:
        """Forget the KV cache (benchmarks call this between repeats)."""
        self.call(lambda llm: llm.reset())

    def stream(
        self,
        prompt_tokens: Sequence[int],
        options: DecodeOptions,
        processor: LogitsProcessor | None,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        if len(prompt_tokens) + 1 > self.n_ctx:
            raise GenerationError(
                f"the prompt ({len(prompt_tokens)} tokens) does not fit the context ({self.n_ctx})",
                hint="raise n_ctx or shorten the history",
            )
        stats = stats if stats is not None else GenerationStats()
        request = _Request()
        tokens = list(prompt_tokens)
        started = time.perf_counter()
        self._submit(lambda: self._generate(tokens, options, processor, cancel, stats, request))
        return self._drain(request, cancel, stats, started)

    def _drain(
        self, request: _Request, cancel: CancelToken, stats: GenerationStats, started: float
    ) -> Iterator[str]:
        first = True
        try:
            while True:
                item = request.out.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                if first:
                    stats.ttft_ms = (time.perf_counter() - started) * 1000
                    first = False
                assert isinstance(item, str)
                yield item
        finally:
            # A consumer that stops early (break, exception, garbage) must free the worker.
            cancel.cancel() if not stats.finish_reason else None
            stats.total_ms = (time.perf_counter() - started) * 1000

    def _generate(
        self,
        tokens: list[int],
        options: DecodeOptions,
        processor: LogitsProcessor | None,
        cancel: CancelToken,
        stats: GenerationStats,
        request: _Request,
    ) -> None:
        llm = self._llm
        vocab = self.vocabulary
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        stats.prompt_tokens = len(tokens)
        stats.reused_tokens = _common_prefix(llm._input_ids[: llm.n_tokens], tokens)
        finish = "length"
        pending: list[str] = []
        last_flush = 0.0

        def flush() -> None:
            nonlocal last_flush
            if pending:
                request.out.put("".join(pending))
                pending.clear()
            last_flush = time.perf_counter()

        try:
            if options.seed is not None:
                llm.set_seed(options.seed)
            recorder = _LogprobRecorder(processor) if options.logprobs else None
            if recorder is not None:
                processor = recorder
                stats.logprob = 0.0
            generator = llm.generate(
                tokens,
                top_k=options.top_k,
                top_p=options.top_p,
                min_p=options.min_p,
                temp=options.temperature,
                repeat_penalty=options.repeat_penalty,
                logits_processor=[processor] if processor is not None else None,
            )
            for produced, token in enumerate(generator, start=1):
                if cancel.cancelled:
                    finish = "cancelled"
                    break
                if recorder is not None:
                    stats.logprob = (stats.logprob or 0.0) + recorder.logprob(token)
                    stats.logprob_tokens += 1
                if token == vocab.eos_id or token in vocab.control_ids:
                    finish = "stop"
                    break
                stats.completion_tokens = produced
                text = decoder.decode(vocab.pieces[token])
                if text:
                    pending.append(text)
                    if not last_flush or time.perf_counter() - last_flush >= FLUSH_INTERVAL_S:
                        flush()
                if produced >= options.max_tokens:
                    break
            pending.append(decoder.decode(b"", final=True))
            flush()
        except Exception as exc:  # llama.cpp errors must reach the caller, not kill the worker
            log.exception("generation failed")
            request.out.put(GenerationError(f"generation failed: {exc}"))
        finally:
            stats.finish_reason = "cancelled" if cancel.cancelled else finish
            request.out.put(_DONE)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def __enter__(self) -> LlamaGenerator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


generators.add("llama", LlamaGenerator)
