"""A bench result as a short Markdown report, a terminal summary and a PNG plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _verdict(met: bool | None) -> str:
    return "not measured" if met is None else ("met" if met else "NOT met")


def _machine_line(result: dict[str, Any]) -> str:
    m = result.get("machine", {})
    cpu = m.get("cpu", {})
    gen = f"family {cpu.get('family')} model {cpu.get('model_number')}" if cpu.get("family") else ""
    caches = cpu.get("caches", {})
    runtime = result.get("sections", {}).get("runtime", {})
    return (
        f"{cpu.get('model', '?')} ({gen}, {cpu.get('logical_cpus')} logical CPUs, "
        f"L3 {caches.get('L3', '?')}, "
        f"flags {' '.join(cpu.get('flags', []))}); {m.get('platform', '?')}; Python {m.get('python', '?')}; "
        f"llama-cpp-python {m.get('versions', {}).get('llama-cpp-python', '?')}; runtime profile "
        f"{runtime.get('profile', '?')} on {runtime.get('policy_device', '?')}; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in m.get('load_average') or [])}"
    )


def _targets(result: dict[str, Any]) -> list[str]:
    lines = ["| target | value | goal | verdict | note |", "|---|---|---|---|---|"]
    for t in result.get("targets", []):
        lines.append(
            f"| {t['target']} | {_fmt(t['value'], 2)} | {t['goal']} | {_verdict(t['met'])} | {t['note']} |"
        )
    return lines


def _skipped(name: str, section: Any) -> list[str]:
    if isinstance(section, dict) and "skipped" in section:
        return [f"- **{name}**: skipped: {section['skipped']}"]
    return []


def _policy(section: dict[str, Any]) -> list[str]:
    lines = [
        "| setting | threads | OMP | file MB | TTFT ms p50 / p95 (prompt tokens) | decode tok/s p50 / p95 "
        "| llama eval tok/s | share of bandwidth bound |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in section.get("cells", []):
        if "decode_tok_s" not in c:
            lines.append(f"| {c.get('label')} | | | | skipped: {c.get('skipped')} | | | |")
            continue
        ttft = "; ".join(f"{_fmt(v['p50'], 0)} / {_fmt(v['p95'], 0)} ({n})" for n, v in c["ttft_ms"].items())
        lines.append(
            f"| {c.get('label')} | {c['threads']} | {c.get('omp_wait_policy')} | {c['file_mb']} | {ttft} "
            f"| {_fmt(c['decode_tok_s']['p50'])} / {_fmt(c['decode_tok_s']['p95'])} "
            f"| {_fmt(c['llama_eval_tok_s']['p50'])} | {_fmt(c.get('bandwidth_fraction'), 2)} |"
        )
    return lines


def _e2e(section: dict[str, Any]) -> list[str]:
    rows = [
        ("turn (safety + plan + reply)", "turn_ms"),
        ("turn, reply scaled to 30 words", "turn_ms_at_30_words"),
        ("time to first token", "ttft_ms"),
        ("safety", "safety_ms"),
        ("planner", "plan_ms"),
    ]
    lines = ["| part | p50 ms | p95 ms |", "|---|---|---|"]
    for label, key in rows:
        if key not in section:
            continue
        lines.append(f"| {label} | {_fmt(section[key]['p50'])} | {_fmt(section[key]['p95'])} |")
    lines.append(
        f"\nReplies: median {_fmt(section['reply_words']['p50'], 0)} words, "
        f"{_fmt(section['reply_tokens']['p50'], 0)} tokens; "
        f"decode {_fmt(section['decode_tok_s']['p50'])} tok/s "
        f"in the engine; {section.get('seeker_turns')} seeker turns × {section.get('repeats')} repeats; "
        f"peak RSS {_fmt(section.get('maxrss_mb'))} MB. Components: "
        + ", ".join(f"{k}={v}" for k, v in (section.get("components") or {}).items())
    )
    return lines


def markdown(result: dict[str, Any]) -> str:
    s = result.get("sections", {})
    scenario = result.get("scenario", {})
    out = [
        f"# esc-edge bench: {result['name']}{' (quick)' if result.get('quick') else ''}",
        "",
        f"{result.get('started')}, {result.get('duration_s')} s. Machine: {_machine_line(result)}.",
        f"Policy: {result.get('policy', {}).get('source')}. Scenario: {scenario.get('name')} "
        f"({scenario.get('seeker_turns')} seeker turns, seed {scenario.get('seed')}).",
        "p95 of a latency is its slow tail; p95 of a rate (tok/s) is its 5th percentile (the slow tail).",
        "",
        "## Targets (defaults)",
        *_targets(result),
    ]
    bw = s.get("bandwidth", {})
    if "read_gb_s" in bw:
        out += [
            "",
            f"Memory read bandwidth (1 thread): {_fmt(bw['read_gb_s']['p50'], 2)} GB/s; "
            f"matmul {_fmt(bw.get('matmul_gflops'))} GFLOP/s (1 thread)."
            + (
                f" With a memory-streaming neighbour on the other core: "
                f"{_fmt(bw['read_gb_s_with_stream_neighbour']['p50'], 2)} GB/s "
                f"({_fmt(bw.get('share_left_by_neighbour'), 2)} of it)."
                if "read_gb_s_with_stream_neighbour" in bw
                else ""
            ),
        ]
    if "turn_ms" in s.get("e2e", {}):
        out += ["", "## End-to-end turn", *_e2e(s["e2e"])]
    if s.get("policy", {}).get("cells"):
        out += ["", "## Policy: time to first token and decode speed", *_policy(s["policy"])]
        out += [f"- {n}" for n in s["policy"].get("notes", [])]
    out += _peers(s)
    out += _planner(s.get("planner", {}))
    cold = s.get("cold_start", {})
    if "ready_wall_s" in cold:
        out += [
            "",
            f"Cold start: {_fmt(cold['ready_wall_s']['p50'], 2)} s p50 / "
            f"{_fmt(cold['ready_wall_s']['p95'], 2)} s "
            f"p95 (import {_fmt(cold['import_s']['p50'], 2)} s, load {_fmt(cold['load_s']['p50'], 2)} s); "
            f"{cold.get('method')}.",
        ]
    spread = s.get("spread", {})
    if spread.get("rows"):
        out += [
            "",
            "## Spread: one setting at a time (Q4_1 unless named)",
            *_policy({"cells": spread["rows"]}),
        ]
        out += [
            "",
            "decode_vs_baseline: "
            + "; ".join(
                f"{r['label']} {r['decode_vs_baseline']}" for r in spread["rows"] if "decode_vs_baseline" in r
            ),
        ]
    skipped = [line for name, sec in s.items() for line in _skipped(name, sec)]
    if skipped:
        out += ["", "## Not measured", *skipped]
    out += [f"- {n}" for n in result.get("notes", [])]
    return "\n".join(out) + "\n"


def _peers(s: dict[str, Any]) -> list[str]:
    out: list[str] = []
    over = s.get("overhead", {})
    if "overhead_pct" in over:
        out += [
            "",
            "## Peers",
            f"- bare llama-cpp-python: ours {over['ours_decode_tok_s']} vs bare "
            f"{over['bare_decode_tok_s']} tok/s decode (overhead {over['overhead_pct']}%), TTFT ratio "
            f"{over['ttft_ratio_ours_over_bare']}.",
        ]
        kv = over.get("kv_reuse")
        if kv:
            out.append(
                f"- KV reuse: turn-10 TTFT {kv['turn10_ttft_ms_with_reuse']} ms with reuse vs "
                f"{kv['turn10_ttft_ms_without_reuse']} ms without (turn 1: {kv['turn1_ttft_ms']} ms)."
            )
    hf = s.get("transformers", {})
    if "threads" in hf:
        out += [
            "",
            "- transformers on CPU (" + hf.get("weights", "") + "), load "
            f"{hf['load_s']} s: "
            + "; ".join(
                f"{t} thread(s): decode {_fmt(r['decode_tok_s']['p50'])} tok/s, "
                f"TTFT {_fmt(r['ttft_ms']['p50'], 0)} ms"
                for t, r in hf["threads"].items()
            ),
        ]
    con = s.get("constraints", {})
    if "constrained" in con:
        on, off = con["constrained"], con["unconstrained"]
        out.append(
            f"- constraints on vs off: decode {on['decode_tok_s']['p50']} vs "
            f"{off['decode_tok_s']['p50']} tok/s, turn p50 {on['turn_ms']['p50']} "
            f"vs {off['turn_ms']['p50']} ms, words {on['reply_words']['p50']} "
            f"vs {off['reply_words']['p50']}."
        )
    return out


def _planner(section: dict[str, Any]) -> list[str]:
    rows = section.get("rows")
    if not rows:
        return []
    lines = [
        "",
        "## Planner latency by context length (1 thread, full plan step)",
        "| backend | " + " | ".join(f"{n} tok p50 / p95 ms" for n in next(iter(rows.values()))) + " |",
        "|---|" + "---|" * len(next(iter(rows.values()))),
    ]
    for name, by_len in rows.items():
        lines.append(
            f"| {name} | " + " | ".join(f"{v['p50_ms']} / {v['p95_ms']}" for v in by_len.values()) + " |"
        )
    lines += [f"- {n}" for n in section.get("notes", [])]
    return lines


def summary(result: dict[str, Any]) -> str:
    lines = [f"esc-edge bench {result['name']}: {result.get('duration_s')} s"]
    for t in result.get("targets", []):
        lines.append(
            f"  {t['target']:<38} {_fmt(t['value'], 2):>8}  goal {t['goal']:<10} {_verdict(t['met'])}"
        )
    return "\n".join(lines)


def plot(result: dict[str, Any], path: Path) -> str | None:
    """Latency per turn and tokens/s per setting; returns None, or why no plot was drawn."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install 'esc-edge[eval]')"
    s = result.get("sections", {})
    bars = _rate_bars(s)
    turns = s.get("e2e", {}).get("per_turn", [])
    if not bars and not turns:
        return "nothing to plot"
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    if turns:
        x = [t["turn"] for t in turns]
        left.plot(x, [t["turn_ms"] for t in turns], marker="o", label="turn (safety + plan + reply)")
        left.plot(x, [t["ttft_ms"] for t in turns], marker="s", label="time to first token")
        left.axhline(1000, color="grey", linestyle=":", label="target p50 1 s")
        left.set_xlabel("seeker turn")
        left.set_ylabel("ms (median over repeats)")
        left.set_title("End-to-end latency per turn")
        left.legend(fontsize=8)
    if bars:
        labels, values = zip(*bars, strict=True)
        right.barh(range(len(values)), values, color="tab:blue")
        right.set_yticks(range(len(values)), labels, fontsize=7)
        right.invert_yaxis()
        right.set_xlabel("decode tokens/s (median)")
        right.set_title("Decode speed per setting")
    fig.suptitle(
        f"esc-edge bench {result['name']} — {result.get('machine', {}).get('cpu', {}).get('model', '')}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def _rate_bars(s: dict[str, Any]) -> list[tuple[str, float]]:
    bars: list[tuple[str, float]] = []
    for c in s.get("policy", {}).get("cells", []):
        value = c.get("decode_tok_s", {}).get("p50")
        if value:
            bars.append((f"{c['label']} {c['threads']}t {c.get('omp_wait_policy')}", value))
    over = s.get("overhead", {})
    if "bare_decode_tok_s" in over:
        bars.append(("bare llama-cpp-python", over["bare_decode_tok_s"]))
        bars.append(("ours (LlamaGenerator)", over["ours_decode_tok_s"]))
    for t, r in s.get("transformers", {}).get("threads", {}).items():
        if r["decode_tok_s"]["p50"]:
            bars.append((f"transformers fp32 {t}t", r["decode_tok_s"]["p50"]))
    for r in s.get("spread", {}).get("rows", []):
        value = r.get("decode_tok_s", {}).get("p50")
        if value:
            bars.append((f"spread: {r['label']}", value))
    return bars
