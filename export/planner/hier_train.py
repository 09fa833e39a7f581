"""Hierarchical planner experiment: a small context head over cached per-utterance embeddings.

Reads the embeddings written by ``hier_embed.py``; one example per gold supporter turn (the same
examples as the shipped planner, ``data.py``). The head sees the last K utterances of the context
(embedding, speaker, the strategy a supporter utterance used, distance from the end) plus
``strategy_features`` and predicts the strategy and the seeker's emotion. Selection on VALID only.

    python -m export.planner.hier_train --emb /work/runs/planner_hier/emb --encoder tuned \
        --arch gru --out /work/runs/planner_hier/gru_tuned
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from export.planner.hier_embed import DEFAULT_DATA_DIR, utterance_key

N_STRATEGY_SLOTS = 9  # 8 strategies + none


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build(split: str, data_dir: Path, emb_path: Path, tagged: bool, k: int) -> dict[str, Any]:
    from esc_edge.planner.features import strategy_features
    from esc_edge.planner.strategies import INDEX
    from export.planner.data import emotion_label, load_dialogues

    store = np.load(emb_path)
    lookup = {str(t): i for i, t in enumerate(store["texts"])}
    emb = store["emb"].astype(np.float32)
    idx, spk, strat, feats, y, e = [], [], [], [], [], []
    for d in load_dialogues(data_dir / f"{split}.jsonl"):
        turns = d["turns"]
        rows = [lookup[utterance_key(t["speaker"], t["text"], tagged)] for t in turns]
        emotion = emotion_label(d.get("emotion_type"))
        from esc_edge.conversation import Turn

        objs = [Turn.from_dict(t) for t in turns]
        for i, t in enumerate(turns):
            if t["speaker"] != "supporter" or t.get("strategy") not in INDEX:
                continue
            lo = max(0, i - k)
            # right-aligned window: slot k-1 is the most recent utterance
            w_idx = [-1] * (k - (i - lo)) + rows[lo:i]
            w_spk = [0] * (k - (i - lo)) + [1 if turns[j]["speaker"] == "seeker" else 2 for j in range(lo, i)]
            w_str = [0] * (k - (i - lo)) + [
                1 + INDEX.get(turns[j].get("strategy") or "", 8) if turns[j]["speaker"] == "supporter" else 0
                for j in range(lo, i)
            ]
            idx.append(w_idx)
            spk.append(w_spk)
            strat.append(w_str)
            feats.append(strategy_features(objs[:i]))
            y.append(INDEX[t["strategy"]])
            e.append(emotion)
    return {
        "emb": emb,
        "idx": np.array(idx, dtype=np.int64),
        "spk": np.array(spk, dtype=np.int64),
        "str": np.array(strat, dtype=np.int64),
        "feats": np.array(feats, dtype=np.float32),
        "y": np.array(y, dtype=np.int64),
        "e": np.array(e, dtype=np.int64),
    }


def make_model(arch: str, dim: int, n_feats: int, k: int, hidden: int, dropout: float) -> Any:
    import torch
    from torch import nn

    class Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            # utterance token = proj(emb) + speaker emb + strategy emb + position emb
            self.proj = nn.Linear(dim, hidden)
            self.spk = nn.Embedding(3, hidden)
            self.strat = nn.Embedding(1 + N_STRATEGY_SLOTS, hidden)
            self.pos = nn.Embedding(k, hidden)
            self.drop = nn.Dropout(dropout)
            self.in_drop = nn.Dropout(0.1)
            if arch == "gru":
                self.rnn = nn.GRU(hidden, hidden, batch_first=True)
                ctx = hidden
            elif arch == "attn":
                self.score = nn.Linear(hidden, 1)
                ctx = 2 * hidden
            elif arch == "tf":
                layer = nn.TransformerEncoderLayer(
                    hidden, 4, 2 * hidden, dropout=dropout, batch_first=True, norm_first=True
                )
                self.tf = nn.TransformerEncoder(layer, 1)
                ctx = hidden
            else:
                raise ValueError(arch)
            self.mix = nn.Linear(ctx + n_feats, hidden)
            self.s_head = nn.Linear(hidden, 8)
            self.e_head = nn.Linear(hidden, 6)

        def tokens(self, x: Any, spk: Any, strat: Any) -> Any:
            pos = torch.arange(x.shape[1], device=x.device)
            h = self.proj(self.in_drop(x)) + self.spk(spk) + self.strat(strat) + self.pos(pos)
            return torch.tanh(h)

        def forward(self, x: Any, spk: Any, strat: Any, feats: Any) -> tuple[Any, Any]:
            mask = spk > 0
            h = self.drop(self.tokens(x, spk, strat))
            if arch == "gru":
                h = h * mask.unsqueeze(-1)
                out, _ = self.rnn(h)
                ctx = out[:, -1]
            elif arch == "attn":
                s = self.score(h).squeeze(-1).masked_fill(~mask, -1e4)
                a = torch.softmax(s, -1)
                ctx = torch.cat([(a.unsqueeze(-1) * h).sum(1), h[:, -1]], -1)
            else:
                full = mask.clone()
                full[:, -1] = True  # never an all-masked row
                out = self.tf(h, src_key_padding_mask=~full)
                ctx = out[:, -1]
            z = torch.relu(self.mix(torch.cat([ctx, feats], -1)))
            z = self.drop(z)
            return self.s_head(z), self.e_head(z)

    return Head()


def tensors(data: dict[str, Any], rows: np.ndarray, mean: np.ndarray, std: np.ndarray) -> tuple[Any, ...]:
    import torch

    idx = data["idx"][rows]
    x = np.where(idx[..., None] >= 0, (data["emb"][np.maximum(idx, 0)] - mean) / std, 0.0).astype(np.float32)
    return (
        torch.from_numpy(x),
        torch.from_numpy(data["spk"][rows]),
        torch.from_numpy(data["str"][rows]),
        torch.from_numpy(data["feats"][rows]),
    )


def predict(
    model: Any, data: dict[str, Any], mean: np.ndarray, std: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    import torch

    model.eval()
    s_out, e_out = [], []
    with torch.inference_mode():
        for b in range(0, len(data["y"]), 512):
            rows = np.arange(b, min(b + 512, len(data["y"])))
            s, e = model(*tensors(data, rows, mean, std))
            s_out.append(torch.log_softmax(s, -1).numpy())
            e_out.append(torch.log_softmax(e, -1).numpy())
    model.train()
    return np.concatenate(s_out), np.concatenate(e_out)


def report(gold: np.ndarray, logp: np.ndarray, labels: tuple[str, ...]) -> dict[str, Any]:
    from esc_edge.eval.metrics import classification_report

    p = np.exp(logp - logp.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    return classification_report(list(gold), p, labels)


def short(r: dict[str, Any]) -> str:
    return (
        f"acc {100 * r['accuracy']:.1f} mF1 {100 * r['macro_f1']:.1f} wF1 {100 * r['weighted_f1']:.1f} "
        f"KL {r['kl_pred_gold']:.3f}"
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--emb", type=Path, required=True)
    p.add_argument("--encoder", default="tuned", choices=("tuned", "base"))
    p.add_argument("--arch", default="gru", choices=("gru", "attn", "tf"))
    p.add_argument("--k", type=int, default=12)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--wd", type=float, default=0.01)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--emotion-weight", type=float, default=0.5)
    p.add_argument("--label-smoothing", type=float, default=0.0, help="on the strategy loss only")
    p.add_argument(
        "--loss-adjust",
        type=float,
        default=0.0,
        help="logit-adjusted loss: train on logits + this * log(train prior), predict without it",
    )
    p.add_argument("--seeds", default="0")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)

    import torch

    from esc_edge.planner.strategies import NAMES
    from export.planner.data import EMOTIONS

    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    tagged = args.encoder == "tuned"
    train = build("train", args.data_dir, args.emb / f"{args.encoder}_train.npz", tagged, args.k)
    valid = build("valid", args.data_dir, args.emb / f"{args.encoder}_valid.npz", tagged, args.k)
    mean = train["emb"].mean(0)
    std = train["emb"].std(0) + 1e-6
    prior = np.bincount(train["y"], minlength=8) / len(train["y"])
    log(f"train {len(train['y'])} valid {len(valid['y'])} examples, k={args.k}")
    ens_s, ens_e, results = [], [], []
    loss_shift = torch.from_numpy((args.loss_adjust * np.log(prior)).astype(np.float32))
    for seed in [int(s) for s in args.seeds.split(",")]:
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        model = make_model(
            args.arch, train["emb"].shape[1], train["feats"].shape[1], args.k, args.hidden, args.dropout
        )
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wd)
        steps = args.epochs * ((len(train["y"]) + args.batch_size - 1) // args.batch_size)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.1)
        best: tuple[float, int, Any, Any, Any] | None = None
        for epoch in range(args.epochs):
            order = rng.permutation(len(train["y"]))
            for b in range(0, len(order), args.batch_size):
                rows = order[b : b + args.batch_size]
                s, e = model(*tensors(train, rows, mean, std))
                loss = torch.nn.functional.cross_entropy(
                    s + loss_shift, torch.from_numpy(train["y"][rows]), label_smoothing=args.label_smoothing
                )
                loss = loss + args.emotion_weight * torch.nn.functional.cross_entropy(
                    e, torch.from_numpy(train["e"][rows])
                )
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                sched.step()
            s_lp, e_lp = predict(model, valid, mean, std)
            r = report(valid["y"], s_lp, NAMES)
            if best is None or r["accuracy"] > best[0]:
                best = (
                    r["accuracy"],
                    epoch,
                    s_lp,
                    e_lp,
                    {k: v.clone() for k, v in model.state_dict().items()},
                )
            log(f"seed {seed} epoch {epoch}: {short(r)}")
        assert best is not None
        log(f"seed {seed}: best epoch {best[1]} acc {100 * best[0]:.1f}")
        torch.save(best[4], args.out / f"head_seed{seed}.pt")
        ens_s.append(best[2])
        ens_e.append(best[3])
        results.append({"seed": seed, "best_epoch": best[1], "valid_accuracy": best[0]})
    s_lp = np.log(np.mean([np.exp(x) for x in ens_s], 0))
    e_lp = np.log(np.mean([np.exp(x) for x in ens_e], 0))
    rows_out = []
    for tau in np.round(np.arange(0.0, 1.01, 0.1), 2):
        r = report(valid["y"], s_lp - tau * np.log(prior), NAMES)
        rows_out.append(
            {"tau": float(tau), **{k: r[k] for k in ("accuracy", "macro_f1", "weighted_f1", "kl_pred_gold")}}
        )
        log(f"ensemble tau {tau}: {short(r)}")
    er = report(valid["e"], e_lp, EMOTIONS)
    log(f"emotion acc {100 * er['accuracy']:.1f} macro-F1 {100 * er['macro_f1']:.1f}")
    summary = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "seeds": results,
        "tau_rows": rows_out,
        "emotion": {"accuracy": er["accuracy"], "macro_f1": er["macro_f1"]},
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1))
    np.savez(args.out / "valid_logp.npz", strategy=s_lp, emotion=e_lp)
    # per-seed valid outputs, so subsets of the seeds can be compared without retraining
    np.savez(args.out / "valid_logp_seeds.npz", strategy=np.stack(ens_s), emotion=np.stack(ens_e))
    np.savez(args.out / "norm.npz", mean=mean, std=std, prior=prior)


if __name__ == "__main__":
    main()
