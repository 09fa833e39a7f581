"""Score the safety layer on bench/safety/eval_set.jsonl and write bench/results/safety_eval.json.

    python bench/safety/run_eval.py [--data FILE] [--out FILE]

Reports recall per category and false-positive rate per kind, for the whole set and separately
for the dev split (examples the rules were tuned on) and the holdout split, plus latency (wall
clock and CPU time per message, single thread) and a stress check on hostile inputs.

Blind sets are scored once per detector and then spent: ``holdout9.jsonl`` was scored before and
after round 5 and is development data from round 6 on (rules were written against its misses);
``holdout10*.jsonl`` was the next blind set (spent after round 6b); ``holdout11.jsonl`` followed,
written without the detector and scored by the lead once per detector.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from esc_edge.safety.classifier import MODEL_FILE, HashedLogReg  # noqa: E402
from esc_edge.safety.detector import Blend, ClassifierLayer, LayeredSafetyCheck  # noqa: E402
from esc_edge.safety.embedding import MODEL_FILE as HEAD_FILE  # noqa: E402
from esc_edge.safety.embedding import EmbeddingHead  # noqa: E402
from esc_edge.safety.encoder_head import HEAD_FILE as ENCODER_HEAD_FILE  # noqa: E402
from esc_edge.safety.encoder_head import EncoderHead, EncoderLayer  # noqa: E402
from esc_edge.safety.evaluate import evaluate, load_rows  # noqa: E402


def stress(check: LayeredSafetyCheck) -> dict[str, float]:
    """Seconds for hostile inputs: each must return, none may raise."""
    cases = {
        "empty": "",
        "500k_chars": ("I had a long day at work and " * 20_000)[:500_000],
        "500k_buried_risk": ("lorem ipsum dolor sit amet. " * 9_000)
        + "i am going to kill myself tonight. "
        + ("lorem ipsum dolor sit amet. " * 9_000),
        "binary_like": bytes(range(256)).decode("latin-1") * 200,
        "mixed_script": "我想 kill мне ça 死にたい " * 500,
        "regex_bait": "a " * 50_000 + "!",
    }
    out: dict[str, float] = {}
    for name, text in cases.items():
        start = time.perf_counter()
        result = check.assess(None, text)
        out[name] = round(time.perf_counter() - start, 3)
        out[name + "_crisis"] = result.crisis
    return out


def machine() -> dict[str, object]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=HERE / "eval_set.jsonl")
    parser.add_argument("--out", type=Path, default=HERE.parent / "results" / "safety_eval.json")
    parser.add_argument(
        "--models",
        type=Path,
        default=None,
        help="directory with classifier.npz (+ embedding_head.npz) to use instead of the packaged ones",
    )
    parser.add_argument("--rules-only", action="store_true", help="no learned layer")
    parser.add_argument("--no-encoder", action="store_true", help="leave the sentence-encoder head out")
    args = parser.parse_args()

    if args.rules_only:
        check = LayeredSafetyCheck()
    elif args.models:
        head_path = args.models / HEAD_FILE
        head = EmbeddingHead.load(head_path) if head_path.exists() else None
        encoder_path = args.models / ENCODER_HEAD_FILE
        encoder = (
            EncoderLayer(EncoderHead.load(encoder_path))
            if encoder_path.exists() and not args.no_encoder
            else None
        )
        check = LayeredSafetyCheck(
            layers=[ClassifierLayer(Blend(HashedLogReg.load(args.models / MODEL_FILE), head))],
            encoder=encoder,
        )
    else:
        check = LayeredSafetyCheck.create(use_encoder=not args.no_encoder)
    rows = load_rows(args.data)
    splits = sorted({str(r.get("split")) for r in rows if r.get("split")})
    report: dict[str, object] = {
        "data": str(args.data.name),
        "models": "rules only" if args.rules_only else str(args.models or "packaged"),
        "encoder_head": not (args.rules_only or args.no_encoder),
        "machine": machine(),
        "all": evaluate(rows, check=check),
    }
    for split in splits:
        report[split] = evaluate([r for r in rows if r.get("split") == split], check=check)
    if "holdout" in splits:
        report["careful_mode_holdout"] = evaluate(
            [r for r in rows if r.get("split") == "holdout"], check=check, careful=True
        )
    report["stress_seconds"] = stress(check)
    for key in ("all", *splits, "careful_mode_holdout"):
        if isinstance(report.get(key), dict):
            # Every miss of a small probe set is worth reading; the big set keeps the file short.
            cap = 200 if key != "all" or len(rows) <= 500 else 50
            report[key]["misses"] = report[key]["misses"][:cap]  # type: ignore[index]
            report[key]["false_alarms"] = report[key]["false_alarms"][:cap]  # type: ignore[index]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for key in (*splits, "all"):
        part = report[key]
        assert isinstance(part, dict)
        o = part["overall"]
        print(
            f"{key:8} recall {o['recall']:.3f} ({o['tp']}/{o['positives']})  fpr {o['fpr']:.3f} "
            f"({o['fp']}/{o['negatives']})  cpu p50 {part['cpu_ms']['p50']:.2f} ms "
            f"p95 {part['cpu_ms']['p95']:.2f} ms"
        )
    print("stress", report["stress_seconds"])


if __name__ == "__main__":
    main()
