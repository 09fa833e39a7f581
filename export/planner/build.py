"""Rebuild the shipped planner end to end: train -> tune tau on valid -> export int8 -> card.

    python -m export.planner.build --run-dir /tmp/planner-run [--base-model DIR] [--data-dir DIR]

Every step is resumable or idempotent: re-running continues training from the last checkpoint
and redoes the cheap steps. Extra training options can follow ``--``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from export.planner import export_onnx, model_card, train, tune_adjustment

REPO = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--run-dir", type=Path, required=True)
    p.add_argument("--data-dir", type=Path, default=train.DEFAULT_DATA_DIR)
    p.add_argument("--base-model", type=Path, default=None)
    p.add_argument("--out", type=Path, default=export_onnx.DEFAULT_OUT)
    p.add_argument("--tau", type=float, default=None, help="skip tuning, use this tau")
    args, extra = p.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]
    common = ["--run-dir", str(args.run_dir), "--data-dir", str(args.data_dir)]
    base = ["--base-model", str(args.base_model)] if args.base_model else []
    if train.main([*common, *base, *extra]) != 0:
        return 1
    if args.tau is None:
        tune_adjustment.main(common)
        args.tau = json.loads((args.run_dir / "tau.json").read_text())["chosen"]["tau"]
    code = export_onnx.main([*common, "--out", str(args.out), "--logit-adjust-tau", str(args.tau)])
    if code != 0:
        return code
    return model_card.main(
        [
            *common,
            "--model-dir",
            str(args.out),
            "--command",
            "python -m export.planner.build " + " ".join(sys.argv[1:] if argv is None else argv),
        ]
    )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
