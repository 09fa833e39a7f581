"""`esc-edge plan`: the planner's choice for one dialogue read as JSON on stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from esc_edge.cli._common import emit_json
from esc_edge.conversation import Conversation
from esc_edge.errors import InputError
from esc_edge.planner.base import Plan

_MAX_STDIN_BYTES = 64 * 1024 * 1024


def read_dialogue(raw: bytes) -> Conversation:
    """A dialogue in the shared data's schema: an object with 'turns', or a bare list of turns."""
    if len(raw) > _MAX_STDIN_BYTES:
        raise InputError("the dialogue on stdin is larger than 64 MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("stdin is not UTF-8 text") from None
    if not text.strip():
        raise InputError(
            "no dialogue on stdin",
            hint='pipe a JSON object like {"turns": [{"speaker": "seeker", "text": "..."}]}',
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"stdin is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(data, list):
        data = {"turns": data}
    return Conversation.from_dict(data)


def default_model_dir() -> Path:
    """The configured (else the registry's default) planner, size- and sha256-checked like chat."""
    from esc_edge.config import load_settings
    from esc_edge.models.store import ModelStore
    from esc_edge.planner.onnx import DEFAULT_MODEL_DIR

    settings = load_settings()
    store = ModelStore(cache_dir=settings.models_dir)
    name = settings.planner_model or store.registry.default("planner")
    return store.path(name) if name else DEFAULT_MODEL_DIR


TRAINED_PLANNERS = ("onnx", "hier")


def load_trained_planner(kind: str | None, model_dir: Path | None, threads: int) -> Any:
    """The ``kind`` planner (default: the ``planner`` setting) from the registry's planner directory."""
    from esc_edge._components import _load_impl
    from esc_edge.config import load_settings
    from esc_edge.planner.base import planners

    kind = kind or load_settings().planner
    if kind not in TRAINED_PLANNERS:
        raise click.BadParameter(
            f"{kind!r} is not a trained planner; use onnx or hier", param_hint="--planner"
        )
    _load_impl("planner", kind)
    return planners.get(kind)(model_dir or default_model_dir(), threads=threads)


planner_option = click.option(
    "--planner",
    "kind",
    type=click.Choice(TRAINED_PLANNERS),
    default=None,
    help="Planner implementation (default: the planner setting).",
)


def _describe(plan: Plan) -> str:
    strategy_p = plan.probs.get(plan.strategy or "", 0.0)
    emotion_p = plan.emotion_probs.get(plan.emotion or "", 0.0)
    return f"{plan.strategy} ({strategy_p:.0%})  seeker emotion: {plan.emotion} ({emotion_p:.0%})"


@click.command("plan")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as one JSON object.")
@click.option(
    "--model-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Planner model directory (default: the registry's planner, shipped with esc-edge).",
)
@planner_option
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True)
def plan(as_json: bool, model_dir: Path | None, kind: str | None, threads: int) -> None:
    """Predict the next supporter strategy and the seeker's emotion for a dialogue on stdin.

    Input: one JSON object with a "turns" list (the ESConv data schema: each turn has "speaker"
    "seeker" or "supporter", "text" and, for supporter turns, an optional "strategy").
    """
    conversation = read_dialogue(sys.stdin.buffer.read())
    result = load_trained_planner(kind, model_dir, threads).plan(conversation)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(_describe(result))
