"""The constraint layer steering the real default GGUF on ESConv valid contexts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from esc_edge.config import Settings
from esc_edge.conversation import Turn
from esc_edge.generation.base import CancelToken, GenerationStats, GeneratorOptions, TurnSpec
from esc_edge.generation.constraints import ReplyConstraints, build_constraints, decode_options
from esc_edge.generation.llama import LlamaGenerator
from esc_edge.generation.prompt import render

pytestmark = pytest.mark.integration

N_CONTEXTS = 20
SETTINGS = Settings(seed=0)
ROLE_BREAK = re.compile(r"(^|\s)(seeker|user|supporter|assistant|human|system)\s*:", re.IGNORECASE)
LEAK = re.compile(r"<\||\|>|im_start|im_end|endoftext|\[|\]|\*\*|#|@|https?:|www\.")


def valid_contexts(data_dir: Path) -> list[tuple[list[Turn], str]]:
    """Evenly spaced supporter turns right after a seeker turn, with their gold history."""
    cases = []
    with (data_dir / "valid.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            turns = json.loads(line)["turns"]
            for i in range(1, len(turns)):
                if turns[i]["speaker"] == "supporter" and turns[i - 1]["speaker"] == "seeker":
                    history = [Turn(t["speaker"], t["text"], t.get("strategy")) for t in turns[:i]]
                    cases.append((history, turns[i]["strategy"]))
    step = max(1, len(cases) // N_CONTEXTS)
    return cases[::step][:N_CONTEXTS]


@pytest.fixture(scope="module")
def generator(base_gguf: Path) -> Iterator[LlamaGenerator]:
    gen = LlamaGenerator(GeneratorOptions(model_path=base_gguf, n_ctx=2048))
    yield gen
    gen.close()


@pytest.fixture(scope="module")
def layer(generator: LlamaGenerator) -> ReplyConstraints:
    return build_constraints(generator.vocabulary, SETTINGS)


def test_replies_keep_every_hard_rule(
    generator: LlamaGenerator, layer: ReplyConstraints, data_dir: Path
) -> None:
    contexts = valid_contexts(data_dir)
    assert len(contexts) == N_CONTEXTS
    for history, strategy in contexts:
        prompt = render(history, strategy, generator.tokenize, 1900).tokens(generator.tokenize)
        spec = TurnSpec(
            strategy=strategy,
            prompt_length=len(prompt),
            earlier_replies=tuple(t.text for t in history if t.speaker == "supporter"),
            seeker_text=" ".join(t.text for t in history if t.speaker == "seeker"),
            word_budget=SETTINGS.word_budget,
            min_words=SETTINGS.min_words,
        )
        stats = GenerationStats()
        options = decode_options(SETTINGS, strategy)
        raw = "".join(generator.stream(prompt, options, layer.processor(spec), CancelToken(), stats))
        reply = layer.finalize(raw, spec)
        context = f"{strategy}: {raw!r}"
        assert stats.finish_reason == "stop", context  # the processor ended it, not max_tokens
        assert reply == " ".join(raw.split()), context  # nothing left for the clean-up to fix
        assert SETTINGS.min_words <= len(reply.split()) <= SETTINGS.word_budget, context
        assert reply.count("?") <= layer.config.for_strategy(strategy).max_questions, context
        assert not ROLE_BREAK.search(reply) and not LEAK.search(reply), context
        assert "\n" not in raw and "  " not in raw, context
        assert re.search(r"[.!?][\"'”’)]*$", reply), context
