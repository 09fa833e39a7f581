"""The benchmark suite behind `esc-edge bench`: what a support turn costs on this machine.

    python -m bench.suite [--quick] [--out DIR] [--name NAME] [--model GGUF] [--runtime auto]

Sections (each runs when its component exists, else it is recorded as ``skipped: <reason>``):

* ``bandwidth``   single-thread memory read bandwidth and matmul throughput: the physical limit.
* ``planner``     planner latency by context length, int8 vs fp32 ONNX (vs torch): bench/planner_latency.py.
* ``policy``      time to first token by context length and decode tokens/s, by quantisation ×
                  threads, with llama.cpp's own prompt/eval timings and the share of the bandwidth bound.
* ``overhead``    our generator vs bare llama-cpp-python (bench/generator_overhead.py), KV reuse.
* ``transformers``the same GGUF weights in transformers on the CPU (the torch path), if installed.
* ``e2e``         the scripted conversation (bench/scenario.yaml) through the whole engine:
                  safety + plan + reply per turn; peak RSS.
* ``constraints`` the same conversation with the decoding constraints off.
* ``cold_start``  a fresh interpreter: import + load both models, warm disk cache.
* ``spread``      llama.cpp settings that could explain why one machine decodes 3× faster than
                  another: threads × OpenMP wait policy, pinning, batch, context, repacking, ...

Every thread/policy variant runs in its own process (``bench/probes.py``): OpenMP reads
``OMP_WAIT_POLICY`` once per process. Results go to ``bench/results/<name>.{json,md,png}``.
``--quick`` (< 1 min on 2 cores) runs one thread setting, few repeats and no peers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.machine import RESULTS, machine, percentile, runtime_info, write_result  # noqa: E402
from bench.probes import MARKER  # noqa: E402

SCHEMA = "esc-edge.bench/1"
SCENARIO = Path(__file__).resolve().parent / "scenario.yaml"
QUANTS = ("Q4_1", "Q8_0", "Q4_K_M", "Q4_0")
SECTIONS = (
    "bandwidth",
    "planner",
    "policy",
    "overhead",
    "transformers",
    "e2e",
    "constraints",
    "cold_start",
    "spread",
)
PEERS = ("overhead", "transformers")


# -- options and plumbing ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SuiteOptions:
    quick: bool = False
    name: str | None = None
    out_dir: Path = RESULTS
    runtime: str = "auto"
    model: Path | None = None  # policy base GGUF (default: the registry's)
    lora: Path | None = None  # adapter GGUF (default: the registry policy's, if any)
    policy: str | None = None  # registry policy name (default: the registry's default)
    sections: tuple[str, ...] = SECTIONS
    threads: tuple[int, ...] = (1, 2)
    quants: tuple[str, ...] = QUANTS
    repeats: int = 5
    tokens: int = 64
    conversation_repeats: int = 3
    cold_repeats: int = 5
    cache_dir: Path | None = None  # derived quantisations (default: the user cache)
    planner_fp32: Path | None = None
    planner_torch: Path | None = None
    planner_run: Path | None = None  # a planner training run: its fp32 ONNX and torch encoder
    plot: bool = True
    timeout_s: float = 900.0

    def resolved(self) -> SuiteOptions:
        """The quick profile: one thread setting, few repeats, no peers, no spread."""
        if not self.quick:
            return self
        return replace(
            self,
            sections=tuple(s for s in self.sections if s not in (*PEERS, "constraints", "spread")),
            threads=self.threads[:1],
            quants=self.quants[:1],
            repeats=min(self.repeats, 3),
            tokens=min(self.tokens, 32),
            conversation_repeats=1,
            cold_repeats=0,
        )

    @property
    def result_name(self) -> str:
        return self.name or ("quick" if self.quick else "suite")


class ProbeFailed(RuntimeError):
    pass


class ProbeRunner(Protocol):
    def __call__(
        self, name: str, args: dict[str, Any], env: dict[str, str] | None = None, timeout: float = 900
    ) -> dict[str, Any]: ...


class SubprocessRunner:
    """Runs ``python -m bench.probes NAME JSON`` in a fresh interpreter and parses its result line."""

    def __init__(self, python: str = sys.executable, repo: Path = REPO) -> None:
        self.python = python
        self.repo = repo

    def __call__(
        self, name: str, args: dict[str, Any], env: dict[str, str] | None = None, timeout: float = 900
    ) -> dict[str, Any]:
        path = os.pathsep.join(filter(None, [str(self.repo), os.environ.get("PYTHONPATH")]))
        full_env = {**os.environ, "PYTHONPATH": path, "OMP_WAIT_POLICY": "PASSIVE", **(env or {})}
        payload = json.dumps({**args, "spawned_at": time.time()})
        try:
            proc = subprocess.run(
                [self.python, "-m", "bench.probes", name, payload],
                cwd=self.repo,
                env=full_env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise ProbeFailed(f"probe {name} timed out after {timeout:.0f} s") from None
        for line in reversed(proc.stdout.splitlines()):
            if line.startswith(MARKER):
                result: dict[str, Any] = json.loads(line[len(MARKER) :])
                return result
        tail = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise ProbeFailed(f"probe {name} failed: {tail}")


@dataclass
class Context:
    options: SuiteOptions
    run_probe: ProbeRunner
    model: Path | None
    lora: Path | None
    scenario: Path = SCENARIO
    sections: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True)

    def probe(self, name: str, args: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, Any]:
        return self.run_probe(name, args, env, self.options.timeout_s)

    @property
    def n_gpu_layers(self) -> int:
        info = self.sections.get("runtime", {})
        return int(info.get("n_gpu_layers", 0)) if info.get("policy_device") == "gpu" else 0


class Skip(Exception):
    """Raised by a section that cannot run here; the message is the reason."""


def latency(values: Sequence[float]) -> dict[str, Any]:
    """Median and p95 of a latency (higher is worse)."""
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(percentile(list(values), 0.95), 2),
        "n": len(values),
    }


def rate(values: Sequence[float]) -> dict[str, Any]:
    """Median and the p95 slow tail (5th percentile) of a rate (higher is better)."""
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(percentile(list(values), 0.05), 2),
        "n": len(values),
    }


# -- sections -------------------------------------------------------------------------------------------
def section_bandwidth(ctx: Context) -> dict[str, Any]:
    result = ctx.probe(
        "bandwidth",
        {
            "mb": 512,
            "repeats": 3 if ctx.options.quick else 7,
            "with_stream_neighbour": not ctx.options.quick,
        },
        env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    )
    out = {
        "read_gb_s": rate(result["read_gb_s"]),
        "read_gb_s_best": round(result["read_gb_s_best"], 2),
        "matmul_gflops": round(result["matmul_gflops_median"], 1),
        "buffer_mb": result["buffer_mb"],
        "method": "numpy float64 sum over a 512 MB buffer, one thread, median of repeats",
    }
    shared = result.get("read_gb_s_with_stream_neighbour") or []
    if shared:
        # A host whose memory is busy with other tenants looks like this from inside the VM.
        out["read_gb_s_with_stream_neighbour"] = rate(shared)
        out["share_left_by_neighbour"] = round(
            statistics.median(shared) / statistics.median(result["read_gb_s"]), 3
        )
    return out


def section_planner(ctx: Context) -> dict[str, Any]:
    if not (REPO / "bench" / "planner_latency.py").is_file():
        raise Skip("bench/planner_latency.py is not in this checkout")
    model_dir = REPO / "esc_edge" / "planner" / "model"
    if not (model_dir / "config.json").is_file():
        raise Skip(f"no planner model in {model_dir.relative_to(REPO)} yet")
    out = ctx.options.out_dir / f".{ctx.options.result_name}.planner.json"
    args: dict[str, Any] = {
        "runs": 20 if ctx.options.quick else 100,
        "out": str(out),
        "model_dir": str(model_dir),
    }
    if not ctx.options.quick:
        fp32, torch_dir = planner_peers(ctx.options)
        args["fp32"] = str(fp32) if fp32 else None
        args["torch"] = (
            str(torch_dir) if torch_dir and not missing_modules(("torch", "transformers")) else None
        )
    result = ctx.probe("planner", args, env={"OMP_NUM_THREADS": "1"})
    out.unlink(missing_ok=True)
    return {
        "context_tokens": result.get("context_tokens"),
        "rows": result.get("rows"),
        "ratios": result.get("ratios"),
        "sizes_mb": result.get("sizes_mb"),
        "notes": result.get("notes", []),
        "maxrss_mb": result.get("maxrss_mb"),
    }


def planner_peers(options: SuiteOptions) -> tuple[Path | None, Path | None]:
    """The fp32 ONNX planner and its torch encoder: given, or found in a training run's folders."""
    fp32, torch_dir = options.planner_fp32, options.planner_torch
    run = options.planner_run
    if run is not None:
        if fp32 is None:
            found = [p for p in (run / "export" / "planner.fp32.onnx", run / "export" / "fp32" / "model.onnx")
                     if p.is_file()]  # fmt: skip
            fp32 = found[0] if found else None
        if torch_dir is None and (run / "best" / "encoder" / "config.json").is_file():
            torch_dir = run / "best" / "encoder"
    return fp32, torch_dir


def _variant(ctx: Context, quant: str) -> Path:
    assert ctx.model is not None
    if quant == "Q4_1" and ctx.model.name.endswith("Q4_1.gguf"):
        return ctx.model
    from bench.weights import variant_path

    cache = ctx.options.cache_dir or _default_cache()
    path = variant_path(ctx.model, quant, cache)
    if not path.is_file():
        ctx.log(f"  deriving {quant} from {ctx.model.name} into {cache}")
        ctx.probe("quantize", {"model": str(ctx.model), "ftype": quant, "cache_dir": str(cache)})
    return path


def _default_cache() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("esc-edge", appauthor=False)) / "bench"


def decode_cell(
    ctx: Context,
    model: Path,
    threads: int,
    contexts: Sequence[int],
    *,
    omp: str = "PASSIVE",
    label: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """One llama setting in its own process: TTFT by context, decode tok/s, llama's own timings."""
    from bench.weights import weight_bytes

    args = {
        "model": str(model),
        "threads": threads,
        "repeats": ctx.options.repeats,
        "tokens": ctx.options.tokens,
        "scenario": str(ctx.scenario),
        "contexts": list(contexts),
        "n_gpu_layers": ctx.n_gpu_layers,
        **extra,
    }
    raw = ctx.probe("decode", args, env={"OMP_WAIT_POLICY": omp})
    weights = weight_bytes(model)
    cell: dict[str, Any] = {
        "label": label,
        "threads": threads,
        "omp_wait_policy": raw.get("omp_wait_policy"),
        **extra,
        "file_mb": round(model.stat().st_size / 1e6, 1),
        "bytes_read_per_token": weights.per_token,
        "load_s": round(raw["load_s"], 3),
        "ttft_ms": {n: latency(c["ttft_ms"]) for n, c in raw["contexts"].items()},
        "llama_prompt_tok_s": {
            n: rate([int(n) * 1000 / ms for ms in c["llama_prompt_ms"] if ms])
            for n, c in raw["contexts"].items()
        },
        "decode_tok_s": rate(raw["decode_tok_s"]),
        "llama_eval_tok_s": rate(raw["llama_eval_tok_s"]),
        "produced": raw["produced"],
        "cpu_shares": raw.get("cpu_shares"),
        "affinity": raw.get("affinity"),
        "neighbour": raw.get("neighbour"),
        "maxrss_mb": raw.get("maxrss_mb"),
    }
    bandwidth = ctx.sections.get("bandwidth", {}).get("read_gb_s", {}).get("p50")
    if bandwidth and cell["decode_tok_s"]["p50"]:
        bound = bandwidth * 1e9 / weights.per_token
        cell["bandwidth_bound_tok_s"] = round(bound, 1)
        cell["bandwidth_fraction"] = round(cell["decode_tok_s"]["p50"] / bound, 3)
    return cell


def _need_model(ctx: Context) -> Path:
    if ctx.model is None:
        raise Skip("no policy GGUF: pass --model PATH or run `esc-edge pull`")
    return ctx.model


def section_policy(ctx: Context) -> dict[str, Any]:
    _need_model(ctx)
    headline_contexts = (0, 5, 11)
    cells, notes = [], []
    for quant in ctx.options.quants:
        try:
            model = _variant(ctx, quant)
        except Exception as exc:
            notes.append(f"{quant} skipped: {exc}")
            continue
        for threads in ctx.options.threads:
            first = quant == ctx.options.quants[0] and threads == ctx.options.threads[0]
            # --quick: the shortest context only (a long Q4_1 prefill alone takes seconds).
            contexts = (0,) if ctx.options.quick else headline_contexts if first else (5,)
            ctx.log(f"  policy {quant} threads={threads}")
            cells.append({"quant": quant, **decode_cell(ctx, model, threads, contexts, label=quant)})
    adapters = [("LoRA", ctx.lora)] if ctx.lora is not None else []
    if not ctx.options.quick:
        # Adapters registered for this base but not in use: what switching to them would cost.
        adapters += [(n, p) for n, p in registered_adapters(ctx.model) if p != ctx.lora]
    for name, lora in adapters if not ctx.options.quick else []:
        label = f"Q4_1+{name}"
        ctx.log(f"  policy {label} threads=1")
        cells.append(
            {"quant": label, **decode_cell(ctx, _need_model(ctx), 1, (5,), label=label, lora=str(lora))}
        )
    if any(q != "Q4_1" for q in ctx.options.quants):
        notes.append(
            "Q8_0/Q4_K_M/Q4_0 are requantised from the Q4_1 base (allow_requantize): "
            "their speed and size are real, their accuracy is not that of a fresh export"
        )
    return {
        "cells": cells,
        "notes": notes,
        "decode_prompt": "scenario decode_prompt, greedy",
        "tokens": ctx.options.tokens,
        "repeats": ctx.options.repeats,
    }


def section_overhead(ctx: Context) -> dict[str, Any]:
    model = _need_model(ctx)
    raw = ctx.probe(
        "overhead",
        {
            "model": str(model),
            "threads": ctx.options.threads[0],
            "repeats": max(ctx.options.repeats, 5),
            "tokens": ctx.options.tokens,
            "n_gpu_layers": ctx.n_gpu_layers,
        },
    )
    over = raw["overhead"]
    result: dict[str, Any] = {
        "threads": ctx.options.threads[0],
        "ours_decode_tok_s": round(over["ours"]["decode_tok_s_median"], 2),
        "bare_decode_tok_s": round(over["bare"]["decode_tok_s_median"], 2),
        "ours_ttft_ms": round(over["ours"]["ttft_ms_median"], 1),
        "bare_ttft_ms": round(over["bare"]["ttft_ms_median"], 1),
        "overhead_pct": round(over["overhead_pct"], 2),
        "ttft_ratio_ours_over_bare": round(over["ttft_ratio_ours_over_bare"], 3),
        "raw": over,
    }
    if "kv_reuse" in raw:
        reuse = raw["kv_reuse"]
        result["kv_reuse"] = {
            "turn10_ttft_ms_with_reuse": round(reuse["with_kv_reuse"][-1]["ttft_ms"], 1),
            "turn10_ttft_ms_without_reuse": round(reuse["without_kv_reuse"][-1]["ttft_ms"], 1),
            "turn1_ttft_ms": round(reuse["with_kv_reuse"][0]["ttft_ms"], 1),
            "turns": reuse,
        }
    return result


def missing_modules(names: Sequence[str]) -> list[str]:
    import importlib.util

    return [name for name in names if importlib.util.find_spec(name) is None]


def section_transformers(ctx: Context) -> dict[str, Any]:
    model = _need_model(ctx)
    missing = missing_modules(("torch", "transformers", "gguf"))
    if missing:
        raise Skip(f"{', '.join(missing)} not installed (pip install torch transformers gguf accelerate)")
    raw = ctx.probe(
        "transformers",
        {
            "model": str(model),
            "threads": list(ctx.options.threads),
            "repeats": ctx.options.repeats,
            "tokens": ctx.options.tokens,
            "scenario": str(ctx.scenario),
        },
    )
    rows = {
        t: {"ttft_ms": latency(r["ttft_ms"]), "decode_tok_s": rate(r["decode_tok_s"])}
        for t, r in raw["threads"].items()
    }
    return {
        "load_s": round(raw["load_s"], 1),
        "prompt_tokens": raw["prompt_tokens"],
        "threads": rows,
        "torch": raw.get("torch"),
        "maxrss_mb": raw.get("maxrss_mb"),
        "weights": "the policy GGUF dequantised to fp32 by transformers (gguf_file=)",
    }


def _e2e_args(ctx: Context, constraints: bool, repeats: int) -> dict[str, Any]:
    return {
        "scenario": str(ctx.scenario),
        "repeats": repeats,
        "constraints": constraints,
        "runtime": ctx.options.runtime,
        "seed": 0,
        "model": str(ctx.options.model) if ctx.options.model else None,
        "lora": str(ctx.options.lora) if ctx.options.lora else None,
        "policy": ctx.options.policy,
    }


TARGET_WORDS = 30  # the turn target is for a ~30-word reply


def turn_ms_at_words(row: dict[str, Any], words: int = TARGET_WORDS) -> float | None:
    """The turn's latency had its reply been ``words`` words long: the same start (safety, plan,
    prefill, first token) plus that many words at the turn's own tokens-per-word and decode pace.
    The model's reply length is not ours to fix in a benchmark, so both figures are reported."""
    if row["tokens"] < 2 or row["words"] < 1 or row["total_ms"] <= row["ttft_ms"]:
        return None
    per_token = (row["total_ms"] - row["ttft_ms"]) / (row["tokens"] - 1)
    tokens = words * row["tokens"] / row["words"]
    return float(row["ttft_ms"] + per_token * max(tokens - 1, 0))


def summarise_turns(raw: dict[str, Any]) -> dict[str, Any]:
    rows = [r for r in raw["turns"] if not r.get("crisis")]
    scaled = [v for v in (turn_ms_at_words(r) for r in rows) if v is not None]
    decode = [
        (r["tokens"] - 1) * 1000 / (r["total_ms"] - r["ttft_ms"])
        for r in rows
        if r["tokens"] > 1 and r["total_ms"] > r["ttft_ms"]
    ]
    by_turn: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_turn.setdefault(r["turn"], []).append(r)
    return {
        "turn_ms": latency([r["total_ms"] for r in rows]),
        f"turn_ms_at_{TARGET_WORDS}_words": latency(scaled),
        "ttft_ms": latency([r["ttft_ms"] for r in rows]),
        "safety_ms": latency([r["safety_ms"] for r in rows]),
        "plan_ms": latency([r["plan_ms"] for r in rows]),
        "reply_words": latency([r["words"] for r in rows]),
        "reply_tokens": latency([r["tokens"] for r in rows]),
        "decode_tok_s": rate(decode),
        "per_turn": [
            {
                "turn": t,
                "turn_ms": statistics.median(r["total_ms"] for r in group),
                "ttft_ms": statistics.median(r["ttft_ms"] for r in group),
                "prompt_tokens": group[0]["prompt_tokens"],
                "reused_tokens": group[0]["reused_tokens"],
                "words": group[0]["words"],
            }
            for t, group in sorted(by_turn.items())
        ],
        "components": raw.get("components"),
        "import_s": round(raw["import_s"], 3),
        "load_s": round(raw["load_s"], 3),
        "ready_wall_s": round(raw["ready_wall_s"], 3),
        "maxrss_mb": raw.get("maxrss_mb"),
        "cpu_shares": raw.get("cpu_shares"),
        "sample_replies": raw.get("last_replies", [])[:3],
        "turns": raw["turns"],
    }


def section_e2e(ctx: Context) -> dict[str, Any]:
    raw = ctx.probe("e2e", _e2e_args(ctx, True, ctx.options.conversation_repeats))
    result = summarise_turns(raw)
    result["seeker_turns"] = len({r["turn"] for r in raw["turns"]})
    result["repeats"] = ctx.options.conversation_repeats
    return result


def section_constraints(ctx: Context) -> dict[str, Any]:
    on = ctx.sections.get("e2e")
    if not isinstance(on, dict) or "turn_ms" not in on:
        raise Skip("needs the e2e section")
    kind = str((on.get("components") or {}).get("constraints", ""))
    if kind.startswith("skipped") or kind == "NoConstraints":
        raise Skip(f"the decoding constraints are not available ({kind})")
    off = summarise_turns(ctx.probe("e2e", _e2e_args(ctx, False, ctx.options.conversation_repeats)))
    keys = ("turn_ms", "ttft_ms", "decode_tok_s", "reply_words", "reply_tokens")
    result: dict[str, Any] = {
        "constrained": {k: on[k] for k in keys},
        "unconstrained": {k: off[k] for k in keys},
    }
    a, b = on["decode_tok_s"]["p50"], off["decode_tok_s"]["p50"]
    if a and b:
        result["decode_speed_ratio_constrained_over_unconstrained"] = round(a / b, 3)
    result["sample_replies_unconstrained"] = off["sample_replies"]
    return result


def section_cold_start(ctx: Context) -> dict[str, Any]:
    if ctx.options.cold_repeats == 0:
        return _cold_from_e2e(ctx)
    args = _e2e_args(ctx, True, 0)
    ctx.probe("cold", args)  # warms the disk cache; not counted
    runs = [ctx.probe("cold", args) for _ in range(ctx.options.cold_repeats)]
    return {
        "ready_wall_s": latency([r["ready_wall_s"] for r in runs]),
        "import_s": latency([r["import_s"] for r in runs]),
        "load_s": latency([r["load_s"] for r in runs]),
        "maxrss_mb": max(r["maxrss_mb"] for r in runs),
        "components": runs[0].get("components"),
        "method": "fresh interpreter: spawn -> import esc_edge -> Supporter() loaded; first run discarded",
    }


def _cold_from_e2e(ctx: Context) -> dict[str, Any]:
    """Quick mode: the e2e process's own start-up is one cold-start sample (disk cache warmed by policy)."""
    e2e = ctx.sections.get("e2e", {})
    if "ready_wall_s" not in e2e:
        raise Skip("needs the e2e section in --quick")
    return {
        "ready_wall_s": latency([e2e["ready_wall_s"]]),
        "import_s": latency([e2e["import_s"]]),
        "load_s": latency([e2e["load_s"]]),
        "method": "one sample: the start-up of the e2e process (--quick)",
    }


def section_spread(ctx: Context) -> dict[str, Any]:
    """Settings that could explain a 3× decode spread between machines of one kind, one by one."""
    model = _need_model(ctx)
    variants: list[tuple[str, Path, int, str, dict[str, Any]]] = [
        ("baseline: 1 thread, PASSIVE", model, 1, "PASSIVE", {}),
        ("1 thread, ACTIVE", model, 1, "ACTIVE", {}),
        ("2 threads, PASSIVE", model, 2, "PASSIVE", {}),
        ("2 threads, ACTIVE", model, 2, "ACTIVE", {}),
        # Prefill is matrix-matrix work that two threads can share; decode is not (see cpu.yaml).
        ("1 decode + 2 prefill threads, PASSIVE", model, 1, "PASSIVE", {"threads_batch": 2}),
        ("1 decode + 2 prefill threads, ACTIVE", model, 1, "ACTIVE", {"threads_batch": 2}),
        ("1 thread pinned to cpu 0", model, 1, "PASSIVE", {"cpus": [0]}),
        ("1 thread pinned to cpu 1", model, 1, "PASSIVE", {"cpus": [1]}),
        # A co-tenant on the other core: memory-bound vs compute-bound (what differs between hosts).
        (
            "cpu 0, memory-streaming neighbour on cpu 1",
            model,
            1,
            "PASSIVE",
            {"cpus": [0], "neighbour": "stream"},
        ),
        (
            "cpu 0, compute-bound neighbour on cpu 1",
            model,
            1,
            "PASSIVE",
            {"cpus": [0], "neighbour": "compute"},
        ),
        ("2 threads ACTIVE, compute-bound neighbour", model, 2, "ACTIVE", {"neighbour": "compute"}),
        (
            "1 decode + 2 prefill threads, compute-bound neighbour",
            model,
            1,
            "PASSIVE",
            {"threads_batch": 2, "neighbour": "compute"},
        ),
        ("1 thread, compute-bound neighbour", model, 1, "PASSIVE", {"neighbour": "compute"}),
        ("n_batch 64", model, 1, "PASSIVE", {"n_batch": 64}),
        ("n_batch 512", model, 1, "PASSIVE", {"n_batch": 512, "n_ubatch": 512}),
        ("n_ctx 512", model, 1, "PASSIVE", {"n_ctx": 512}),
        ("n_ctx 8192", model, 1, "PASSIVE", {"n_ctx": 8192}),
        ("flash attention on", model, 1, "PASSIVE", {"flash_attn": True}),
        ("no mmap (weights copied to RAM)", model, 1, "PASSIVE", {"use_mmap": False}),
        ("a Python logits processor (no-op)", model, 1, "PASSIVE", {"processor": "noop"}),
        ("repacking off", model, 1, "PASSIVE", {"repack": False}),
    ]
    try:
        q4_0 = _variant(ctx, "Q4_0")
        variants += [
            ("Q4_0, repacking on", q4_0, 1, "PASSIVE", {}),
            ("Q4_0, repacking off", q4_0, 1, "PASSIVE", {"repack": False}),
        ]
    except Exception as exc:
        ctx.log(f"  spread: Q4_0 variant skipped: {exc}")
    rows = []
    for label, path, threads, omp, extra in variants:
        ctx.log(f"  spread: {label}")
        try:
            rows.append(decode_cell(ctx, path, threads, (5,), omp=omp, label=label, **extra))
        except ProbeFailed as exc:
            rows.append({"label": label, "skipped": str(exc)})
    base = rows[0]["decode_tok_s"]["p50"] if "decode_tok_s" in rows[0] else None
    for row in rows:
        if base and row.get("decode_tok_s", {}).get("p50"):
            row["decode_vs_baseline"] = round(row["decode_tok_s"]["p50"] / base, 3)
    return {"rows": rows}


SECTION_FUNCS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "bandwidth": section_bandwidth,
    "planner": section_planner,
    "policy": section_policy,
    "overhead": section_overhead,
    "transformers": section_transformers,
    "e2e": section_e2e,
    "constraints": section_constraints,
    "cold_start": section_cold_start,
    "spread": section_spread,
}


# -- targets ---------------------------------------------------------------------------------------------
def _get(data: dict[str, Any], *keys: Any) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _headline_decode(sections: dict[str, Any]) -> float | None:
    cells = _get(sections, "policy", "cells") or []
    first = next((c for c in cells if c.get("quant") == "Q4_1" and c.get("threads") == 1), None)
    return _get(first, "decode_tok_s", "p50") if first else None


def targets(sections: dict[str, Any]) -> list[dict[str, Any]]:
    """Where each issue target stands: the value, the target and the verdict (None = not measured)."""
    rows: list[dict[str, Any]] = []

    def add(name: str, value: Any, target: float, unit: str, lower_is_better: bool, note: str = "") -> None:
        met = None if value is None else (value <= target if lower_is_better else value >= target)
        rows.append(
            {
                "target": name,
                "value": value,
                "goal": f"{'≤' if lower_is_better else '≥'} {target:g} {unit}",
                "met": met,
                "note": note,
            }
        )

    words = _get(sections, "e2e", "reply_words", "p50")
    note = ""
    if words is not None:
        scaled = _get(sections, "e2e", f"turn_ms_at_{TARGET_WORDS}_words", "p50")
        note = f"median reply {words} words; scaled to {TARGET_WORDS} words: p50 {scaled} ms"
        parts = _get(sections, "e2e", "components") or {}
        absent = [k for k in ("safety", "planner") if str(parts.get(k, "")).startswith("skipped")]
        if absent:
            note += f"; without {' and '.join(absent)} (not available in this run)"
    add("end-to-end turn p50", _get(sections, "e2e", "turn_ms", "p50"), 1000, "ms", True, note)
    add(
        "overhead vs bare llama-cpp-python",
        _get(sections, "overhead", "overhead_pct"),
        5,
        "%",
        True,
        "decode tokens/s, same model, prompt and greedy settings",
    )
    ours = _headline_decode(sections)
    hf = [_get(r, "decode_tok_s", "p50") for r in (_get(sections, "transformers", "threads") or {}).values()]
    hf_best = max((v for v in hf if v), default=None)
    ratio = round(ours / hf_best, 2) if ours and hf_best else None
    add(
        "decode speed vs transformers (CPU)",
        ratio,
        3,
        "×",
        False,
        f"ours {ours} tok/s (Q4_1, 1 thread) vs transformers best {hf_best} tok/s" if ratio else "",
    )
    add(
        "cold start (warm disk cache)",
        _get(sections, "cold_start", "ready_wall_s", "p50"),
        2,
        "s",
        True,
        "spawn -> import -> both models loaded",
    )
    rss = [v for v in (_get(sections, "e2e", "maxrss_mb"), _get(sections, "cold_start", "maxrss_mb")) if v]
    add(
        "peak RSS",
        max(rss) if rss else None,
        500,
        "MB",
        True,
        "whole process after the scripted conversation",
    )
    return rows


# -- driver ----------------------------------------------------------------------------------------------
def registered_adapters(base: Path | None) -> list[tuple[str, Path]]:
    """(policy name, adapter GGUF) of the registry's base+adapter policies whose base is ``base``."""
    if base is None:
        return []
    try:
        from esc_edge import _components
        from esc_edge.config import load_settings
        from esc_edge.runtime import select_runtime

        found = []
        registry = _components.Components(
            load_settings({}, config_path=Path(os.devnull), environ={}), select_runtime("cpu")
        ).store.registry
        for spec in registry.by_role("policy"):
            if not spec.adapter:
                continue
            settings = load_settings({"policy": spec.name}, config_path=Path(os.devnull), environ={})
            # No download: an adapter that is not installed is not compared.
            files = _components.Components(settings, select_runtime("cpu"), pull=False).policy_files()
            if files.lora is not None and files.model.resolve() == base.resolve():
                found.append((spec.name, files.lora))
        return found
    except Exception:  # an adapter we cannot fetch is simply not compared
        return []


def resolve_policy(options: SuiteOptions) -> tuple[Path | None, Path | None, str]:
    """(base GGUF, adapter GGUF, how) from the options or the registry's default policy."""
    if options.model is not None:
        return options.model, options.lora, "--model"
    try:
        from esc_edge import _components
        from esc_edge.config import load_settings
        from esc_edge.runtime import select_runtime

        flags = {"policy": options.policy} if options.policy else {}
        settings = load_settings(flags, config_path=Path(os.devnull), environ={})
        files = _components.Components(settings, select_runtime("cpu"), pull=True).policy_files()
        return files.model, files.lora, f"registry policy {files.name}"
    except Exception as exc:  # reported in the result; model sections then skip
        return None, None, f"no policy model: {exc}"


def run_suite(
    options: SuiteOptions,
    run_probe: ProbeRunner | None = None,
    log: Callable[[str], None] | None = None,
    system_probe: Any = None,
) -> dict[str, Any]:
    """Run the selected sections; ``run_probe`` and ``system_probe`` are injectable for tests."""
    options = options.resolved()
    started = time.time()
    model, lora, how = resolve_policy(options)
    ctx = Context(options, run_probe or SubprocessRunner(), model, lora)
    if log is not None:
        ctx.log = log
    ctx.sections["runtime"] = runtime_info(options.runtime, system_probe)
    for name in SECTIONS:
        if name not in options.sections:
            ctx.sections[name] = {"skipped": "not run in --quick" if options.quick else "not selected"}
            continue
        ctx.log(f"[{time.time() - started:5.1f}s] {name}")
        t0 = time.perf_counter()
        try:
            ctx.sections[name] = SECTION_FUNCS[name](ctx)
        except Skip as exc:
            ctx.sections[name] = {"skipped": str(exc)}
        except ProbeFailed as exc:
            ctx.sections[name] = {"skipped": f"failed: {exc}"}
        ctx.sections[name]["section_s"] = round(time.perf_counter() - t0, 1)
    return {
        "schema": SCHEMA,
        "name": options.result_name,
        "quick": options.quick,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration_s": round(time.time() - started, 1),
        "machine": machine(),
        "policy": {
            "model": str(model) if model else None,
            "lora": str(lora) if lora else None,
            "source": how,
        },
        "scenario": _scenario_info(ctx.scenario),
        "settings": {
            "threads": list(options.threads),
            "quants": list(options.quants),
            "repeats": options.repeats,
            "tokens": options.tokens,
            "conversation_repeats": options.conversation_repeats,
            "omp_wait_policy_default": "PASSIVE",
            "runtime": options.runtime,
        },
        "sections": ctx.sections,
        "targets": targets(ctx.sections),
    }


def _scenario_info(path: Path) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        "file": str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path),
        "name": data.get("name"),
        "seed": data.get("seed"),
        "seeker_turns": len(data.get("turns", [])),
    }


def write_outputs(result: dict[str, Any], out_dir: Path, plot: bool = True) -> dict[str, str]:
    from bench import report

    paths = {"json": str(write_result(result["name"], result, out_dir))}
    md = out_dir / f"{result['name']}.md"
    png = out_dir / f"{result['name']}.png"
    note = report.plot(result, png) if plot else "plot not requested"
    if note is None:
        paths["png"] = str(png)
    else:
        result.setdefault("notes", []).append(f"plot skipped: {note}")
        write_result(result["name"], result, out_dir)
    md.write_text(report.markdown(result), encoding="utf-8")
    paths["md"] = str(md)
    return paths


def parse_args(argv: Sequence[str] | None = None) -> SuiteOptions:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="< 1 min: one thread setting, few repeats, no peers")
    p.add_argument("--name", default=None, help="result file name (default: suite, or quick)")
    p.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    p.add_argument("--runtime", default="auto", help="hardware profile: auto | cpu | cuda | metal | vulkan")
    p.add_argument("--model", type=Path, default=None, help="policy GGUF (default: the registry's)")
    p.add_argument("--lora", type=Path, default=None, help="LoRA GGUF for --model")
    p.add_argument("--policy", default=None, help="registry policy name (default: the registry's default)")
    p.add_argument("--sections", default=None, help=f"comma-separated subset of: {','.join(SECTIONS)}")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--cache-dir", type=Path, default=None, help="where derived quantisations are kept")
    p.add_argument(
        "--planner-fp32", type=Path, default=None, help="fp32 planner ONNX for the int8 comparison"
    )
    p.add_argument("--planner-torch", type=Path, default=None, help="planner encoder dir for the torch row")
    p.add_argument(
        "--planner-run", type=Path, default=None, help="planner training run: finds the fp32 and torch rows"
    )
    p.add_argument("--no-plot", action="store_true")
    a = p.parse_args(argv)
    sections = tuple(s.strip() for s in a.sections.split(",")) if a.sections else SECTIONS
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    return SuiteOptions(
        quick=a.quick,
        name=a.name,
        out_dir=a.out,
        runtime=a.runtime,
        model=a.model,
        lora=a.lora,
        policy=a.policy,
        sections=sections,
        repeats=a.repeats,
        tokens=a.tokens,
        cache_dir=a.cache_dir,
        planner_fp32=a.planner_fp32,
        planner_torch=a.planner_torch,
        planner_run=a.planner_run,
        plot=not a.no_plot,
    )


def main(argv: Sequence[str] | None = None, as_json: bool = False) -> int:
    options = parse_args(argv)
    result = run_suite(options)
    paths = write_outputs(result, options.resolved().out_dir, options.plot)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        from bench import report

        print(report.summary(result))
    print("wrote " + ", ".join(paths.values()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
