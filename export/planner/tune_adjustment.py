"""Choose the logit-adjustment strength tau on VALID (test is never read here).

Strategy probabilities become softmax(log p - tau * log prior_train): tau = 0 is the trained
model, tau = 1 the classic balanced-error adjustment (Menon et al., 2021). It trades a little
accuracy for macro-F1 and a predicted-label histogram closer to the gold one (lower KL). The
chosen tau is passed to export_onnx.py, which folds it into the head bias.

    python export/planner/tune_adjustment.py --run-dir RUN [--probs RUN/valid_probs_stepN.npz]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data" / "esconv"
KEYS = ("accuracy", "macro_f1", "weighted_f1", "kl_pred_gold", "kl_meanprob_gold")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--run-dir", type=Path, required=True)
    p.add_argument("--probs", type=Path, default=None, help="default: the best step's npz")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument(
        "--max-acc-drop",
        type=float,
        default=0.01,
        help="pick the tau with the best macro-F1 whose valid accuracy is within this of tau=0",
    )
    args = p.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from esc_edge.eval.metrics import classification_report
    from esc_edge.planner.strategies import NAMES
    from export.planner.data import load_examples

    if args.probs is None:
        step = json.loads((args.run_dir / "best" / "report.json").read_text())["step"]
        args.probs = args.run_dir / f"valid_probs_step{step}.npz"
    probs = np.load(args.probs)["strategy"].astype(np.float64)
    gold = [ex.strategy for ex in load_examples(args.data_dir / "valid.jsonl")]
    train = [ex.strategy for ex in load_examples(args.data_dir / "train.jsonl")]
    prior = np.bincount(train, minlength=len(NAMES)) / len(train)
    rows = []
    for tau in np.round(np.arange(0.0, 1.01, 0.1), 2):
        logits = np.log(np.clip(probs, 1e-12, None)) - tau * np.log(prior)
        adjusted = np.exp(logits - logits.max(1, keepdims=True))
        adjusted /= adjusted.sum(1, keepdims=True)
        report = classification_report(gold, adjusted, NAMES)
        rows.append({"tau": float(tau), **{k: round(report[k], 4) for k in KEYS}})
        print(json.dumps(rows[-1]))
    base_acc = rows[0]["accuracy"]
    eligible = [r for r in rows if r["accuracy"] >= base_acc - args.max_acc_drop]
    best = max(eligible, key=lambda r: r["macro_f1"])
    print(
        json.dumps(
            {
                "chosen": best,
                "rule": f"max macro-F1 with accuracy >= {base_acc:.4f} - {args.max_acc_drop}",
                "probs": str(args.probs),
            }
        )
    )
    (args.run_dir / "tau.json").write_text(json.dumps({"rows": rows, "chosen": best}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
