"""`esc-edge eval planner`: strategy and emotion metrics of the planner on a JSONL data set."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from esc_edge.cli._common import dialogue_data_option, emit_json
from esc_edge.cli.plan import planner_option


def _summary(report: dict[str, Any]) -> str:
    s, base = report["strategy"], report["majority_baseline"]
    lines = [
        f"{report['examples']} supporter turns in {report['dialogues']} dialogues",
        f"strategy  acc {s['accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}  "
        f"weighted-F1 {s['weighted_f1']:.3f}  KL(pred||gold) {s['kl_pred_gold']:.3f}",
        f"majority ({base['label']})  acc {base['accuracy']:.3f}  weighted-F1 {base['weighted_f1']:.3f}",
    ]
    lines += [f"  {name:<30} F1 {f1:.3f}" for name, f1 in s["per_class_f1"].items()]
    if report["emotion"]:
        e = report["emotion"]
        lines.append(f"emotion   acc {e['accuracy']:.3f}  macro-F1 {e['macro_f1']:.3f}")
    lines.append(f"{report['ms_per_turn']} ms per turn")
    return "\n".join(lines)


@click.command("planner")
@dialogue_data_option
@click.option(
    "--model-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Planner model directory (default: the registry's planner, shipped with esc-edge).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
@click.option(
    "--limit", type=click.IntRange(min=0), default=0, help="Score only the first N dialogues (0: all)."
)
@planner_option
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True)
def planner(
    data_path: Path, model_dir: Path | None, as_json: bool, limit: int, kind: str | None, threads: int
) -> None:
    """Predict every supporter turn with a gold strategy from the turns before it; print metrics."""
    import itertools

    from esc_edge.cli.plan import load_trained_planner
    from esc_edge.eval.dialogues import read_jsonl
    from esc_edge.eval.planner import evaluate_planner

    model = load_trained_planner(kind, model_dir, threads)
    dialogues = read_jsonl(data_path)
    if limit:
        dialogues = itertools.islice(dialogues, limit)
    share = model.config.raw.get("train_strategy_share")
    majority = max(share, key=lambda k: share[k]) if isinstance(share, dict) and share else None

    def progress(done: int) -> None:
        if done % 25 == 0:
            print(f"esc-edge: {done} dialogues scored", file=sys.stderr, flush=True)

    report = evaluate_planner(
        model,
        dialogues,
        emotion_labels=model.config.emotion_labels,
        majority_label=majority,
        progress=progress,
    )
    report = {"data": str(data_path), "model_dir": str(model.model_dir), **report}
    if as_json:
        emit_json(report)
    else:
        click.echo(_summary(report))
