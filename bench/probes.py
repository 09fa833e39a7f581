"""Measurements that need a fresh process, run by the suite as ``python -m bench.probes NAME JSON``.

OpenMP reads ``OMP_WAIT_POLICY`` once per process and a process's peak RSS only grows, so every
thread/policy variant, every cold start and every memory figure gets its own interpreter. Each
probe prints one line ``@@result {json}`` on stdout; anything else on stdout/stderr is ignored by
the suite (and kept as the failure reason when the probe dies).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Probes are started as `python -m bench.probes` from the repository root.
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.machine import busy_shares, cpu_times  # noqa: E402

MARKER = "@@result "
PROBES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def probe(name: str) -> Callable[[Callable[[dict[str, Any]], dict[str, Any]]], Any]:
    def register(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
        PROBES[name] = fn
        return fn

    return register


def maxrss_mb() -> float:
    """This process's peak resident set size (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def load_scenario(path: str) -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return data


def history_turns(scenario: dict[str, Any], n_exchanges: int) -> list[Any]:
    """The scripted history of ``n_exchanges`` seeker/supporter pairs, then the next seeker turn."""
    from esc_edge.conversation import Turn

    turns: list[Any] = []
    script = scenario["turns"]
    for item in script[:n_exchanges]:
        turns.append(Turn("seeker", item["seeker"]))
        turns.append(Turn("supporter", item["reply"], "Question"))
    turns.append(Turn("seeker", script[n_exchanges % len(script)]["seeker"]))
    return turns


def _pin(cpus: list[int] | None) -> list[int] | None:
    """Pin before llama.cpp starts its OpenMP threads: they inherit the affinity."""
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(cpus))
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None


# -- a neighbour on the other core ---------------------------------------------------------------------------
# What a co-tenant does to our decode, without settings of ours changing: ``stream`` reads a buffer far
# larger than the caches (it competes for memory bandwidth, like a neighbour VM on the same host
# socket would), ``compute`` spins on a few cache-resident numbers (it competes for nothing we use).
NEIGHBOUR_CODE = {
    "stream": "import numpy as np\nb = np.ones(2**25)\nwhile True:\n    b.sum()\n",
    "compute": "x = 1.0\nwhile True:\n    x = x * 1.0000001 + 1e-9\n",
}


def neighbour_cpu(own: list[int] | None, available: list[int]) -> int | None:
    """A CPU the neighbour can have to itself: one outside our pinned set (None if there is none)."""
    others = [cpu for cpu in available if not own or cpu not in own]
    return others[-1] if others else None


@contextlib.contextmanager
def neighbour(kind: str | None, cpu: int | None) -> Iterator[dict[str, Any]]:
    """Run a ``kind`` load pinned to ``cpu`` for the duration of the block (nothing if ``kind`` is None)."""
    info: dict[str, Any] = {"kind": kind, "cpu": cpu}
    if not kind:
        yield info
        return
    if kind not in NEIGHBOUR_CODE:
        raise ValueError(f"unknown neighbour load {kind!r}; known: {', '.join(NEIGHBOUR_CODE)}")
    if cpu is None:
        raise RuntimeError("no spare CPU for a neighbour load")

    def pin() -> None:
        os.sched_setaffinity(0, {cpu})

    proc = subprocess.Popen(
        [sys.executable, "-c", NEIGHBOUR_CODE[kind]],
        preexec_fn=pin if hasattr(os, "sched_setaffinity") else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)  # let it fault its buffer in before we measure
    try:
        yield {**info, "pid": proc.pid}
    finally:
        proc.kill()
        proc.wait()


# -- policy decode -------------------------------------------------------------------------------------
def _llama(args: dict[str, Any]) -> Any:
    import llama_cpp

    kwargs: dict[str, Any] = {
        "model_path": args["model"],
        "lora_path": args.get("lora"),
        "n_ctx": args.get("n_ctx", 2048),
        "n_batch": args.get("n_batch", 256),
        "n_threads": args["threads"],
        "n_threads_batch": args.get("threads_batch", args["threads"]),
        "n_gpu_layers": args.get("n_gpu_layers", 0),
        "use_mmap": args.get("use_mmap", True),
        "flash_attn": args.get("flash_attn", False),
        "seed": 0,
        "verbose": False,
    }
    if "n_ubatch" in args:
        kwargs["n_ubatch"] = args["n_ubatch"]
    if args.get("repack") is False:
        return _llama_without_repack(llama_cpp, kwargs)
    return llama_cpp.Llama(**kwargs)


def _llama_without_repack(llama_cpp: Any, kwargs: dict[str, Any]) -> Any:
    """Load with ``use_extra_bufts=False``: no runtime repacking of weights into SIMD-friendly
    layouts. llama-cpp-python has no argument for it, so its default-params call is wrapped."""
    low = llama_cpp.llama_cpp
    original = low.llama_model_default_params

    def params() -> Any:
        p = original()
        p.use_extra_bufts = False
        return p

    low.llama_model_default_params = params
    try:
        return llama_cpp.Llama(**kwargs)
    finally:
        low.llama_model_default_params = original


def _perf(llm: Any) -> dict[str, float]:
    import llama_cpp

    p = llama_cpp.llama_perf_context(llm._ctx.ctx)
    return {
        "prompt_ms": round(p.t_p_eval_ms, 2),
        "prompt_tokens": p.n_p_eval,
        "eval_ms": round(p.t_eval_ms, 2),
        "eval_tokens": p.n_eval,
    }


def _reset_perf(llm: Any) -> None:
    import llama_cpp

    llm.reset()  # generate() would otherwise reuse the KV cache of the last repeat (derisk P8)
    llama_cpp.llama_perf_context_reset(llm._ctx.ctx)


def _noop_processor(input_ids: Any, scores: Any) -> Any:
    return scores


def _time_generation(llm: Any, tokens: list[int], n_tokens: int, processor: str) -> dict[str, Any]:
    _reset_perf(llm)
    processors = [_noop_processor] if processor == "noop" else None
    started = time.perf_counter()
    first = 0.0
    produced = 0
    for token in llm.generate(tokens, temp=0.0, top_k=1, repeat_penalty=1.0, logits_processor=processors):
        produced += 1
        if produced == 1:
            first = time.perf_counter()
        if token == llm.token_eos() or produced >= n_tokens:
            break
    end = time.perf_counter()
    row: dict[str, Any] = {"ttft_ms": (first - started) * 1000, "produced": produced}
    row["decode_tok_s"] = (produced - 1) / (end - first) if produced > 1 and end > first else None
    row["llama"] = _perf(llm)
    return row


def _prompt_tokens(llm: Any, turns: list[Any]) -> list[int]:
    from esc_edge.generation.prompt import render

    def tokenize(text: str, special: bool) -> list[int]:
        tokens: list[int] = llm.tokenize(text.encode(), add_bos=False, special=special)
        return tokens

    return render(turns, "Question", tokenize, 4096).tokens(tokenize)


@probe("decode")
def decode(args: dict[str, Any]) -> dict[str, Any]:
    """TTFT by context length (prefill, cache reset) and greedy decode tokens/s on one llama setting."""
    from esc_edge.conversation import Turn

    # The CPUs we may use before pinning narrows them: the neighbour takes one we gave up.
    usable = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    affinity = _pin(args.get("cpus"))
    scenario = load_scenario(args["scenario"])
    started = time.perf_counter()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    llm = _llama(args)
    load_s = time.perf_counter() - started
    repeats, n_tokens = args["repeats"], args["tokens"]
    processor = args.get("processor", "none")
    story = _prompt_tokens(llm, [Turn("seeker", scenario["decode_prompt"])])
    _time_generation(llm, story, 8, processor)  # warm-up: page cache, repacking, allocations
    load = args.get("neighbour")
    with neighbour(
        load, neighbour_cpu(affinity if args.get("cpus") else None, usable) if load else None
    ) as nb:
        before = cpu_times()
        contexts: dict[str, Any] = {}
        for n_exchanges in args.get("contexts", [5]):
            tokens = _prompt_tokens(llm, history_turns(scenario, n_exchanges))
            rows = [_time_generation(llm, tokens, 1, processor) for _ in range(repeats)]
            contexts[str(len(tokens))] = {
                "exchanges": n_exchanges,
                "ttft_ms": [r["ttft_ms"] for r in rows],
                "llama_prompt_ms": [r["llama"]["prompt_ms"] for r in rows],
            }
        runs = [_time_generation(llm, story, n_tokens, processor) for _ in range(repeats)]
        shares = busy_shares(before, cpu_times())
    return {
        "load_s": load_s,
        "contexts": contexts,
        "decode_prompt_tokens": len(story),
        "decode_tok_s": [r["decode_tok_s"] for r in runs if r["decode_tok_s"]],
        "decode_ttft_ms": [r["ttft_ms"] for r in runs],
        "produced": [r["produced"] for r in runs],
        "llama_eval_tok_s": [
            1000 * r["llama"]["eval_tokens"] / r["llama"]["eval_ms"] for r in runs if r["llama"]["eval_ms"]
        ],
        "llama_perf": [r["llama"] for r in runs],
        "cpu_shares": shares,
        "affinity": affinity,
        "neighbour": nb,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "maxrss_mb": maxrss_mb(),
    }


# -- ours vs bare llama-cpp-python ------------------------------------------------------------------------
@probe("overhead")
def overhead(args: dict[str, Any]) -> dict[str, Any]:
    from bench import generator_overhead as go
    from esc_edge.generation.base import GeneratorOptions
    from esc_edge.generation.llama import LlamaGenerator

    options = GeneratorOptions(
        model_path=Path(args["model"]),
        n_ctx=2048,
        n_threads=args["threads"],
        n_threads_batch=args["threads"],
        n_gpu_layers=args.get("n_gpu_layers", 0),
    )
    with LlamaGenerator(options) as gen:
        result: dict[str, Any] = {"overhead": go.overhead(gen, args["repeats"], args["tokens"])}
        if args.get("kv_reuse", True):
            with_reuse = go.conversation_ttft(gen, True, 40)
            without = go.conversation_ttft(gen, False, 40)
            result["kv_reuse"] = {"with_kv_reuse": with_reuse, "without_kv_reuse": without}
    result["maxrss_mb"] = maxrss_mb()
    return result


# -- the whole engine ------------------------------------------------------------------------------------
def _settings(args: dict[str, Any]) -> Any:
    from esc_edge.config import load_settings

    flags = {k: args.get(k) for k in ("model", "lora", "policy", "runtime", "threads", "seed")}
    flags["constraints"] = "true" if args.get("constraints", True) else "false"
    return load_settings(flags, config_path=Path(os.devnull), environ={})


def _open_supporter(args: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """A Supporter with every component this checkout has; missing ones are replaced and named."""
    from esc_edge.supporter import Supporter

    settings = _settings(args)
    notes: dict[str, str] = {}
    parts: dict[str, Any] = {}
    try:
        from esc_edge import _components
        from esc_edge.runtime import select_runtime

        components = _components.Components(settings, select_runtime(settings.runtime), pull=True)
        parts["safety"] = _try_part(components.safety, "safety", notes)
        parts["planner"] = _try_part(lambda: _planner(components), "planner", notes)
    except ImportError as exc:  # pragma: no cover - a broken checkout
        notes["components"] = f"skipped: {exc}"
    if parts.get("safety") is None:
        parts["safety"] = _PassSafety()
    if parts.get("planner") is None:
        from esc_edge.planner.base import NoPlanner

        parts["planner"] = NoPlanner()
    if settings.constraints:
        try:
            import esc_edge.generation.constraints  # noqa: F401
        except ImportError as exc:
            notes["constraints"] = f"skipped: {exc}"
            settings = settings.replace(constraints=False)
    supporter = Supporter(settings, safety=parts["safety"], planner=parts["planner"], pull=True)
    return supporter, notes


def _try_part(build: Callable[[], Any], name: str, notes: dict[str, str]) -> Any:
    try:
        part = build()
    except Exception as exc:  # the bench reports a missing component instead of failing
        notes[name] = f"skipped: {type(exc).__name__}: {exc}"
        return None
    notes[name] = type(part).__name__
    return part


def _planner(components: Any) -> Any:
    """The registry's planner, else the model shipped in the package, else an error (-> skipped)."""
    if components.store.registry.default("planner") is not None:
        return components.planner()
    from esc_edge.planner.onnx import DEFAULT_MODEL_DIR, OnnxPlanner

    return OnnxPlanner.from_dir(DEFAULT_MODEL_DIR, threads=components.runtime.ort_threads)


class _PassSafety:
    """Stands in for a missing safety layer: never a crisis (reported as skipped)."""

    def assess(self, conversation: Any, text: str, *, careful: bool = False) -> Any:
        from esc_edge.safety.base import SAFE

        return SAFE

    def reply(self, assessment: Any, locale: str) -> str:
        return ""


def _conversation(supporter: Any, seeker_turns: list[str], repeat: int) -> Iterator[dict[str, Any]]:
    supporter.reset()
    supporter.generator.reset() if hasattr(supporter.generator, "reset") else None
    # A caching planner would otherwise serve every repeat after the first from its utterance
    # cache; a real new conversation shares no utterances with the last one.
    cache = getattr(supporter.planner, "cache", None)
    cache.clear() if cache is not None else None
    for index, text in enumerate(seeker_turns, start=1):
        reply = supporter.reply(text)
        row = dict(reply.timings.to_dict())
        row.update(repeat=repeat, turn=index, words=len(reply.text.split()), strategy=reply.strategy)
        row["crisis"] = reply.crisis
        yield row


@probe("e2e")
def e2e(args: dict[str, Any]) -> dict[str, Any]:
    """Import + load the engine, then the scripted conversation ``repeats`` times (turn timings)."""
    t0 = time.perf_counter()
    import esc_edge  # noqa: F401

    import_s = time.perf_counter() - t0
    supporter, notes = _open_supporter(args)
    load_s = time.perf_counter() - t0 - import_s
    ready_wall_s = time.time() - args["spawned_at"]
    scenario = load_scenario(args["scenario"])
    seeker_turns = [t["seeker"] for t in scenario["turns"]][: args.get("max_turns")]
    before = cpu_times()
    rows: list[dict[str, Any]] = []
    replies: list[str] = []
    with supporter:
        for repeat in range(args["repeats"]):
            rows.extend(_conversation(supporter, seeker_turns, repeat))
        replies = [t.text for t in supporter.conversation.turns if t.speaker == "supporter"]
        info = {
            "policy": str(getattr(getattr(supporter.generator, "options", None), "model_path", "")),
            "lora": str(getattr(getattr(supporter.generator, "options", None), "lora_path", None)),
            "n_threads": getattr(getattr(supporter.generator, "options", None), "n_threads", None),
            "runtime": supporter.runtime.name,
            "constraints": type(supporter.constraints).__name__,
        }
    return {
        "import_s": import_s,
        "load_s": load_s,
        "ready_wall_s": ready_wall_s,
        "turns": rows,
        "last_replies": replies,
        "components": {**info, **notes},
        "cpu_shares": busy_shares(before, cpu_times()),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "maxrss_mb": maxrss_mb(),
    }


@probe("cold")
def cold(args: dict[str, Any]) -> dict[str, Any]:
    """Cold start: interpreter + `import esc_edge` + both models loaded, ready for the first turn."""
    t0 = time.perf_counter()
    import esc_edge  # noqa: F401

    import_s = time.perf_counter() - t0
    supporter, notes = _open_supporter(args)
    load_s = time.perf_counter() - t0 - import_s
    ready_wall_s = time.time() - args["spawned_at"]
    supporter.close()
    return {
        "import_s": import_s,
        "load_s": load_s,
        "ready_wall_s": ready_wall_s,
        "components": notes,
        "maxrss_mb": maxrss_mb(),
    }


# -- peers and machine limits -----------------------------------------------------------------------------
@probe("transformers")
def transformers_peer(args: dict[str, Any]) -> dict[str, Any]:
    """The same GGUF weights in transformers (dequantised to fp32) on the CPU, greedy decoding."""
    import torch
    from transformers import AutoModelForCausalLM

    from esc_edge.conversation import Turn

    model_path = Path(args["model"])
    started = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(
        str(model_path.parent), gguf_file=model_path.name, dtype=torch.float32
    ).eval()
    load_s = time.perf_counter() - started
    scenario = load_scenario(args["scenario"])
    ids = _llama_prompt_ids(args["model"], [Turn("seeker", scenario["decode_prompt"])])
    prompt = torch.tensor([ids])
    out: dict[str, Any] = {"load_s": load_s, "prompt_tokens": len(ids), "threads": {}}
    for threads in args["threads"]:
        torch.set_num_threads(threads)
        out["threads"][str(threads)] = _torch_runs(model, prompt, args["repeats"], args["tokens"])
    out["torch"] = torch.__version__
    out["maxrss_mb"] = maxrss_mb()
    return out


def _llama_prompt_ids(model: str, turns: list[Any]) -> list[int]:
    """Token ids from llama.cpp's tokenizer (vocab only), so both engines see the same prompt."""
    import llama_cpp

    llm = llama_cpp.Llama(model_path=model, vocab_only=True, verbose=False)
    ids = _prompt_tokens(llm, turns)
    llm.close()
    return ids


def _torch_runs(model: Any, prompt: Any, repeats: int, n_tokens: int) -> dict[str, Any]:
    import torch

    def generate(n: int) -> float:
        started = time.perf_counter()
        with torch.inference_mode():
            model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=n,
                           min_new_tokens=n, do_sample=False, pad_token_id=2)  # fmt: skip
        return time.perf_counter() - started

    generate(4)  # warm-up
    ttft, decode = [], []
    for _ in range(repeats):
        first = generate(1)
        full = generate(n_tokens)
        ttft.append(first * 1000)
        decode.append((n_tokens - 1) / max(full - first, 1e-9))
    return {"ttft_ms": ttft, "decode_tok_s": decode}


@probe("quantize")
def quantize(args: dict[str, Any]) -> dict[str, Any]:
    """Derive a quantised variant (llama.cpp logs every tensor, so it runs out of the suite's sight)."""
    from bench.weights import derive_variant

    started = time.perf_counter()
    path = derive_variant(Path(args["model"]), args["ftype"], Path(args["cache_dir"]))
    return {"path": str(path), "seconds": time.perf_counter() - started, "bytes": path.stat().st_size}


def _read_gb_s(buffer: Any) -> float:
    started = time.perf_counter()
    buffer.sum()
    return float(buffer.nbytes / (time.perf_counter() - started) / 1e9)


@probe("bandwidth")
def bandwidth(args: dict[str, Any]) -> dict[str, Any]:
    """Single-thread memory read bandwidth (numpy sum over a buffer far larger than the caches)
    and single-thread float32 matmul throughput, on the CPU given in ``cpus`` (or any)."""
    import numpy as np

    own = _pin(args.get("cpus"))
    buffer = np.ones(args.get("mb", 512) * 2**20 // 8, dtype=np.float64)
    buffer.sum()  # fault the pages in

    reads = [_read_gb_s(buffer) for _ in range(args.get("repeats", 5))]
    shared: list[float] = []
    if args.get("with_stream_neighbour") and own and len(own) > 1:
        # Pinned to one CPU, with a streaming neighbour on another: how much of the bandwidth is ours.
        os.sched_setaffinity(0, {own[0]})
        with neighbour("stream", neighbour_cpu([own[0]], own)):
            shared = [_read_gb_s(buffer) for _ in range(args.get("repeats", 5))]
    del buffer
    a = np.ones((512, 512), dtype=np.float32)
    a @ a
    flops = []
    for _ in range(args.get("repeats", 5)):
        started = time.perf_counter()
        a @ a
        flops.append(2 * 512**3 / (time.perf_counter() - started) / 1e9)
    return {
        "read_gb_s": reads,
        "read_gb_s_median": statistics.median(reads),
        "read_gb_s_best": max(reads),
        "read_gb_s_with_stream_neighbour": shared,
        "matmul_gflops_median": statistics.median(flops),
        "buffer_mb": args.get("mb", 512),
    }


@probe("planner")
def planner(args: dict[str, Any]) -> dict[str, Any]:
    """Planner latency by context length: reuses bench/planner_latency.py (int8, fp32, torch rows)."""
    from bench import planner_latency as pl

    argv = ["--runs", str(args["runs"]), "--warmup", str(args.get("warmup", 3)), "--out", args["out"]]
    for flag, key in (("--model-dir", "model_dir"), ("--fp32-onnx", "fp32"), ("--torch-encoder", "torch")):
        if args.get(key):
            argv += [flag, args[key]]
    sys.stdout, real = open(os.devnull, "w"), sys.stdout  # noqa: SIM115 - its own JSON dump
    try:
        pl.main(argv)
    finally:
        sys.stdout.close()
        sys.stdout = real
    result: dict[str, Any] = json.loads(Path(args["out"]).read_text())
    result["maxrss_mb"] = maxrss_mb()
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in PROBES:
        print(f"usage: python -m bench.probes {{{'|'.join(PROBES)}}} JSON_ARGS", file=sys.stderr)
        return 2
    result = PROBES[argv[0]](json.loads(argv[1]))
    sys.stdout.write(MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
