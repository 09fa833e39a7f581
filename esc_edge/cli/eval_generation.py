"""`esc-edge eval generation`: reply quality of the policy on a JSONL data set, via the runtime."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from esc_edge.cli._common import dialogue_data_option, emit_json, load_cli_settings, settings_options


def _summary(report: dict[str, Any]) -> str:
    lines = [f"{report['turns']} supporter turns, strategy {report['strategy_mode']}"]
    for key, label in (("vs_first_message", "first message"), ("vs_joined_turn", "joined turn")):
        r = report[key]
        lines.append(
            f"vs {label:<13}  BLEU-2 {_ci(r['bleu2'])}  ROUGE-L {_ci(r['rouge_l'])}  "
            f"Dist-1 {r['distinct1']['value']:.1f}  Dist-2 {r['distinct2']['value']:.1f}  "
            f"words {r['mean_words']['value']:.1f}"
        )
        lit = r["esc_literature"]
        lines.append(
            f"   as ESC papers   BLEU-2 {_ci(lit['bleu2'])}  ROUGE-L {_ci(lit['rouge_l'])}  "
            f"Dist-1 {lit['distinct1']['value']:.1f}  Dist-2 {lit['distinct2']['value']:.1f}"
        )
    adherence = report["strategy_adherence"]
    lines.append(
        f'"?" in Question replies {adherence["question_turns_with_q"]}%, '
        f"in others {adherence['other_turns_with_q']}% "
        f"(humans {adherence['human_question_turns_with_q']}% / "
        f"{adherence['human_other_turns_with_q']}%)"
    )
    if "human_reply_ppl" in report:
        lines.append(
            f"perplexity on the human replies {report['human_reply_ppl']} (NLL {report['human_reply_nll']})"
        )
    if report.get("strategy_accuracy") is not None and report["strategy_mode"] == "planned":
        lines.append(f"planned strategy = gold in {100 * report['strategy_accuracy']:.1f}%")
    lines.append(f"{report['ms_per_reply']} ms per reply")
    return "\n".join(lines)


def _ci(metric: dict[str, Any]) -> str:
    low, high = metric["ci95"]
    return f"{metric['value']:.2f} ({low:.1f}-{high:.1f})"


@click.command("generation")
@settings_options
@dialogue_data_option
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=0,
    help="Evaluate N evenly spaced supporter turns (0: all).",
)
@click.option(
    "--strategy",
    "mode",
    type=click.Choice(["gold", "planned"]),
    default="gold",
    show_default=True,
    help="Condition each reply on the human's strategy (oracle) or the planner's.",
)
@click.option(
    "--temperature",
    type=click.FloatRange(0.0, 2.0),
    default=None,
    help="Sampling temperature for every reply (0: greedy; default: decoding.yaml).",
)
@click.option("--n-ctx", type=click.IntRange(min=256), default=None, help="Context window.")
@click.option("--no-nll", is_flag=True, help="Skip the perplexity on the human replies.")
@click.option(
    "--situation",
    "with_situation",
    is_flag=True,
    help="Give each dialogue's `situation` (the seeker's pre-chat description) to the prompt.",
)
@click.option(
    "--replies",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write every reply with its references to this JSONL file.",
)
@click.option("--yes", "-y", is_flag=True, help="Pull missing models without asking.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
def generation(
    data_path: Path,
    limit: int,
    mode: str,
    temperature: float | None,
    n_ctx: int | None,
    no_nll: bool,
    with_situation: bool,
    replies: Path | None,
    yes: bool,
    as_json: bool,
    **params: Any,
) -> None:
    """Generate a reply for each supporter turn and score it against the human reply.

    BLEU-2 is sacrebleu's corpus BLEU (max order 2, effective order, 13a tokens); ROUGE-L is
    rouge-score's F x 100 averaged over replies; Distinct-n is over lower-cased whitespace tokens;
    95% intervals come from 1000 bootstrap resamples of the turns. Needs the `eval` extra.
    """
    from esc_edge.eval import generation as gen
    from esc_edge.eval.dialogues import read_jsonl
    from esc_edge.supporter import Supporter

    settings = load_cli_settings(params)
    changes: dict[str, Any] = {}
    if temperature is not None:
        changes["temperature"] = temperature
    if n_ctx is not None:
        changes["n_ctx"] = n_ctx
    if mode == "gold":
        changes["planner"] = "none"  # the gold strategy is given; no planner model is needed
    settings = settings.replace(**changes)
    cases = gen.evenly_spaced_cases(read_jsonl(data_path), limit)
    click.echo(f"loading models; {len(cases)} supporter turns to generate ...", err=True)
    with Supporter(settings, safety=gen.PassThroughSafety(), pull=yes) as supporter:
        results = gen.evaluate(
            supporter, cases, mode, with_nll=not no_nll, progress=_progress, with_situation=with_situation
        )
    report = gen.report(results)
    report.update({"data": str(data_path), "strategy_mode": mode, "situation": with_situation,
                   "settings": _settings(settings)})  # fmt: skip
    if replies is not None:
        _write_replies(replies, results)
    if as_json:
        emit_json(report)
    else:
        click.echo(_summary(report))


def _progress(done: int, total: int, result: Any) -> None:
    if done % 10 == 0 or done == total:
        click.echo(f"  {done}/{total}  {result.total_ms:.0f} ms  {result.reply[:70]!r}", err=True)


def _settings(settings: Any) -> dict[str, Any]:
    keys = ("policy", "model", "lora", "constraints", "temperature", "seed", "n_ctx", "word_budget",
            "candidates", "chooser", "min_words")  # fmt: skip
    return {k: str(v) if isinstance(v, Path) else v for k, v in
            ((k, getattr(settings, k, None)) for k in keys)}  # fmt: skip


def _write_replies(path: Path, results: Any) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in results:
            record = {
                "dialogue_id": r.case.dialogue_id,
                "gold_strategy": r.case.strategy,
                "strategy": r.strategy,
                "seeker": r.case.context[-1].text,
                "reply": r.reply,
                "reference": r.case.reference,
                "reference_turn": r.case.reference_turn,
                "nll": r.nll,
                "n_tokens": r.n_tokens,
                "ms": round(r.total_ms, 1),
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"replies written to {path}", file=sys.stderr)
