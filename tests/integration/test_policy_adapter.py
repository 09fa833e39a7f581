"""The shipped ESC policy adapter on the real Q4_1 base GGUF (llama-cpp-python)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esc_edge.conversation import Turn
from esc_edge.eval.generation import _llama_nll, evenly_spaced_cases
from esc_edge.generation.base import CancelToken, DecodeOptions, GeneratorOptions
from esc_edge.generation.llama import LlamaGenerator
from esc_edge.generation.prompt import IM_END, Piece, render, reply_target, tokenize_pieces

pytestmark = pytest.mark.integration
ADAPTER_DIR = Path(__file__).resolve().parents[2] / "esc_edge" / "models" / "adapters"
ADAPTER = ADAPTER_DIR / "esc-smollm2-135m-lora.gguf"
GREEDY = DecodeOptions(temperature=0.0, max_tokens=32)
BUDGET = 320  # the prompt budget the adapter was trained with


def _adapter() -> Path:
    if not ADAPTER.is_file():
        pytest.fail(f"the shipped adapter {ADAPTER.name} is missing from the package")
    return ADAPTER


@pytest.fixture(scope="module")
def base(base_gguf: Path):  # type: ignore[no-untyped-def]
    gen = LlamaGenerator(GeneratorOptions(model_path=base_gguf, n_ctx=1024))
    yield gen
    gen.close()


@pytest.fixture(scope="module")
def tuned(base_gguf: Path):  # type: ignore[no-untyped-def]
    gen = LlamaGenerator(GeneratorOptions(model_path=base_gguf, lora_path=_adapter(), n_ctx=1024))
    yield gen
    gen.close()


def _greedy(gen: LlamaGenerator, turns: list[Turn], strategy: str) -> str:
    prompt = render(turns, strategy, gen.tokenize, BUDGET).tokens(gen.tokenize)
    return "".join(gen.stream(prompt, GREEDY, None, CancelToken())).strip()


def test_adapter_loads_and_changes_the_reply(base: LlamaGenerator, tuned: LlamaGenerator) -> None:
    turns = [Turn("seeker", "I lost my job last week and I can't stop worrying about rent.")]
    tuned_reply = _greedy(tuned, turns, "Question")
    assert tuned_reply and tuned_reply != _greedy(base, turns, "Question")
    # Trained on human supporters' replies (about 20 words), not the base model's long answers.
    assert len(tuned_reply.split()) <= 45


def test_adapter_fits_human_replies_better_than_the_base(
    base: LlamaGenerator, tuned: LlamaGenerator, data_dir: Path
) -> None:
    with (data_dir / "valid.jsonl").open(encoding="utf-8") as fh:
        cases = evenly_spaced_cases((json.loads(line) for line in fh), 12)

    def mean_nll(gen: LlamaGenerator) -> float:
        total, count = 0.0, 0
        for case in cases:
            prompt = render(case.context, case.strategy, gen.tokenize, BUDGET).tokens(gen.tokenize)
            pieces = [Piece(reply_target(case.reference_turn, case.strategy)), Piece(IM_END, True)]
            target = tokenize_pieces(pieces, gen.tokenize)
            total += gen.call(lambda llm, p=prompt, t=target: _llama_nll(llm, p, t))
            count += len(target)
        return total / count

    base_nll, tuned_nll = mean_nll(base), mean_nll(tuned)
    # Measured on 200 valid turns: the tuned NLL is several tenths of a nat lower.
    assert tuned_nll < base_nll - 0.1, (base_nll, tuned_nll)


def test_model_card_pins_the_shipped_file() -> None:
    import hashlib

    card = (ADAPTER_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(_adapter().read_bytes()).hexdigest()
    assert digest in card, "MODEL_CARD.md must state the sha256 of the shipped adapter"


def test_registry_policy_is_the_base_plus_the_shipped_adapter(base_gguf: Path, tmp_path: Path) -> None:
    from esc_edge.config import Settings
    from esc_edge.eval.generation import PassThroughSafety
    from esc_edge.models.store import ModelStore
    from esc_edge.supporter import Supporter

    store = ModelStore()
    assert store.parts("esc-smollm2-135m") == ["smollm2-135m-instruct", "esc-smollm2-135m-lora"]
    # path() checks size and sha256 against the registry: a changed adapter file fails here.
    assert store.path("esc-smollm2-135m-lora") == _adapter()
    settings = Settings(policy="esc-smollm2-135m", planner="none", n_ctx=448, seed=0)
    with Supporter(settings, safety=PassThroughSafety()) as supporter:
        assert supporter.generator.options.lora_path == _adapter()
        reply = supporter.reply("My best friend moved away and I feel so alone.", strategy="Question")
    assert reply.strategy == "Question" and reply.text.count("?") == 1
