"""Planner latency on one thread, batch of one: shipped int8 ONNX vs fp32 ONNX vs torch, and the
hierarchical planner (``hier``) cold and warm.

Writes ``bench/results/planner_latency.json``. Each backend runs the whole planning step
(tokenise, encoder, pooling, heads) on the same dialogues, sized to ~64/128/256 tokens. The fp32
and torch rows need the export artefacts (``--fp32-onnx``, ``--torch-encoder``: see
export/planner/README.md); a row that cannot run is recorded with the reason instead.

The hierarchical planner encodes each utterance once and caches it, so it is timed three ways:
``cold`` (empty cache: every utterance in its window is encoded), ``warm`` (every utterance but
the newest is cached: one new seeker message per turn) and ``warm2`` (the last two are new: the
supporter's reply and the seeker's answer, what a chat turn sees). Every utterance of the bench
dialogues is distinct, so the cache cannot hit inside one dialogue.

    python bench/planner_latency.py --fp32-onnx RUN/export/planner.fp32.onnx \
        --torch-encoder RUN/best/encoder
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from esc_edge.conversation import Turn  # noqa: E402
from esc_edge.planner.features import planner_text, strategy_features  # noqa: E402
from esc_edge.planner.onnx import DEFAULT_MODEL_DIR, OnnxPlanner  # noqa: E402

TARGET_TOKENS = (64, 128, 256)
SENTENCES = (
    ("seeker", "I have been feeling really anxious since I lost my job last month."),
    ("supporter", "That sounds really hard. How have you been coping with it?"),
    ("seeker", "Not well, I cannot sleep and I keep worrying about the rent."),
    ("supporter", "It makes sense that you feel worried when money is uncertain."),
    ("seeker", "My family says I should just apply everywhere but I feel stuck."),
    ("supporter", "I was once out of work too, and it took me a while to find my feet."),
)


def dialogue_of(tokens: int, count: Callable[[str], int]) -> list[Turn]:
    """The shortest dialogue whose planner text reaches ``tokens`` tokens (capped by truncation)."""
    turns: list[Turn] = []
    strategies = ("Question", "Reflection of feelings", "Self-disclosure")
    while count(planner_text(turns)) < tokens and len(turns) < 200:
        speaker, text = SENTENCES[len(turns) % len(SENTENCES)]
        # distinct texts: a cache keyed by utterance must not hit within the dialogue
        text = f"{text[:-1]}, day {len(turns) + 1}{text[-1]}"
        strategy = strategies[len(turns) % 3] if speaker == "supporter" else None
        turns.append(Turn(speaker, text, strategy))  # type: ignore[arg-type]
    return turns


def timed(
    fn: Callable[[], Any], runs: int, warmup: int, setup: Callable[[], Any] | None = None
) -> dict[str, float]:
    for _ in range(warmup):
        if setup:
            setup()
        fn()
    samples = []
    for _ in range(runs):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 2),
        "mean_ms": round(statistics.fmean(samples), 2),
        "min_ms": round(samples[0], 2),
    }


def onnx_rows(
    planner: OnnxPlanner, dialogues: dict[int, list[Turn]], runs: int, warmup: int
) -> dict[str, Any]:
    return {
        str(n): timed(lambda t=turns: planner.probabilities(t), runs, warmup)
        for n, turns in dialogues.items()
    }


def fp32_planner(model_dir: Path, fp32: Path, tmp: Path) -> OnnxPlanner:
    """The shipped directory with the fp32 encoder swapped in (same tokenizer, heads, config)."""
    stage = tmp / "fp32"
    shutil.copytree(model_dir, stage, ignore=shutil.ignore_patterns("*.onnx", "*.md"))
    config = json.loads((stage / "config.json").read_text())
    shutil.copy2(fp32, stage / "encoder.fp32.onnx")
    config["onnx_file"] = "encoder.fp32.onnx"
    (stage / "config.json").write_text(json.dumps(config))
    return OnnxPlanner.from_dir(stage, threads=1)


def torch_rows(
    encoder_dir: Path, planner: OnnxPlanner, dialogues: dict[int, list[Turn]], runs: int, warmup: int
) -> dict[str, Any]:
    import numpy as np
    import torch
    from transformers import AutoModel

    torch.set_num_threads(1)
    encoder = AutoModel.from_pretrained(str(encoder_dir), local_files_only=True).eval()
    tokenizer = planner._tokenizer
    heads = planner._heads

    def plan(turns: list[Turn]) -> Any:
        ids = torch.tensor([tokenizer.encode(planner_text(turns)).ids])
        with torch.inference_mode():
            hidden = encoder(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
        joined = np.concatenate(
            [hidden[0].mean(0).numpy(), np.asarray(strategy_features(turns), dtype=np.float32)]
        )
        return joined @ heads.strategy_w + heads.strategy_b

    return {str(n): timed(lambda t=turns: plan(t), runs, warmup) for n, turns in dialogues.items()}


def hier_rows(model_dir: Path, dialogues: dict[int, list[Turn]], runs: int, warmup: int) -> dict[str, Any]:
    from esc_edge.planner.hier import HierPlanner, utterance_text

    planner = HierPlanner.from_dir(model_dir, threads=1)

    def prime(turns: list[Turn], new: int) -> Callable[[], None]:
        def setup() -> None:
            planner.cache.clear()
            if len(turns) > new:
                planner.encode([utterance_text(t) for t in turns[: len(turns) - new]][-planner.config.k :])

        return setup

    rows: dict[str, Any] = {}
    for mode, new in (("cold", None), ("warm", 1), ("warm2", 2)):
        # one flat row per mode, like the other backends, so the suite's report renders them
        rows[f"hier_{mode}"] = {}
        for n, turns in dialogues.items():
            fresh = len(turns) if new is None else new
            rows[f"hier_{mode}"][str(n)] = timed(
                lambda t=turns: planner.probabilities(t), runs, warmup, prime(turns, fresh)
            )
    return rows


def hier_window(model_dir: Path, dialogues: dict[int, list[Turn]]) -> dict[str, Any]:
    """How many utterances (and tokens) the hierarchical planner reads at each context size."""
    from esc_edge.planner.hier import HierPlanner, utterance_text

    planner = HierPlanner.from_dir(model_dir, threads=1)
    k = planner.config.k
    return {
        "utterances": {str(n): min(len(t), k) for n, t in dialogues.items()},
        "tokens": {
            str(n): sum(len(planner._tokenizer.encode(utterance_text(u)).ids) for u in t[-k:])
            for n, t in dialogues.items()
        },
    }


def machine() -> dict[str, Any]:
    import numpy
    import onnxruntime
    import tokenizers

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {
        "python": platform.python_version(),
        "onnxruntime": onnxruntime.__version__,
        "tokenizers": tokenizers.__version__,
        "numpy": numpy.__version__,
    }
    try:
        import torch

        versions["torch"] = torch.__version__
    except ImportError:
        pass
    return {"cpu": cpu, "logical_cpus": os.cpu_count(), "platform": platform.platform(), "versions": versions}


def size_mb(path: Path) -> float:
    if path.is_dir():
        return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 3)
    return round(path.stat().st_size / 1e6, 3)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    p.add_argument("--fp32-onnx", type=Path, default=None)
    p.add_argument("--torch-encoder", type=Path, default=None)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "planner_latency.json")
    args = p.parse_args(argv)

    load_before = os.getloadavg()
    int8 = OnnxPlanner.from_dir(args.model_dir, threads=1)
    tokenizer = int8._tokenizer
    dialogues = {n: dialogue_of(n, lambda s: len(tokenizer.encode(s).ids)) for n in TARGET_TOKENS}
    result: dict[str, Any] = {
        "benchmark": "planner latency, batch of one, 1 thread, full plan step",
        "machine": machine(),
        "runs": args.runs,
        "warmup": args.warmup,
        "context_tokens": {str(n): len(tokenizer.encode(planner_text(t)).ids) for n, t in dialogues.items()},
        "rows": {},
        "sizes_mb": {
            "int8_onnx": size_mb(args.model_dir / int8.config.onnx_file),
            "int8_model_dir": size_mb(args.model_dir),
        },
        "notes": [],
    }
    rows = result["rows"]
    rows["onnx_int8"] = onnx_rows(int8, dialogues, args.runs, args.warmup)
    with tempfile.TemporaryDirectory() as tmp:
        if args.fp32_onnx and args.fp32_onnx.is_file():
            rows["onnx_fp32"] = onnx_rows(
                fp32_planner(args.model_dir, args.fp32_onnx, Path(tmp)), dialogues, args.runs, args.warmup
            )
            result["sizes_mb"]["fp32_onnx"] = size_mb(args.fp32_onnx)
        else:
            result["notes"].append("fp32 ONNX row skipped: pass --fp32-onnx (export work dir)")
    if args.torch_encoder and args.torch_encoder.is_dir():
        try:
            rows["torch_fp32"] = torch_rows(args.torch_encoder, int8, dialogues, args.runs, args.warmup)
            result["sizes_mb"]["torch_encoder"] = size_mb(args.torch_encoder)
        except ImportError as exc:
            result["notes"].append(f"torch row skipped: {exc}")
    else:
        result["notes"].append("torch row skipped: pass --torch-encoder (train run best/encoder)")
    if (args.model_dir / "hier.json").is_file():
        rows.update(hier_rows(args.model_dir, dialogues, args.runs, args.warmup))
        result["hier_window"] = hier_window(args.model_dir, dialogues)
    else:
        result["notes"].append("hier rows skipped: no hier.json in the model directory")
    result["ratios"] = ratios(rows, result["sizes_mb"])
    result["load_average_before_after"] = [list(load_before), list(os.getloadavg())]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


def ratios(rows: dict[str, Any], sizes: dict[str, float]) -> dict[str, Any]:
    """Speed-ups of int8 over the other rows (p50 of other / p50 of int8) and size ratios."""
    out: dict[str, Any] = {}
    for other in ("onnx_fp32", "torch_fp32"):
        if other in rows:
            out[f"p50_{other}_over_int8"] = {
                n: round(rows[other][n]["p50_ms"] / rows["onnx_int8"][n]["p50_ms"], 2)
                for n in rows["onnx_int8"]
            }
    for other in ("onnx_int8", "onnx_fp32", "torch_fp32"):
        for mode in ("cold", "warm", "warm2"):
            if other in rows and f"hier_{mode}" in rows:
                out[f"p50_{other}_over_hier_{mode}"] = {
                    n: round(rows[other][n]["p50_ms"] / rows[f"hier_{mode}"][n]["p50_ms"], 2)
                    for n in rows["onnx_int8"]
                }
    for other in ("fp32_onnx", "torch_encoder"):
        if other in sizes:
            out[f"size_{other}_over_int8"] = round(sizes[other] / sizes["int8_onnx"], 2)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
