"""LoRA SFT of the ESC policy on the examples from build_data.py. Seeded, resumable, progress on stderr.

CPU (what is tested here; one core, the other belongs to another job):

    python export/policy/train.py --hf-base RUN/hf_base --data RUN/data --out RUN/train \\
        --steps 240 --threads 1

GPU, or several through Hugging Face accelerate (the same script, unchanged):

    accelerate launch export/policy/train.py --hf-base ... --data ... --out ... --device auto

Every ``--save-every`` steps the adapter, optimizer, scheduler, step and RNG states go to
``OUT/last``; rerunning the same command resumes from there. Every ``--eval-every`` steps the mean
reply-token NLL on the valid examples is logged to ``OUT/curve.jsonl`` and the adapter kept as
``OUT/step<N>``; ``OUT/best`` is the one with the lowest valid loss (early stopping).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `export.policy` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from export.policy.build_data import IGNORE, Example, read_examples
from export.policy.common import IM_END_ID, load_tokenizer, log, seed_everything

ATTENTION = "q_proj,k_proj,v_proj,o_proj"
ALL_LINEAR = ATTENTION + ",gate_proj,up_proj,down_proj"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--hf-base", type=Path, required=True)
    ap.add_argument("--data", type=Path, required=True, help="dir with train.jsonl, valid.jsonl")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--steps", type=int, default=240)
    ap.add_argument("--batch", type=int, default=8, help="examples per step and process")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=int, default=32)
    ap.add_argument("--targets", default=ATTENTION, help=f"comma list; all linear: {ALL_LINEAR}")
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--save-every", type=int, default=25)
    ap.add_argument("--valid-limit", type=int, default=200)
    ap.add_argument("--max-minutes", type=float, default=0, help="stop (and save) after this")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    ap.add_argument("--device", default="cpu", help="cpu, or auto (GPU/accelerate if present)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--probe", type=int, default=0, help="time this many steps, save nothing")
    return ap.parse_args(argv)


# -- batches -----------------------------------------------------------------------------------
def batch_plan(n_examples: int, lengths: Sequence[int], batch: int, seed: int) -> list[list[int]]:
    """Batches of similar length (less padding) in a seeded random order.

    The examples are already shuffled; each window of 8 batches is sorted by length, cut into
    batches, and the batches are shuffled, so a step index always names the same batch (resume).
    """
    window = batch * 8
    batches: list[list[int]] = []
    for start in range(0, n_examples - batch + 1, window):
        idx = sorted(range(start, min(start + window, n_examples)), key=lambda i: lengths[i])
        batches += [idx[i : i + batch] for i in range(0, len(idx) - batch + 1, batch)]
    random.Random(seed).shuffle(batches)
    return batches


def collate(examples: Sequence[Example]) -> dict[str, Any]:
    """Right-padded with ``<|im_end|>``; padded labels are ignored."""
    import torch

    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), IM_END_ID, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, e in enumerate(examples):
        n = len(e.input_ids)
        ids[row, :n] = torch.tensor(e.input_ids)
        labels[row, :n] = torch.tensor(e.labels)
        mask[row, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


# -- model -------------------------------------------------------------------------------------
def reply_loss_module(peft_model: Any) -> Any:
    """Wraps the PEFT model so the 49k-vocab head runs only on reply positions.

    Computing logits for the whole prompt would cost a (batch x length x 49152) tensor and its
    gradient for nothing, since the loss is on the reply only. Being one module, it can be
    wrapped by accelerate/DDP as a whole.
    """
    import torch
    import torch.nn.functional as F

    class ReplyLoss(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, labels: Any) -> Any:
            causal_lm = self.model.get_base_model()
            hidden = causal_lm.model(input_ids=input_ids, attention_mask=attention_mask)
            states = hidden.last_hidden_state[:, :-1]
            target = labels[:, 1:]
            keep = target != IGNORE
            logits = causal_lm.lm_head(states[keep])
            return F.cross_entropy(logits.float(), target[keep], reduction="sum"), keep.sum()

    return ReplyLoss(peft_model)


def build_model(args: argparse.Namespace) -> Any:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(args.hf_base), dtype=torch.float32)
    config = LoraConfig(
        r=args.rank,
        lora_alpha=args.alpha,
        lora_dropout=0.0,
        target_modules=args.targets.split(","),
        task_type="CAUSAL_LM",
    )
    return get_peft_model(base, config)


def lr_lambda(total: int, warmup: int) -> Any:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return factor


# -- checkpoints -------------------------------------------------------------------------------
def save_checkpoint(dir_: Path, peft_model: Any, opt: Any, sched: Any, step: int) -> None:
    """Adapter + optimizer + scheduler + step + RNG, written to a temp dir then swapped in."""
    import numpy as np
    import torch

    tmp = dir_.with_name(dir_.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    peft_model.save_pretrained(tmp)
    torch.save(
        {
            "step": step,
            "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(),
            "rng_torch": torch.get_rng_state(),
            "rng_python": random.getstate(),
            "rng_numpy": np.random.get_state(),
        },
        tmp / "trainer_state.pt",
    )
    shutil.rmtree(dir_, ignore_errors=True)
    tmp.rename(dir_)


def load_checkpoint(dir_: Path, peft_model: Any, opt: Any, sched: Any) -> int:
    import numpy as np
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    set_peft_model_state_dict(peft_model, load_file(str(dir_ / "adapter_model.safetensors")))
    state = torch.load(dir_ / "trainer_state.pt", weights_only=False)
    opt.load_state_dict(state["optimizer"])
    sched.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["rng_torch"])
    random.setstate(state["rng_python"])
    np.random.set_state(state["rng_numpy"])
    return int(state["step"])


# -- loop --------------------------------------------------------------------------------------
def valid_loss(loss_module: Any, examples: Sequence[Example], batch: int, device: Any) -> float:
    import torch

    loss_module.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        order = sorted(range(len(examples)), key=lambda i: len(examples[i].input_ids))
        for start in range(0, len(order), batch):
            tensors = collate([examples[i] for i in order[start : start + batch]])
            loss_sum, n = loss_module(**{k: v.to(device) for k, v in tensors.items()})
            total += float(loss_sum)
            count += int(n)
    loss_module.train()
    return total / max(1, count)


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    from accelerate import Accelerator

    seed_everything(args.seed, args.threads)
    accelerator = Accelerator(cpu=args.device == "cpu")
    main_process = accelerator.is_main_process
    load_tokenizer(args.hf_base)  # fails early if the base dir lacks the rebuilt tokenizer

    train = read_examples(args.data / "train.jsonl")
    valid = read_examples(args.data / "valid.jsonl")[: args.valid_limit]
    plan = batch_plan(len(train), [len(e.input_ids) for e in train], args.batch, args.seed)
    # Each process takes its own batches: step s, process p -> plan[s * world + p].
    world, rank = accelerator.num_processes, accelerator.process_index
    if args.steps * world > len(plan):
        raise SystemExit(f"--steps {args.steps} needs {args.steps * world} batches; have {len(plan)}")

    peft_model = build_model(args)
    if main_process:
        peft_model.print_trainable_parameters()
    params = [p for p in peft_model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(args.steps, args.warmup))
    args.out.mkdir(parents=True, exist_ok=True)
    last = args.out / "last"
    start = 0
    if (last / "trainer_state.pt").exists() and not args.probe:
        start = load_checkpoint(last, peft_model, opt, sched)
        log(f"resumed from {last} at step {start}")
    loss_module = reply_loss_module(peft_model)
    loss_module, opt, sched = accelerator.prepare(loss_module, opt, sched)
    device = accelerator.device
    curve = args.out / "curve.jsonl"
    if main_process and not args.probe:
        (args.out / "args.json").write_text(json.dumps(vars(args), default=str, indent=2))

    def evaluate(step: int) -> None:
        t0 = time.time()
        loss = valid_loss(loss_module, valid, args.batch, device)
        append_jsonl(
            curve,
            {
                "step": step,
                "valid_loss": round(loss, 4),
                "valid_s": round(time.time() - t0, 1),
                "time": time.time(),
            },
        )
        log(f"step {step}: valid loss {loss:.4f} ({time.time() - t0:.0f} s)")
        accelerator.unwrap_model(loss_module).model.save_pretrained(args.out / f"step{step}")

    if start == 0 and main_process and not args.probe:
        evaluate(0)
    began = time.time()
    window: list[float] = []
    for step in range(start, args.probe or args.steps):
        t0 = time.time()
        tensors = collate([train[i] for i in plan[step * world + rank]])
        loss_sum, n = loss_module(**{k: v.to(device) for k, v in tensors.items()})
        loss = loss_sum / n
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        dt = time.time() - t0
        window.append(loss.item())
        done = step + 1
        width = tensors["input_ids"].shape[1]
        rest = (args.probe or args.steps) - done
        log(
            f"step {done}/{args.probe or args.steps} loss {loss.item():.3f} len {width} "
            f"{dt:.1f} s/step lr {sched.get_last_lr()[0]:.2e} eta {rest * dt / 60:.0f} min"
        )
        if args.probe or not main_process:
            continue
        append_jsonl(
            args.out / "train_log.jsonl",
            {"step": done, "loss": round(loss.item(), 4), "s": round(dt, 2), "len": width},
        )
        if done % args.save_every == 0 or done == args.steps:
            save_checkpoint(last, accelerator.unwrap_model(loss_module).model, opt, sched, done)
        if done % args.eval_every == 0 or done == args.steps:
            evaluate(done)
        if args.max_minutes and time.time() - began > args.max_minutes * 60:
            save_checkpoint(last, accelerator.unwrap_model(loss_module).model, opt, sched, done)
            log(f"stopping after {args.max_minutes} min at step {done}; rerun to resume")
            return 0
    if main_process and not args.probe:
        pick_best(args.out)
    return 0


def pick_best(out: Path) -> None:
    points = [json.loads(line) for line in (out / "curve.jsonl").read_text().splitlines()]
    best = min((p for p in points if p["step"] > 0), key=lambda p: p["valid_loss"])
    shutil.rmtree(out / "best", ignore_errors=True)
    shutil.copytree(out / f"step{best['step']}", out / "best")
    (out / "best" / "picked.json").write_text(json.dumps(best))
    log(f"best: step {best['step']} valid loss {best['valid_loss']}")


if __name__ == "__main__":
    sys.exit(main())
