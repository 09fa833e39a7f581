"""`esc-edge safety`: assess messages read from stdin, one per line.

With ``--json`` stdout carries exactly one JSON object per input line,
``{"crisis": bool, "category": str|null, "score": float}``, and nothing else (warnings go to
stderr). Lines are independent: no conversation context is carried between them.
"""

from __future__ import annotations

import click

from esc_edge.cli._common import emit_json, stdin_lines


@click.command("safety")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line on stdout.")
@click.option("--locale", default="en-US", show_default=True, help="Chooses helpline numbers (--reply).")
@click.option("--careful", is_flag=True, help="Use the lower careful-mode threshold.")
@click.option("--reply", "show_reply", is_flag=True, help="Also print the safety reply for crises.")
@click.option(
    "--no-encoder",
    is_flag=True,
    help="Leave out the sentence-encoder head (no ONNX model loaded: about 200 MB less, lower recall).",
)
def safety(as_json: bool, locale: str, careful: bool, show_reply: bool, no_encoder: bool) -> None:
    """Assess each stdin line: suicide, self-harm, medical, abuse, harm to others, child at risk."""
    from esc_edge.safety.detector import LayeredSafetyCheck
    from esc_edge.safety.replies import safety_reply, validate_locale

    check = LayeredSafetyCheck.create(locale=validate_locale(locale), use_encoder=not no_encoder)
    for line in stdin_lines():
        result = check.assess(None, line, careful=careful)
        if as_json:
            data = result.to_dict()
            if show_reply and result.crisis:
                data["reply"] = safety_reply(result, locale)
            emit_json(data)
            continue
        label = f"CRISIS ({result.category})" if result.crisis else "ok"
        click.echo(f"{label:<24} score={result.score:.2f}  {line[:80]}")
        if show_reply and result.crisis:
            click.echo("  " + safety_reply(result, locale))
