"""Reading a llama.cpp LoRA GGUF back into PEFT layout (no torch needed for the permutation)."""

from __future__ import annotations

import numpy as np

from export.policy.adapter_from_gguf import unpermute


def llama_cpp_permute(rows: np.ndarray, n_head: int) -> np.ndarray:
    """The row order llama.cpp's HF converter gives q and k (rotary halves interleaved)."""
    shape = rows.shape
    return rows.reshape(n_head, 2, shape[0] // n_head // 2, *shape[1:]).swapaxes(1, 2).reshape(shape)


def test_unpermute_undoes_llama_cpp_row_order_for_q_and_k_shapes() -> None:
    rng = np.random.default_rng(0)
    for n_head, rows in ((9, 576), (3, 192)):  # SmolLM2-135M: q 9 heads, k 3 kv heads, head dim 64
        lora_b = rng.normal(size=(rows, 16)).astype(np.float32)
        permuted = llama_cpp_permute(lora_b, n_head)
        assert not np.array_equal(permuted, lora_b)
        assert np.array_equal(unpermute(permuted, n_head), lora_b)
