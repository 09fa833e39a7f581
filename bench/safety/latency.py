"""CPU time per message of each safety layer, interleaved so that load on the machine hits all alike.

    OMP_NUM_THREADS=1 python bench/safety/latency.py [--n 600] [--out bench/results/safety_latency.json]

Per message of bench/safety/eval_set.jsonl (first N): the n-gram model alone, the encoder head
alone, and the whole check with rules only, rules + n-grams, and rules + the shipped blend.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.safety.run_eval import machine  # noqa: E402
from esc_edge.safety.classifier import HashedLogReg  # noqa: E402
from esc_edge.safety.detector import Blend, ClassifierLayer, LayeredSafetyCheck  # noqa: E402
from esc_edge.safety.embedding import EmbeddingHead  # noqa: E402
from esc_edge.safety.evaluate import load_rows  # noqa: E402


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000, 3)  # noqa: E731
    return {"p50_ms": pick(0.5), "p95_ms": pick(0.95), "mean_ms": round(sum(values) / len(values) * 1000, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=HERE / "eval_set.jsonl")
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--out", type=Path, default=HERE.parent / "results" / "safety_latency.json")
    args = parser.parse_args()

    hashed, head = HashedLogReg.load(), EmbeddingHead.load()
    full = LayeredSafetyCheck.create()
    runs: dict[str, Callable[[str], object]] = {
        "ngram_model_alone": hashed.predict,
        "encoder_head_alone": head.predict,
        "check_rules_only": lambda t: LayeredSafetyCheck().assess(None, t),
        "check_rules_ngrams": lambda t: LayeredSafetyCheck(
            layers=[ClassifierLayer(Blend(hashed, None))]
        ).assess(None, t),
        "check_shipped": lambda t: full.assess(None, t),
    }
    texts = [str(r["text"]) for r in load_rows(args.data)][: args.n]
    for text in texts[:20]:  # warm caches (rule tables, regexes)
        for run in runs.values():
            run(text)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for text in texts:
        for name, run in runs.items():
            start = time.process_time()
            run(text)
            times[name].append(time.process_time() - start)
    report = {
        "data": args.data.name,
        "messages": len(texts),
        "machine": machine(),
        "cpu_time_per_message": {name: percentiles(v) for name, v in times.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for name, stats in report["cpu_time_per_message"].items():  # type: ignore[union-attr]
        print(f"{name:22} p50 {stats['p50_ms']:.3f} ms  p95 {stats['p95_ms']:.3f} ms")


if __name__ == "__main__":
    main()
