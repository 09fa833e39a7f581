"""Our generator vs bare llama-cpp-python on the same GGUF, prompt and settings, in one run.

Measures (1) time to first token and decode tokens/s of `LlamaGenerator.stream` against a plain
`Llama.generate` loop (same greedy settings, same token count, KV cache reset before every repeat,
order alternated), and (2) time to first token at turn 1 vs turn 10 of a conversation with
append-only prompts (KV reuse), beside the same turns with the cache reset.

    python bench/generator_overhead.py [--model PATH] [--repeats 7] [--tokens 64]

Writes bench/results/generator_overhead.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import machine, percentile, write_result
from esc_edge.conversation import Turn
from esc_edge.generation.base import CancelToken, DecodeOptions, GenerationStats, GeneratorOptions
from esc_edge.generation.llama import LlamaGenerator
from esc_edge.generation.prompt import render

SEEKER_TURNS = [
    "I lost my job today and I don't know what to do.",
    "They said it was budget cuts, but I think my manager never liked me.",
    "I have rent due in two weeks and I haven't told my partner yet.",
    "I'm scared she'll be disappointed in me.",
    "We've been arguing a lot about money already.",
    "I keep replaying the meeting in my head at night.",
    "I haven't slept properly for days.",
    "Maybe I should start applying somewhere tomorrow.",
    "I'm just not sure anyone will hire me right now.",
    "Thanks for listening, it helps to say it out loud.",
]


def _bare_run(llm: Any, tokens: list[int], n_tokens: int) -> tuple[float, float, int]:
    """(ttft_s, decode_s, produced) of a plain llama-cpp-python generate loop."""
    llm.reset()
    started = time.perf_counter()
    first = 0.0
    produced = 0
    for token in llm.generate(tokens, top_k=40, top_p=0.9, min_p=0.05, temp=0.0, repeat_penalty=1.0):
        produced += 1
        if produced == 1:
            first = time.perf_counter()
        if token == llm.token_eos() or produced >= n_tokens:
            break
    end = time.perf_counter()
    return first - started, end - first, produced


def _ours_run(gen: LlamaGenerator, tokens: list[int], n_tokens: int) -> tuple[float, float, int]:
    gen.reset()
    stats = GenerationStats()
    options = DecodeOptions(temperature=0.0, top_p=0.9, min_p=0.05, max_tokens=n_tokens)
    started = time.perf_counter()
    first = 0.0
    for _ in gen.stream(tokens, options, None, CancelToken(), stats):
        if not first:
            first = time.perf_counter()
    end = time.perf_counter()
    # The bare loop counts the EOS it samples; ours stops before yielding it.
    produced = stats.completion_tokens + (1 if stats.finish_reason == "stop" else 0)
    return first - started, end - first, produced


def overhead(gen: LlamaGenerator, repeats: int, n_tokens: int) -> dict[str, Any]:
    turns = [Turn("seeker", "Please tell me a long, gentle story about a lighthouse keeper and the sea.")]
    tokens = render(turns, None, gen.tokenize, 1500).tokens(gen.tokenize)
    rows: dict[str, list[tuple[float, float, int]]] = {"bare": [], "ours": []}
    _bare_run(gen._llm, tokens, 8)  # warm-up both paths (page cache, repacking)
    _ours_run(gen, tokens, 8)
    for i in range(repeats):
        order = ("bare", "ours") if i % 2 == 0 else ("ours", "bare")
        for name in order:
            if name == "bare":
                # Run on the owner thread, as any correct caller must; only the loop differs.
                rows[name].append(gen.call(lambda llm: _bare_run(llm, tokens, n_tokens)))
            else:
                rows[name].append(_ours_run(gen, tokens, n_tokens))
    summary: dict[str, Any] = {"prompt_tokens": len(tokens), "max_new_tokens": n_tokens}
    for name, values in rows.items():
        tps = [(n - 1) / d for _, d, n in values if d > 0 and n > 1]
        ttft = [t * 1000 for t, _, _ in values]
        summary[name] = {
            "ttft_ms_median": statistics.median(ttft),
            "ttft_ms_p95": percentile(ttft, 0.95),
            "decode_tok_s_median": statistics.median(tps),
            "decode_tok_s_p95_low": percentile(tps, 0.05),
            "tokens": [n for _, _, n in values],
        }
    bare, ours = summary["bare"], summary["ours"]
    summary["decode_speed_ratio_ours_over_bare"] = ours["decode_tok_s_median"] / bare["decode_tok_s_median"]
    summary["ttft_ratio_ours_over_bare"] = ours["ttft_ms_median"] / bare["ttft_ms_median"]
    summary["overhead_pct"] = (1 - summary["decode_speed_ratio_ours_over_bare"]) * 100
    return summary


def conversation_ttft(gen: LlamaGenerator, reuse: bool, reply_tokens: int) -> list[dict[str, float]]:
    gen.reset()
    turns: list[Turn] = []
    rows = []
    for text in SEEKER_TURNS:
        turns.append(Turn("seeker", text))
        tokens = render(turns, "Question", gen.tokenize, gen.n_ctx - 128).tokens(gen.tokenize)
        if not reuse:
            gen.reset()
        stats = GenerationStats()
        options = DecodeOptions(temperature=0.0, max_tokens=reply_tokens)
        reply = "".join(gen.stream(tokens, options, None, CancelToken(), stats)).strip()
        turns.append(Turn("supporter", reply or "I hear you.", "Question"))
        rows.append({"prompt_tokens": stats.prompt_tokens, "reused_tokens": stats.reused_tokens,
                     "ttft_ms": stats.ttft_ms})  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", type=Path, default=None, help="GGUF file (default: the registry's policy base)"
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    model = args.model
    if model is None:
        from esc_edge.models.store import ModelStore

        model = ModelStore().path("smollm2-135m-instruct", pull=True)
    options = GeneratorOptions(
        model_path=model, n_ctx=2048, n_threads=args.threads, n_threads_batch=args.threads
    )
    with LlamaGenerator(options) as gen:
        result: dict[str, Any] = {"machine": machine(), "model": str(model), "n_threads": args.threads}
        result["overhead"] = overhead(gen, args.repeats, args.tokens)
        with_reuse = conversation_ttft(gen, True, 40)
        without = conversation_ttft(gen, False, 40)
    result["conversation"] = {
        "with_kv_reuse": with_reuse,
        "without_kv_reuse": without,
        "ttft_turn10_over_turn1_with_reuse": with_reuse[-1]["ttft_ms"] / with_reuse[0]["ttft_ms"],
        "ttft_turn10_over_turn1_without_reuse": without[-1]["ttft_ms"] / without[0]["ttft_ms"],
    }
    path = write_result("generator_overhead", result)
    o = result["overhead"]
    print(
        f"decode tok/s ours {o['ours']['decode_tok_s_median']:.1f} "
        f"vs bare {o['bare']['decode_tok_s_median']:.1f} "
        f"(overhead {o['overhead_pct']:.1f}%); ttft ratio {o['ttft_ratio_ours_over_bare']:.2f}",
        file=sys.stderr,
    )
    c = result["conversation"]
    print(
        f"ttft turn10/turn1: {c['ttft_turn10_over_turn1_with_reuse']:.2f} with KV reuse, "
        f"{c['ttft_turn10_over_turn1_without_reuse']:.2f} without -> {path}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
