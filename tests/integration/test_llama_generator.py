"""The llama-cpp-python backend on the real default GGUF."""

import threading
from pathlib import Path

import pytest

from esc_edge.conversation import Turn
from esc_edge.errors import ModelCorruptError, ModelLoadError, ModelNotFoundError
from esc_edge.generation.base import CancelToken, DecodeOptions, GenerationStats, GeneratorOptions
from esc_edge.generation.llama import LlamaGenerator
from esc_edge.generation.prompt import render

pytestmark = pytest.mark.integration
GREEDY = DecodeOptions(temperature=0.0, max_tokens=24)


@pytest.fixture(scope="module")
def generator(base_gguf: Path):  # type: ignore[no-untyped-def]
    gen = LlamaGenerator(GeneratorOptions(model_path=base_gguf, n_ctx=1024))
    yield gen
    gen.close()


def _prompt(generator: LlamaGenerator, turns: list[Turn]) -> list[int]:
    return render(turns, None, generator.tokenize, 900).tokens(generator.tokenize)


def test_vocabulary_knows_the_chat_template(generator: LlamaGenerator) -> None:
    vocab = generator.vocabulary
    assert vocab.size == 49152 and vocab.eos_id == 2 and {0, 1, 2} <= vocab.control_ids
    assert generator.tokenize("<|im_start|>", True) == [1]
    assert 1 not in generator.tokenize("<|im_start|>", False)


def test_streams_a_reply_and_reuses_the_kv_cache(generator: LlamaGenerator) -> None:
    turns = [Turn("seeker", "I lost my job today and I feel lost.")]
    first = GenerationStats()
    reply = "".join(generator.stream(_prompt(generator, turns), GREEDY, None, CancelToken(), first))
    assert reply.strip() and first.completion_tokens > 0 and first.ttft_ms > 0
    turns += [Turn("supporter", reply), Turn("seeker", "My manager called me into a meeting.")]
    second = GenerationStats()
    "".join(generator.stream(_prompt(generator, turns), GREEDY, None, CancelToken(), second))
    assert second.reused_tokens >= first.prompt_tokens  # the whole first prompt came from the cache


def test_cancel_stops_within_a_token(generator: LlamaGenerator) -> None:
    cancel, stats = CancelToken(), GenerationStats()
    options = DecodeOptions(temperature=0.0, max_tokens=200)
    chunks, at_cancel = [], 0
    for chunk in generator.stream(_prompt(generator, [Turn("seeker", "Tell me a long story.")]), options,
                                  None, cancel, stats):  # fmt: skip
        chunks.append(chunk)
        if len(chunks) == 3:
            # A chunk may hold several tokens (flushed on a timer), and the worker runs ahead of
            # a slow reader; what must hold is that at most the token in flight follows (plus
            # one the worker may count between this read and the cancel).
            at_cancel = stats.completion_tokens
            cancel.cancel()
    assert stats.finish_reason == "cancelled" and 0 < at_cancel < options.max_tokens
    assert stats.completion_tokens <= at_cancel + 2


def test_threads_are_served_one_at_a_time(generator: LlamaGenerator) -> None:
    results: dict[int, str] = {}

    def ask(i: int) -> None:
        prompt = _prompt(generator, [Turn("seeker", f"Say something kind number {i}.")])
        results[i] = "".join(generator.stream(prompt, GREEDY, None, CancelToken()))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == [0, 1, 2, 3] and all(results.values())


def test_missing_truncated_and_foreign_files(tmp_path: Path, base_gguf: Path) -> None:
    with pytest.raises(ModelNotFoundError):
        LlamaGenerator(GeneratorOptions(model_path=tmp_path / "absent.gguf"))
    foreign = tmp_path / "foreign.gguf"
    foreign.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ModelCorruptError, match="not a GGUF file"):
        LlamaGenerator(GeneratorOptions(model_path=foreign))
    truncated = tmp_path / "truncated.gguf"
    with base_gguf.open("rb") as src:
        truncated.write_bytes(src.read(5_000_000))
    with pytest.raises(ModelLoadError, match="could not load"):
        LlamaGenerator(GeneratorOptions(model_path=truncated))
