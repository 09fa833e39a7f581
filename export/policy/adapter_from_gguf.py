"""llama.cpp LoRA GGUF -> PEFT adapter directory, so training can continue from a shipped adapter.

The packaged adapter (``esc_edge/models/adapters/*.gguf``) is all that survives of a training run
once its checkpoints are gone; this rebuilds the PEFT checkpoint ``train.py`` resumes from:

    python export/policy/adapter_from_gguf.py esc_edge/models/adapters/esc-smollm2-135m-lora.gguf \\
        --hf-base RUN/hf_base --out RUN/train/last --step 175 --steps 400 --lr 4e-4 --warmup 15

``--step`` writes a ``trainer_state.pt`` (fresh AdamW moments, the scheduler at that step), so
``train.py --out RUN/train`` resumes there on the batches after it. The conversion is checked by
converting the result back with llama.cpp's converter and comparing every tensor
(``--check-sdist``): it must come back equal up to f16 rounding.

llama.cpp stores q and k of a Llama-family model with the rotary halves interleaved (the HF ->
GGUF converter permutes their rows), and ``convert_lora_to_gguf.py`` permutes LoRA B of q and k
the same way; the inverse permutation is applied here.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: make `export.policy` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from export.policy.common import log

GGUF_TO_HF = {
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf", type=Path, help="llama.cpp LoRA adapter GGUF")
    ap.add_argument("--hf-base", type=Path, required=True, help="HF base dir (config.json)")
    ap.add_argument("--out", type=Path, required=True, help="PEFT adapter dir to write")
    ap.add_argument("--step", type=int, default=None, help="also write a resumable trainer state")
    ap.add_argument("--steps", type=int, default=240, help="train.py --steps of the resumed run")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check-sdist", type=Path, default=None, help="llama-cpp-python sdist: round-trip check")
    return ap.parse_args(argv)


def unpermute(rows: np.ndarray, n_head: int) -> np.ndarray:
    """Inverse of llama.cpp's q/k row permutation (rotary halves interleaved per head)."""
    shape = rows.shape
    return rows.reshape(n_head, shape[0] // n_head // 2, 2, *shape[1:]).swapaxes(1, 2).reshape(shape)


def read_adapter(path: Path) -> tuple[dict[str, np.ndarray], float]:
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    kind = bytes(reader.fields["adapter.type"].parts[-1]).decode()
    if kind != "lora":
        raise SystemExit(f"{path} is a {kind!r} adapter, not a LoRA")
    alpha = float(reader.fields["adapter.lora.alpha"].parts[-1][0])
    return {t.name: np.array(t.data, dtype=np.float32) for t in reader.tensors}, alpha


def peft_state(
    tensors: dict[str, np.ndarray], config: dict[str, Any]
) -> tuple[dict[str, Any], int, list[str]]:
    """PEFT state dict, rank and target module names from GGUF tensors ``blk.N.<kind>.weight.lora_{a,b}``."""
    import torch

    heads = {"attn_q": config["num_attention_heads"], "attn_k": config["num_key_value_heads"]}
    state: dict[str, Any] = {}
    ranks, targets = set(), set()
    for name, data in tensors.items():
        _, layer, kind, _, part = name.split(".")
        module = GGUF_TO_HF[kind]
        if part == "lora_b" and kind in heads:
            data = unpermute(data, heads[kind])
        side = "lora_A" if part == "lora_a" else "lora_B"
        key = f"base_model.model.model.layers.{layer}.{module}.{side}.weight"
        state[key] = torch.from_numpy(np.ascontiguousarray(data))
        ranks.add(data.shape[0] if part == "lora_a" else data.shape[1])
        targets.add(module.split(".")[-1])
    if len(ranks) != 1:
        raise SystemExit(f"mixed LoRA ranks {sorted(ranks)}: not a single PEFT adapter")
    return state, ranks.pop(), sorted(targets)


def peft_model(hf_base: Path, state: dict[str, Any], rank: int, alpha: float, targets: list[str]) -> Any:
    import torch
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(hf_base), dtype=torch.float32)
    config = LoraConfig(
        r=rank, lora_alpha=alpha, lora_dropout=0.0, target_modules=targets, task_type="CAUSAL_LM"
    )
    model = get_peft_model(base, config)
    result = set_peft_model_state_dict(model, state)
    missing = [k for k in result.missing_keys if "lora_" in k]
    if missing or result.unexpected_keys:
        raise SystemExit(
            f"adapter does not fit the base: missing {missing[:3]}, unexpected {result.unexpected_keys[:3]}"
        )
    return model


def save_resumable(out: Path, model: Any, args: argparse.Namespace) -> None:
    """The adapter plus a trainer state at ``args.step``: new AdamW moments, the schedule placed
    at that step, seeded RNGs; written by ``train.py``'s own checkpoint writer."""
    import random

    import torch

    from export.policy.train import lr_lambda, save_checkpoint

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(args.steps, args.warmup))
    with warnings.catch_warnings():  # stepping the schedule without optimizer steps is the point
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(args.step):
            sched.step()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    save_checkpoint(out, model, opt, sched, args.step)
    log(f"trainer state at step {args.step}: lr {sched.get_last_lr()[0]:.2e} of {args.steps} steps")


def round_trip(args: argparse.Namespace, original: dict[str, np.ndarray]) -> float:
    """Convert the written adapter back with llama.cpp's converter; the largest tensor difference."""
    from export.policy.export_gguf import convert_adapter, unpack_converters

    work = args.out.with_name(args.out.name + ".check")
    tree = unpack_converters(args.check_sdist, work)
    back = work / "round_trip.gguf"
    convert_adapter(tree, args.out, args.hf_base, back)
    again, _ = read_adapter(back)
    if again.keys() != original.keys():
        raise SystemExit("round trip changed the tensor names")
    return max(float(np.abs(again[k] - original[k]).max()) for k in original)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    tensors, alpha = read_adapter(args.gguf)
    config = json.loads((args.hf_base / "config.json").read_text())
    state, rank, targets = peft_state(tensors, config)
    model = peft_model(args.hf_base, state, rank, alpha, targets)
    if args.step is not None:
        save_resumable(args.out, model, args)
    else:
        model.save_pretrained(args.out)
    log(f"{len(tensors)} tensors, r={rank}, alpha={alpha:g}, targets {','.join(targets)} -> {args.out}")
    if args.check_sdist is not None:
        worst = round_trip(args, tensors)
        log(f"round trip through convert_lora_to_gguf.py: max |difference| {worst:.3g}")
        if worst > 1e-3:
            raise SystemExit("the round trip does not reproduce the adapter: the conversion is wrong")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
