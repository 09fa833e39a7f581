"""Shared CLI plumbing: error reporting, JSON output, reading messages from stdin."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from typing import Any, NoReturn

import click

from esc_edge.errors import EscEdgeError
from esc_edge.text import decode_line

log = logging.getLogger("esc_edge")


def run_cli(group: click.Group, argv: list[str]) -> NoReturn:
    try:
        group.main(args=argv, prog_name="esc-edge", standalone_mode=False)
    except EscEdgeError as exc:
        fail(exc)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(0)


def fail(exc: EscEdgeError) -> NoReturn:
    click.echo(f"esc-edge: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def emit_json(data: Any) -> None:
    """One JSON object per line on stdout, flushed so pipes see it at once."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def warn(message: str) -> None:
    click.echo(f"esc-edge: warning: {message}", err=True)


def stdin_lines() -> Iterator[str]:
    """Lines from stdin as text; invalid UTF-8 is replaced (and reported), never fatal."""
    for lineno, raw in enumerate(sys.stdin.buffer, start=1):
        text, replaced = decode_line(raw.rstrip(b"\r\n"))
        if replaced:
            warn(f"line {lineno}: invalid UTF-8 replaced")
        yield text
