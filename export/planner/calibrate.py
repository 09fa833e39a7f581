"""Fit the hierarchical planner's per-class strategy bias on VALID (test is never read here).

The runtime adds ``strategy_bias`` (``hier.json``, one value per label) to the log of the averaged
strategy distribution. A trained head over-predicts the frequent strategies (Providing
Suggestions, Question, Others); a bias shifts the argmax towards the neglected ones. Candidates:

- ``tau``: ``-tau * log(train prior)`` for tau in 0, 0.1, ..., 1 (logit adjustment, one knob);
- ``match``: the bias whose argmax histogram on the valid contexts matches the strategy mix of
  the train labels (iterative proportional fitting of the predicted shares; the valid labels are
  not used by the fit, only to score it; train and valid mixes differ by KL 0.002). A per-class shift of
  the log-probabilities is the Lagrangian form of "the most accurate argmax rule with a given
  predicted mix", so this is close to the most accurate way to predict the gold mix;
- ``matchA``: ``A`` times the ``match`` bias (A = 0.25, 0.5, 0.75), points between the trained
  head and the matched one;
- ``flatB``: like ``match``, with a flatter target mix, proportional to ``prior ** (1 - B)``
  (B = 0.1 ... 0.5): F1 rewards predicting a rare class a little more often than it occurs, at
  some KL;
- ``macro``: coordinate ascent on valid macro-F1, started from ``match``, accuracy kept within
  ``--max-acc-drop`` of the uncalibrated head and the argmax KL within ``--max-kl``. Reported
  only, never chosen: it is the one candidate that fits 8 numbers to the valid labels, and the
  cross-validation shows that it does not carry over (it loses about 1 macro-F1 point on unseen
  dialogues and 1-2 accuracy points against ``match``).

Each fitted method is also cross-validated (fit on half of the valid dialogues, score the other
half, both ways) so that the report shows what the 8 fitted numbers are worth on unseen
dialogues. The chosen bias is then fitted on all of valid.

    python -m export.planner.calibrate --run /work/runs/planner_cal/k20_s5
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from export.planner.hier_embed import DEFAULT_DATA_DIR

N_CLASSES = 8
KEYS = ("accuracy", "macro_f1", "weighted_f1", "kl_pred_gold")
TIE = 0.005  # macro-F1 differences below this are treated as ties


def scores(logp: np.ndarray, gold: np.ndarray, bias: np.ndarray) -> dict[str, float]:
    from esc_edge.eval.metrics import confusion_matrix, histogram, kl_divergence, macro_f1, weighted_f1

    pred = (logp + bias).argmax(1)
    matrix = confusion_matrix(gold, pred, N_CLASSES)
    return {
        "accuracy": float((pred == gold).mean()),
        "macro_f1": macro_f1(matrix),
        "weighted_f1": weighted_f1(matrix),
        "kl_pred_gold": kl_divergence(histogram(pred, N_CLASSES), histogram(gold, N_CLASSES)),
    }


def fit_match(logp: np.ndarray, target: np.ndarray, iters: int = 400) -> np.ndarray:
    """Bias whose argmax shares approach ``target`` (damped multiplicative updates)."""
    from esc_edge.eval.metrics import kl_divergence

    bias = np.zeros(N_CLASSES)
    best = (np.inf, bias.copy())
    for i in range(iters):
        pred = np.bincount((logp + bias).argmax(1), minlength=N_CLASSES) / len(logp)
        kl = kl_divergence(pred, target)
        if kl < best[0]:
            best = (kl, bias.copy())
        step = 0.5 / (1 + i / 50)
        bias = bias + step * (np.log(target + 1e-3) - np.log(pred + 1e-3))
        bias -= bias.mean()
    return best[1]


def fit_macro(
    logp: np.ndarray, gold: np.ndarray, start: np.ndarray, min_acc: float, max_kl: float, passes: int = 3
) -> np.ndarray:
    """Coordinate ascent on macro-F1 under the accuracy and KL constraints."""

    def value(b: np.ndarray) -> float:
        s = scores(logp, gold, b)
        ok = s["accuracy"] >= min_acc and s["kl_pred_gold"] <= max_kl
        return s["macro_f1"] if ok else -1.0 + s["macro_f1"]

    bias = start.copy()
    current = value(bias)
    grid = np.round(np.arange(-1.0, 1.0001, 0.05), 2)
    for _ in range(passes):
        improved = False
        for c in range(N_CLASSES):
            for delta in grid:
                trial = bias.copy()
                trial[c] += delta
                v = value(trial)
                if v > current + 1e-9:
                    bias, current, improved = trial, v, True
        if not improved:
            break
    return bias - bias.mean()


def fit(
    method: str, logp: np.ndarray, gold: np.ndarray, prior: np.ndarray, args: argparse.Namespace
) -> np.ndarray:
    if method.startswith("tau"):
        return -float(method[3:]) * np.log(prior)
    if method.startswith("flat"):
        target = prior ** (1.0 - float(method[4:]))
        return fit_match(logp, target / target.sum())
    match = fit_match(logp, prior)
    if method == "match":
        return match
    if method.startswith("match"):
        return float(method[5:]) * match
    base_acc = scores(logp, gold, np.zeros(N_CLASSES))["accuracy"]
    return fit_macro(logp, gold, match, base_acc - args.max_acc_drop, args.max_kl)


def folds(groups: np.ndarray) -> list[np.ndarray]:
    """Two halves of the valid dialogues (alternate dialogues), as boolean masks."""
    ids = {g: i for i, g in enumerate(dict.fromkeys(groups.tolist()))}
    half = np.array([ids[g] % 2 for g in groups.tolist()])
    return [half == 0, half == 1]


def cross_validated(
    method: str, logp: np.ndarray, gold: np.ndarray, groups: np.ndarray, prior: np.ndarray, args: Any
) -> dict[str, float]:
    """Fit on one half of the dialogues, predict the other, pool both held-out halves."""
    pred_logp = np.zeros_like(logp)
    for mask in folds(groups):
        bias = fit(method, logp[~mask], gold[~mask], prior, args)
        pred_logp[mask] = logp[mask] + bias
    return scores(pred_logp, gold, np.zeros(N_CLASSES))


def valid_labels(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    from export.planner.data import load_examples

    examples = load_examples(data_dir / "valid.jsonl")
    gold = np.array([ex.strategy for ex in examples], dtype=np.int64)
    groups = np.array([ex.dialogue_id for ex in examples])
    return gold, groups


def calibrate(
    logp: np.ndarray, gold: np.ndarray, groups: np.ndarray, prior: np.ndarray, args: Any,
    log: Callable[[str], None] = lambda m: None,
) -> dict[str, Any]:  # fmt: skip
    """All candidates on valid (in-sample and 2-fold CV) and the chosen bias (fitted on all)."""
    methods = [f"tau{t:.1f}" for t in np.arange(0.0, 1.01, 0.1)]
    methods += ["match0.25", "match0.5", "match0.75", "match"]
    methods += [f"flat{b:.1f}" for b in (0.1, 0.2, 0.3, 0.4, 0.5)] + ["macro"]
    rows = []
    for method in methods:
        bias = fit(method, logp, gold, prior, args)
        row = {
            "method": method,
            "bias": [round(float(b), 4) for b in bias - bias.mean()],
            "valid": scores(logp, gold, bias),
            "valid_cv": cross_validated(method, logp, gold, groups, prior, args),
        }
        rows.append(row)
        v, cv = row["valid"], row["valid_cv"]
        log(
            f"{method:>7}: valid acc {100 * v['accuracy']:.1f} mF1 {100 * v['macro_f1']:.1f} "
            f"wF1 {100 * v['weighted_f1']:.1f} KL {v['kl_pred_gold']:.3f} | 2-fold CV acc "
            f"{100 * cv['accuracy']:.1f} mF1 {100 * cv['macro_f1']:.1f} wF1 {100 * cv['weighted_f1']:.1f} "
            f"KL {cv['kl_pred_gold']:.3f}"
        )
    base_acc = rows[0]["valid_cv"]["accuracy"]
    # Both rules read the cross-validated numbers, not the in-sample ones the fit has seen.
    # "kl": the predicted strategy mix must be within max_kl of the gold mix (a project target);
    # among those, the best macro-F1, where candidates within TIE of the best count as equal
    # (half a point is well inside the noise of 2,722 turns) and the more accurate one wins.
    # "acc": the best macro-F1 whose accuracy is within max_acc_drop of the uncalibrated head
    # (the whole-dialogue planner's rule).
    selectable = [r for r in rows if r["method"] != "macro"]
    near_acc = [r for r in selectable if r["valid_cv"]["accuracy"] >= base_acc - args.max_acc_drop]
    near_kl = [r for r in selectable if r["valid_cv"]["kl_pred_gold"] <= args.max_kl]
    pool = near_kl or near_acc
    top = max(r["valid_cv"]["macro_f1"] for r in pool)
    tied = [r for r in pool if r["valid_cv"]["macro_f1"] >= top - TIE]
    picks = {
        "acc": max(near_acc, key=lambda r: r["valid_cv"]["macro_f1"]),
        "kl": max(tied, key=lambda r: (r["valid_cv"]["accuracy"], r["valid_cv"]["macro_f1"])),
    }
    rules = {
        "acc": f"best CV macro-F1 with CV accuracy >= {100 * base_acc:.1f} - {100 * args.max_acc_drop:.1f}",
        "kl": f"best CV macro-F1 (ties within {100 * TIE:.1f} points: best CV accuracy) with CV "
        f"KL(pred || gold) <= {args.max_kl}",
    }
    other = "acc" if args.rule == "kl" else "kl"
    return {
        "rule": rules[args.rule] + " (2-fold CV over valid dialogues)",
        "rows": rows,
        "chosen": picks[args.rule],
        "other_rule": {"rule": rules[other], "chosen": picks[other]},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--run", type=Path, required=True, help="hier_train.py output directory")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--seeds", default="", help="comma-separated seed positions to average (default all)")
    p.add_argument("--max-acc-drop", type=float, default=0.01)
    p.add_argument("--max-kl", type=float, default=0.05)
    p.add_argument("--rule", choices=("kl", "acc"), default="kl", help="how the bias is chosen (see code)")
    p.add_argument("--out", type=Path, default=None, help="default RUN/calibration.json")
    args = p.parse_args(argv)

    if args.seeds:
        per_seed = np.load(args.run / "valid_logp_seeds.npz")["strategy"]
        chosen_seeds = [int(s) for s in args.seeds.split(",")]
        logp = np.log(np.exp(per_seed[chosen_seeds]).mean(0))
    else:
        logp = np.load(args.run / "valid_logp.npz")["strategy"]
    prior = np.load(args.run / "norm.npz")["prior"]
    gold, groups = valid_labels(args.data_dir)
    if len(gold) != len(logp):
        raise SystemExit(f"{len(logp)} valid predictions for {len(gold)} examples")
    result = calibrate(logp, gold, groups, prior, args, log=lambda m: print(m, file=sys.stderr))
    result["run"] = str(args.run)
    result["seeds"] = args.seeds or "all"
    out = args.out or args.run / "calibration.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({"chosen": result["chosen"], "rule": result["rule"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
