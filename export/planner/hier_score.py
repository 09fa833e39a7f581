"""Score the shipped hierarchical planner on one split with the runtime class (batch of one).

    python -m export.planner.hier_score --split test --out bench/results/planner_hier_test.json

Test is scored once, for the model card (reporting only); tuning uses valid.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from export.planner.hier_embed import DEFAULT_DATA_DIR


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--split", default="valid", choices=("valid", "test"))
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--model-dir", type=Path, default=None)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)

    from esc_edge.eval.dialogues import read_jsonl
    from esc_edge.eval.planner import evaluate_planner
    from esc_edge.planner.hier import HierPlanner
    from esc_edge.planner.onnx import DEFAULT_MODEL_DIR

    planner = HierPlanner.from_dir(args.model_dir or DEFAULT_MODEL_DIR, threads=1, cache_size=1 << 16)
    train_share = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text())["train_strategy_share"]
    report = evaluate_planner(
        planner,
        read_jsonl(args.data_dir / f"{args.split}.jsonl"),
        emotion_labels=planner.config.emotion_labels,
        majority_label=max(train_share, key=lambda k: train_share[k]),
    )
    report = {
        "planner": "hier",
        "split": args.split,
        "model_dir": str(planner.model_dir),
        "cache": {"hits": planner.cache.hits, "misses": planner.cache.misses},
        **report,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    s = report["strategy"]
    print(
        f"{args.split}: acc {s['accuracy']:.4f} macro-F1 {s['macro_f1']:.4f} w-F1 {s['weighted_f1']:.4f} "
        f"KL {s['kl_pred_gold']:.4f}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
