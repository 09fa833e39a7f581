"""CPU time per message of each safety layer, interleaved so that load on the machine hits all alike.

    OMP_NUM_THREADS=1 python bench/safety/latency.py [--n 600] [--out bench/results/safety_latency.json]
    OMP_NUM_THREADS=1 python bench/safety/latency.py --esconv ../shared/data/esconv/valid.jsonl ...

Per message of bench/safety/eval_set.jsonl (first N; or ``--data`` another labelled set, or
``--esconv`` the seeker turns of an ESConv split): the n-gram model alone, the static-vector head
alone, and the whole check with rules only, rules + n-grams, rules + the n-gram blend (no encoder),
and as shipped (the sentence-encoder head behind its gate, the encoder's cache emptied before each
message so every pass is paid), also in careful mode. ``turn_*`` is what a chat turn spends on the
message before the reply: the shipped check sharing the planner's encoder and then the planner
encoding the same message (a cache hit when the gate opened), against the check without encoder
head followed by the planner's encoder pass. ``encoder_gate_passed`` is the share of messages
that ran the encoder.
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
from esc_edge.planner.hier import HierPlanner  # noqa: E402
from esc_edge.safety.classifier import HashedLogReg  # noqa: E402
from esc_edge.safety.detector import Blend, ClassifierLayer, LayeredSafetyCheck  # noqa: E402
from esc_edge.safety.embedding import EmbeddingHead  # noqa: E402
from esc_edge.safety.encoder_head import encoder_text  # noqa: E402
from esc_edge.safety.evaluate import load_rows  # noqa: E402
from export.safety.train_classifier import seeker_turns  # noqa: E402


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000, 3)  # noqa: E731
    return {"p50_ms": pick(0.5), "p95_ms": pick(0.95), "mean_ms": round(sum(values) / len(values) * 1000, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=HERE / "eval_set.jsonl")
    parser.add_argument("--esconv", type=Path, default=None, help="ESConv JSONL: its seeker turns")
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--gate", type=float, default=None, help="encoder gate (default: the shipped one)")
    parser.add_argument("--out", type=Path, default=HERE.parent / "results" / "safety_latency.json")
    args = parser.parse_args()

    hashed, head = HashedLogReg.load(), EmbeddingHead.load()
    planner = HierPlanner.from_dir(threads=1)
    gate_option = {} if args.gate is None else {"encoder_gate": args.gate}
    full = LayeredSafetyCheck.create(encoder=planner, **gate_option)  # type: ignore[arg-type]
    cheap = LayeredSafetyCheck.create(use_encoder=False)
    assert full.encoder is not None
    gate = full.encoder.gate
    passed: list[bool] = []

    def shipped(text: str) -> object:
        planner.cache.clear()  # every message pays its encoder pass, as a new message does
        return full.assess(None, text)

    def shipped_careful(text: str) -> object:  # after a crisis: lower bar, the head never lowers
        planner.cache.clear()
        return full.assess(None, text, careful=True)

    def turn_shared(text: str) -> object:
        planner.cache.clear()
        result = full.assess(None, text)
        planner.encode([encoder_text(text)])  # the planner: a cache hit if the gate opened
        return result

    def turn_separate(text: str) -> object:
        planner.cache.clear()
        result = cheap.assess(None, text)
        planner.encode([encoder_text(text)])
        return result

    runs: dict[str, Callable[[str], object]] = {
        "ngram_model_alone": hashed.predict,
        "static_head_alone": head.predict,
        "encoder_pass_alone": lambda t: planner._encode_batch([encoder_text(t)]),
        "check_rules_only": lambda t: LayeredSafetyCheck().assess(None, t),
        "check_rules_ngrams": lambda t: LayeredSafetyCheck(
            layers=[ClassifierLayer(Blend(hashed, None))]
        ).assess(None, t),
        "check_without_encoder": lambda t: cheap.assess(None, t),
        "check_shipped": shipped,
        "check_shipped_careful": shipped_careful,
        "turn_check_then_planner_shared": turn_shared,
        "turn_check_then_planner_separate": turn_separate,
    }
    if args.esconv:
        texts = seeker_turns(args.esconv)[: args.n]
        data_name = f"{args.esconv.name} seeker turns"
    else:
        texts = [str(r["text"]) for r in load_rows(args.data)][: args.n]
        data_name = args.data.name
    for text in texts[:20]:  # warm caches (rule tables, regexes, the ONNX session)
        for run in runs.values():
            run(text)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for text in texts:
        passed.append(cheap.assess(None, text).score >= gate)
        for name, run in runs.items():
            start = time.process_time()
            run(text)
            times[name].append(time.process_time() - start)
    report = {
        "data": data_name,
        "messages": len(texts),
        "machine": machine(),
        "encoder_gate": gate,
        "encoder_gate_passed": round(sum(passed) / len(passed), 4),
        "cpu_time_per_message": {name: percentiles(v) for name, v in times.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for name, stats in report["cpu_time_per_message"].items():  # type: ignore[union-attr]
        print(f"{name:34} p50 {stats['p50_ms']:.3f} ms  p95 {stats['p95_ms']:.3f} ms")
    print("encoder gate passed", report["encoder_gate_passed"])


if __name__ == "__main__":
    main()
