"""DPO preference step on top of the SFT adapter. Seeded, resumable, progress on stderr.

    python export/policy/train_dpo.py --hf-base RUN/hf_base --init RUN/train2/step175 \\
        --pairs RUN/dpo/pairs.jsonl --data RUN/data --out RUN/dpo/train --steps 120

The policy starts from the SFT adapter (``--init``) and the same adapter, frozen, is the DPO
reference: its reply log-probabilities are computed once, before the first step, into
``OUT/ref_logps.json`` (reused on resume). Loss per pair:
``-log sigmoid(beta * ((pi_c - ref_c) - (pi_r - ref_r)))`` on summed reply-token log-probs.

Pairs of one turn share their prompt (``build_pairs.py`` writes up to three per turn), so a step
works turn by turn: the prompt runs once without gradient into a KV cache, and only the replies
(chosen and rejected, batched on that cache) run with gradient. The log-probs are exact; the
gradient leaves out the path through the prompt's keys and values, which costs a little signal and
saves most of the time (the prompt is ~10x longer than a reply).

Every ``--eval-every`` steps: DPO loss, reward margin and accuracy on held-out train pairs, and the
valid reply NLL (the SFT metric, to see the policy drift), into ``OUT/curve.jsonl``; the adapter
goes to ``OUT/step<N>``. ``OUT/last`` holds adapter + optimizer + scheduler + RNG for resuming.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `export.policy` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from export.policy.build_data import read_examples
from export.policy.build_pairs import Pair, read_pairs
from export.policy.common import IM_END_ID, load_tokenizer, log, seed_everything
from export.policy.train import (
    append_jsonl,
    load_checkpoint,
    lr_lambda,
    reply_loss_module,
    save_checkpoint,
    valid_loss,
)


@dataclass
class Group:
    """The pairs of one turn: one prompt, its distinct replies, and (chosen, rejected) indices."""

    prompt_ids: list[int]
    replies: list[list[int]] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def reply_index(self, ids: list[int]) -> int:
        if ids not in self.replies:
            self.replies.append(ids)
        return self.replies.index(ids)


def group_pairs(pairs: Sequence[Pair]) -> list[Group]:
    """Pairs grouped by prompt, in first-seen order; equal replies are scored once."""
    groups: dict[tuple[int, ...], Group] = {}
    for pair in pairs:
        group = groups.setdefault(tuple(pair.prompt_ids), Group(list(pair.prompt_ids)))
        group.pairs.append((group.reply_index(pair.chosen_ids), group.reply_index(pair.rejected_ids)))
        group.kinds.append(pair.kind)
    return list(groups.values())


def dpo_loss(
    policy_chosen: Any, policy_rejected: Any, ref_chosen: Any, ref_rejected: Any, beta: float
) -> tuple[Any, Any, Any]:
    """Per-pair DPO loss and the implicit rewards ``beta * (pi - ref)`` of both sides."""
    import torch.nn.functional as F

    chosen_reward = beta * (policy_chosen - ref_chosen)
    rejected_reward = beta * (policy_rejected - ref_rejected)
    return -F.logsigmoid(chosen_reward - rejected_reward), chosen_reward, rejected_reward


def reply_logps(causal_lm: Any, prompt_ids: Sequence[int], replies: Sequence[Sequence[int]]) -> Any:
    """Summed log-probs of each reply after the prompt: a (len(replies),) tensor.

    The prompt minus its last token runs once without gradient; its last token then leads each
    reply's row, so every reply token's log-prob comes from the pass that has gradient.
    """
    import torch

    device = next(causal_lm.parameters()).device
    n, head = len(replies), len(prompt_ids) - 1
    with torch.no_grad():
        cache = causal_lm.model(
            input_ids=torch.tensor([list(prompt_ids[:-1])], device=device), use_cache=True
        ).past_key_values
    if n > 1:
        cache.batch_repeat_interleave(n)
    width = 1 + max(len(r) for r in replies)
    ids = torch.full((n, width), IM_END_ID, dtype=torch.long)
    mask = torch.zeros((n, head + width), dtype=torch.long)
    mask[:, :head] = 1
    keep = torch.zeros((n, width - 1), dtype=torch.bool)
    for row, reply in enumerate(replies):
        ids[row, 0] = prompt_ids[-1]
        ids[row, 1 : 1 + len(reply)] = torch.tensor(list(reply))
        mask[row, head : head + 1 + len(reply)] = 1
        keep[row, : len(reply)] = True
    ids, mask, keep = ids.to(device), mask.to(device), keep.to(device)
    hidden = causal_lm.model(input_ids=ids, attention_mask=mask, past_key_values=cache).last_hidden_state
    states, targets = hidden[:, :-1][keep], ids[:, 1:][keep]
    token_logps = torch.log_softmax(causal_lm.lm_head(states).float(), dim=-1)
    picked = token_logps.gather(1, targets[:, None])[:, 0]
    rows = torch.arange(n, device=device)[:, None].expand(n, width - 1)[keep]
    return torch.zeros(n, device=device, dtype=picked.dtype).index_add(0, rows, picked)


def group_loss(
    causal_lm: Any, group: Group, ref: Sequence[float], beta: float, sft_weight: float = 0.0
) -> tuple[Any, dict[str, float]]:
    """Summed DPO loss of a group's pairs (plus an optional chosen-NLL term) and its statistics."""
    import torch

    logps = reply_logps(causal_lm, group.prompt_ids, group.replies)
    ref_t = torch.tensor(list(ref), dtype=logps.dtype, device=logps.device)
    c = torch.tensor([p[0] for p in group.pairs], device=logps.device)
    r = torch.tensor([p[1] for p in group.pairs], device=logps.device)
    losses, cr, rr = dpo_loss(logps[c], logps[r], ref_t[c], ref_t[r], beta)
    loss = losses.sum()
    if sft_weight:
        lengths = torch.tensor([len(group.replies[i]) for i in c.tolist()], dtype=logps.dtype)
        loss = loss + sft_weight * (-logps[c] / lengths.to(logps.device)).sum()
    margin = (cr - rr).detach()
    return loss, {
        "loss": float(losses.detach().sum()),
        "margin": float(margin.sum()),
        "correct": float((margin > 0).sum()),
        "chosen_reward": float(cr.detach().sum()),
        "rejected_reward": float(rr.detach().sum()),
        "pairs": float(len(group.pairs)),
    }


def step_plan(n_groups: int, per_step: int, steps: int, seed: int) -> list[list[int]]:
    """Group indices for each step: a fresh seeded shuffle per epoch, so step s is always the same."""
    plan: list[list[int]] = []
    epoch = 0
    order: list[int] = []
    while len(plan) < steps:
        if len(order) < per_step:
            fresh = list(range(n_groups))
            random.Random(seed * 1000 + epoch).shuffle(fresh)
            order += fresh
            epoch += 1
        plan.append(order[:per_step])
        order = order[per_step:]
    return plan


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--hf-base", type=Path, required=True)
    ap.add_argument("--init", type=Path, required=True, help="the SFT peft adapter dir (also the reference)")
    ap.add_argument("--pairs", type=Path, required=True, help="build_pairs.py pairs output")
    ap.add_argument("--data", type=Path, required=True, help="build_data.py output (valid.jsonl)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--groups-per-step", type=int, default=8, help="turns (1-3 pairs each) per step")
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--sft-weight", type=float, default=0.0, help="add this x chosen NLL per token")
    ap.add_argument("--heldout", type=int, default=40, help="turns kept out for the margin curve")
    ap.add_argument("--eval-every", type=int, default=30)
    ap.add_argument("--save-every", type=int, default=10)
    ap.add_argument("--valid-limit", type=int, default=60)
    ap.add_argument("--max-minutes", type=float, default=0, help="stop (and save) after this")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args(argv)


def load_policy(hf_base: Path, init: Path) -> Any:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(hf_base), dtype=torch.float32)
    return PeftModel.from_pretrained(base, str(init), is_trainable=True)


def reference_logps(causal_lm: Any, groups: Sequence[Group], path: Path) -> list[list[float]]:
    """The frozen reference's reply log-probs per group, computed once (resumable) and cached."""
    import torch

    done: list[list[float]] = []
    if path.exists():
        done = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if len(done) < len(groups):
        log(f"reference log-probs: {len(done)}/{len(groups)} groups done")
    t0 = time.time()
    with torch.no_grad(), path.open("a") as fh:
        for k in range(len(done), len(groups)):
            values = [
                round(float(x), 5) for x in reply_logps(causal_lm, groups[k].prompt_ids, groups[k].replies)
            ]
            fh.write(json.dumps(values) + "\n")
            fh.flush()
            done.append(values)
            if (k + 1) % 50 == 0:
                log(f"reference {k + 1}/{len(groups)} ({(time.time() - t0) / 60:.1f} min)")
    return done


def evaluate_pairs(
    causal_lm: Any, groups: Sequence[Group], refs: Sequence[Sequence[float]], beta: float
) -> dict[str, float]:
    import torch

    total: dict[str, float] = {}
    with torch.no_grad():
        for group, ref in zip(groups, refs, strict=True):
            _, stats = group_loss(causal_lm, group, ref, beta)
            for key, value in stats.items():
                total[key] = total.get(key, 0.0) + value
    n = max(1.0, total.get("pairs", 0.0))
    return {k: round(v / n, 4) for k, v in total.items() if k != "pairs"} | {"pairs": int(n)}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    seed_everything(args.seed, args.threads)
    load_tokenizer(args.hf_base)  # fails early if the base dir lacks the rebuilt tokenizer
    groups = group_pairs(read_pairs(args.pairs))
    if len(groups) <= args.heldout:
        raise SystemExit(f"{len(groups)} turns of pairs; need more than --heldout {args.heldout}")
    valid = read_examples(args.data / "valid.jsonl")[: args.valid_limit]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "args.json").write_text(json.dumps(vars(args), default=str, indent=2))

    peft_model = load_policy(args.hf_base, args.init)
    causal_lm = peft_model.get_base_model()
    last = args.out / "last"
    resuming = (last / "trainer_state.pt").exists()
    # The reference is the SFT adapter = the policy before its first step.
    if not resuming:
        peft_model.eval()
    refs = reference_logps(causal_lm, groups, args.out / "ref_logps.jsonl")
    held, held_refs = groups[: args.heldout], refs[: args.heldout]
    train, train_refs = groups[args.heldout :], refs[args.heldout :]
    plan = step_plan(len(train), args.groups_per_step, args.steps, args.seed)
    n_pairs = sum(len(g.pairs) for g in train)
    log(f"{len(train)} train turns ({n_pairs} pairs), {len(held)} held out; {args.steps} steps")

    params = [p for p in peft_model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(args.steps, args.warmup))
    start = 0
    if resuming:
        start = load_checkpoint(last, peft_model, opt, sched)
        log(f"resumed from {last} at step {start}")
    loss_module = reply_loss_module(peft_model)
    curve = args.out / "curve.jsonl"

    def evaluate(step: int) -> None:
        t0 = time.time()
        peft_model.eval()
        point: dict[str, Any] = {
            "step": step,
            "heldout": evaluate_pairs(causal_lm, held, held_refs, args.beta),
        }
        if args.valid_limit:
            point["valid_nll"] = round(valid_loss(loss_module, valid, 8, torch.device("cpu")), 4)
        peft_model.train()
        point["eval_s"] = round(time.time() - t0, 1)
        append_jsonl(curve, point)
        log(f"step {step}: {point}")
        peft_model.save_pretrained(args.out / f"step{step}")

    if start == 0:
        evaluate(0)
    peft_model.train()
    began = time.time()
    for step in range(start, args.steps):
        t0 = time.time()
        total: dict[str, float] = {}
        batch = plan[step]
        n = sum(len(train[i].pairs) for i in batch)
        for i in batch:
            loss, stats = group_loss(causal_lm, train[i], train_refs[i], args.beta, args.sft_weight)
            (loss / n).backward()
            for key, value in stats.items():
                total[key] = total.get(key, 0.0) + value
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        done = step + 1
        record = {k: round(v / n, 4) for k, v in total.items() if k != "pairs"}
        record |= {"step": done, "pairs": n, "s": round(time.time() - t0, 1)}
        append_jsonl(args.out / "train_log.jsonl", record)
        log(
            f"step {done}/{args.steps} loss {record['loss']:.3f} margin {record['margin']:.3f} "
            f"acc {record['correct']:.2f} {record['s']} s lr {sched.get_last_lr()[0]:.1e}"
        )
        if done % args.save_every == 0 or done == args.steps:
            save_checkpoint(last, peft_model, opt, sched, done)
        if done % args.eval_every == 0 or done == args.steps:
            evaluate(done)
        if args.max_minutes and time.time() - began > args.max_minutes * 60:
            save_checkpoint(last, peft_model, opt, sched, done)
            log(f"stopping after {args.max_minutes} min at step {done}; rerun to resume")
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
