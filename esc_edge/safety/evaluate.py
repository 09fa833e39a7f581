"""Scoring the safety layer on labelled messages: shared by `esc-edge eval safety` and bench/."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from esc_edge.conversation import Conversation
from esc_edge.errors import InputError
from esc_edge.eval.dialogues import read_jsonl
from esc_edge.safety.detector import LayeredSafetyCheck


def load_rows(path: Path, split: str | None = None) -> list[dict[str, Any]]:
    """Labelled messages of a JSONL file (``text`` and ``crisis`` on every line), of one split if given."""
    rows: list[dict[str, Any]] = []
    for row in read_jsonl(path):
        if not isinstance(row.get("text"), str) or "crisis" not in row:
            raise InputError(f"{path}:{row['_line']}: each line needs 'text' and 'crisis'")
        if split is None or row.get("split") == split:
            rows.append(row)
    return rows


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def evaluate(
    rows: Iterable[dict[str, Any]], *, careful: bool = False, check: LayeredSafetyCheck | None = None
) -> dict[str, Any]:
    check = check or LayeredSafetyCheck.create()
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind_pos: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    latencies: list[float] = []
    cpu: list[float] = []
    misses: list[dict[str, Any]] = []
    false_alarms: list[dict[str, Any]] = []
    category_right = 0
    for row in rows:
        conversation = Conversation()
        for earlier in row.get("context") or []:
            conversation.add_seeker(str(earlier))
        start, start_cpu = time.perf_counter(), time.process_time()
        result = check.assess(conversation, row["text"], careful=careful)
        latencies.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        kind = str(row.get("kind") or "-")
        lang = str(row.get("lang") or "-")
        if row["crisis"]:
            cat = by_cat[str(row.get("category") or "-")]
            cat[1] += 1
            by_kind_pos[kind][1] += 1
            by_lang[lang][1] += 1
            if result.crisis:
                cat[0] += 1
                by_kind_pos[kind][0] += 1
                by_lang[lang][0] += 1
                category_right += result.category == row.get("category")
            else:
                misses.append({"text": row["text"][:200], "score": result.score})
        else:
            by_kind[kind][1] += 1
            by_lang[lang][3] += 1
            if result.crisis:
                by_kind[kind][0] += 1
                by_lang[lang][2] += 1
                false_alarms.append(
                    {"text": row["text"][:200], "score": result.score, "category": result.category}
                )
    tp = sum(v[0] for v in by_cat.values())
    positives = sum(v[1] for v in by_cat.values())
    fp = sum(v[0] for v in by_kind.values())
    negatives = sum(v[1] for v in by_kind.values())
    return {
        "overall": {
            "recall": tp / positives if positives else 0.0,
            "fpr": fp / negatives if negatives else 0.0,
            "tp": tp,
            "positives": positives,
            "fp": fp,
            "negatives": negatives,
            "category_accuracy_on_detected": category_right / tp if tp else 0.0,
        },
        "recall_by_category": {
            k: {"recall": v[0] / v[1], "hit": v[0], "n": v[1]} for k, v in sorted(by_cat.items())
        },
        "recall_by_kind": {
            k: {"recall": v[0] / v[1], "hit": v[0], "n": v[1]} for k, v in sorted(by_kind_pos.items())
        },
        "fpr_by_kind": {
            k: {"fpr": v[0] / v[1], "flagged": v[0], "n": v[1]} for k, v in sorted(by_kind.items())
        },
        "by_language": {
            k: {
                "recall": v[0] / v[1] if v[1] else None,
                "n_crisis": v[1],
                "fpr": v[2] / v[3] if v[3] else None,
                "n_safe": v[3],
            }
            for k, v in sorted(by_lang.items())
        },
        "latency_ms": {
            "p50": _percentile(latencies, 0.5),
            "p95": _percentile(latencies, 0.95),
            "mean": sum(latencies) / len(latencies) if latencies else 0.0,
        },
        # CPU time of this process: what one core costs, whatever else shares the machine.
        "cpu_ms": {
            "p50": _percentile(cpu, 0.5),
            "p95": _percentile(cpu, 0.95),
            "mean": sum(cpu) / len(cpu) if cpu else 0.0,
        },
        "threshold": check.threshold_for(careful),
        "misses": misses,
        "false_alarms": false_alarms,
    }
