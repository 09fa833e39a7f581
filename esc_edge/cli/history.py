"""`esc-edge history`: list, show, export, import and delete saved conversations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from esc_edge.cli._common import emit_json

DB_OPTION = click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="History database (default: history_path from the config, else the user data dir).",
)


def _store(db: Path | None) -> Any:
    from esc_edge.config import load_settings
    from esc_edge.history import HistoryStore

    return HistoryStore(db if db is not None else load_settings().history_path)


@click.group()
def history() -> None:
    """Conversations saved by `serve --persist` or an app (nothing is saved unless asked)."""


@history.command("list")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per conversation.")
def list_(db: Path | None, as_json: bool) -> None:
    """Saved conversations, most recent first."""
    with _store(db) as store:
        for saved in store.list():
            if as_json:
                emit_json(saved.to_dict())
            else:
                click.echo(f"{saved.id}\t{saved.turns} turns\tupdated {saved.to_dict()['updated']}")


@history.command()
@DB_OPTION
@click.argument("conversation_id")
def show(db: Path | None, conversation_id: str) -> None:
    """Print a conversation as a transcript."""
    with _store(db) as store:
        for turn in store.load(conversation_id):
            tag = f" [{turn.strategy}]" if turn.strategy else ""
            click.echo(f"{turn.speaker}{tag}: {turn.text}")


@history.command("export")
@DB_OPTION
@click.argument("conversation_id")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of stdout.")  # fmt: skip
def export(db: Path | None, conversation_id: str, output: Path | None) -> None:
    """Export a conversation as JSON (readable by `chat --history` and `history import`)."""
    with _store(db) as store:
        if output is None:
            sys.stdout.write(store.export_json(conversation_id) + "\n")
            return
        _write_atomic(output, store.export_json(conversation_id) + "\n")
        click.echo(f"exported {conversation_id!r} to {output}", err=True)


def _write_atomic(target: Path, text: str) -> None:
    """A killed export never leaves half a file under the target name."""
    import os
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@history.command("import")
@DB_OPTION
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "conversation_id", default=None, help="Id to store it under (default: its own).")
@click.option("--replace", is_flag=True, help="Overwrite a conversation with the same id.")
def import_(db: Path | None, file: Path, conversation_id: str | None, replace: bool) -> None:
    """Import a conversation from a JSON file (an export, a /save file or an ESConv line)."""
    from esc_edge.errors import InputError

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {file}: {exc}") from None
    with _store(db) as store:
        click.echo(store.import_json(text, conversation_id=conversation_id, replace=replace))


@history.command()
@DB_OPTION
@click.argument("conversation_id")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete(db: Path | None, conversation_id: str, yes: bool) -> None:
    """Delete a conversation for good (the text is wiped from the database file)."""
    from esc_edge.errors import InputError

    with _store(db) as store:
        if conversation_id not in store:
            raise InputError(f"no saved conversation {conversation_id!r}", hint="`esc-edge history list`")
        if not yes and not click.confirm(f"Delete {conversation_id!r} for good?", err=True):
            raise click.exceptions.Abort()
        store.delete(conversation_id)
        click.echo(f"deleted {conversation_id!r}", err=True)
