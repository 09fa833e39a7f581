"""The learned chooser on the real policy: log-probabilities from llama.cpp and a whole turn."""

from __future__ import annotations

from pathlib import Path

import pytest

from esc_edge.conversation import Turn
from esc_edge.generation.base import CancelToken, DecodeOptions, GenerationStats, GeneratorOptions
from esc_edge.generation.llama import LlamaGenerator
from esc_edge.generation.prompt import render

pytestmark = pytest.mark.integration
ADAPTER = (
    Path(__file__).resolve().parents[2] / "esc_edge" / "models" / "adapters" / "esc-smollm2-135m-lora.gguf"
)


@pytest.fixture(scope="module")
def tuned(base_gguf: Path):  # type: ignore[no-untyped-def]
    gen = LlamaGenerator(GeneratorOptions(model_path=base_gguf, lora_path=ADAPTER, n_ctx=512))
    yield gen
    gen.close()


def test_logprobs_are_reported_and_change_nothing(tuned: LlamaGenerator) -> None:
    turns = [Turn("seeker", "I lost my job last week and I can't stop worrying about rent.")]
    prompt = render(turns, "Question", tuned.tokenize, 384).tokens(tuned.tokenize)
    plain, scored = GenerationStats(), GenerationStats()
    greedy = DecodeOptions(temperature=0.0, max_tokens=40)
    text = "".join(tuned.stream(prompt, greedy, None, CancelToken(), plain))
    again = "".join(tuned.stream(prompt, DecodeOptions(temperature=0.0, max_tokens=40, logprobs=True), None,
                                 CancelToken(), scored))  # fmt: skip
    assert again == text and plain.logprob is None
    assert scored.logprob is not None and scored.logprob < 0
    ended = 1 if scored.finish_reason == "stop" else 0
    assert scored.logprob_tokens == scored.completion_tokens + ended
    # The greedy reply of a tuned model is likely under it: well above a uniform guess per token.
    assert scored.logprob / scored.logprob_tokens > -4.0


def test_supporter_with_the_learned_chooser(base_gguf: Path) -> None:
    from esc_edge.config import Settings
    from esc_edge.eval.generation import PassThroughSafety
    from esc_edge.supporter import Supporter

    settings = Settings(
        policy="esc-smollm2-135m", planner="none", n_ctx=448, seed=0, candidates=3, chooser="learned"
    )
    with Supporter(settings, safety=PassThroughSafety()) as supporter:
        stream = supporter.stream("My best friend moved away and I feel so alone.", strategy="Question")
        chunks = list(stream)
        reply = stream.result()
    assert len(chunks) == 1 and chunks[0].strip() == reply.text  # the chosen reply arrives whole
    assert reply.strategy == "Question" and reply.text.count("?") == 1
    assert 5 <= len(reply.text.split()) <= settings.word_budget
    assert reply.timings.tokens > len(reply.text.split())  # three candidates were drawn
