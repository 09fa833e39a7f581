"""`esc-edge eval safety`: recall and false-positive rate of the safety layer on a JSONL file.

Each line: ``{"text": str, "crisis": bool, "category": str|null}``; optional ``kind``, ``lang``,
``split`` (breakdowns) and ``context`` (earlier seeker messages, oldest first).
"""

from __future__ import annotations

from pathlib import Path

import click

from esc_edge.cli._common import emit_json


@click.command("safety")
@click.option(
    "--data", "data_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--split", default=None, help="Only rows whose 'split' equals this (e.g. holdout).")
@click.option("--careful", is_flag=True, help="Use the careful-mode threshold.")
def safety(data_path: Path, as_json: bool, split: str | None, careful: bool) -> None:
    """Recall per category and false-positive rate per kind, with latency per message."""
    from esc_edge.safety.evaluate import evaluate, load_rows

    report = evaluate(load_rows(data_path, split=split), careful=careful)
    if as_json:
        emit_json(report)
        return
    overall = report["overall"]
    click.echo(
        f"crisis recall {overall['recall']:.3f} ({overall['tp']}/{overall['positives']})  "
        f"false-positive rate {overall['fpr']:.3f} ({overall['fp']}/{overall['negatives']})  "
        f"p50 {report['latency_ms']['p50']:.2f} ms  p95 {report['latency_ms']['p95']:.2f} ms"
    )
    for name, row in report["recall_by_category"].items():
        click.echo(f"  recall {name:<12} {row['recall']:.3f} ({row['hit']}/{row['n']})")
    for name, row in report["fpr_by_kind"].items():
        click.echo(f"  fpr    {name:<16} {row['fpr']:.3f} ({row['flagged']}/{row['n']})")
