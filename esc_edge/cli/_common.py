"""Shared CLI plumbing: error reporting, JSON output, reading messages from stdin."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
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


def settings_options(fn: Any) -> Any:
    """The flags every model-using command shares; each maps to a Settings field."""
    options = [
        click.option("--model", type=click.Path(dir_okay=False, path_type=str), default=None,
                     help="Local GGUF policy file (instead of a registry model)."),
        click.option("--lora", type=click.Path(dir_okay=False, path_type=str), default=None,
                     help="LoRA GGUF applied to --model at load time."),
        click.option("--policy", default=None, help="Policy model name from `esc-edge models`."),
        click.option("--planner", default=None, help="Planner: onnx | hier | none."),
        click.option("--runtime", default=None, help="Hardware profile: auto | cpu | cuda | metal | vulkan."),
        click.option("--threads", type=int, default=None, help="Generation threads (default: by profile)."),
        click.option("--locale", default=None, help="Locale for helplines in safety replies, e.g. en-GB."),
        click.option("--seed", type=int, default=None, help="Sampling seed for reproducible replies."),
        click.option("--word-budget", type=int, default=None, help="Most words in a reply."),
        click.option("--candidates", type=int, default=None,
                     help="Sample N replies, keep the one closest to the others (slower, N x decode)."),
        click.option("--chooser", type=click.Choice(["consensus", "learned"]), default=None,
                     help="How --candidates picks: consensus, or learned (greedy + N-1 samples, ranked)."),
        click.option("--no-constraints", "constraints", flag_value="false", default=None,
                     help="Decode without the constraint layer (for comparison)."),
        click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=str),
                     default=None, help="YAML config file (default: the user config dir)."),
    ]  # fmt: skip
    for option in reversed(options):
        fn = option(fn)
    return fn


SETTINGS_FLAGS = (
    "model", "lora", "policy", "planner", "runtime", "threads", "locale", "seed", "word_budget",
    "candidates", "chooser", "constraints", "strategy",
)  # fmt: skip


def load_cli_settings(params: dict[str, Any]) -> Any:
    """Settings from file → env → the flags in ``params`` (popped from it)."""
    from pathlib import Path

    from esc_edge.config import load_settings

    config_path = params.pop("config_path", None)
    flags = {name: params.pop(name) for name in SETTINGS_FLAGS if name in params}
    return load_settings(flags, config_path=Path(config_path) if config_path else None)


class StderrProgress:
    """A progress bar on stderr for byte counts (pull, verify); silent when stderr is not a TTY."""

    def __init__(self) -> None:
        self._label = ""
        self._bar: Any = None

    def __call__(self, done: int, total: int | None, label: str) -> None:
        if label != self._label:
            self.finish()
            self._label = label
            self._bar = click.progressbar(length=total or 0, label=label, file=sys.stderr,
                                          show_pos=False, show_percent=True)  # fmt: skip
            self._bar.__enter__()
            self._seen = 0
        if self._bar is not None:
            self._bar.update(done - self._seen)
            self._seen = done

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            self._label = ""


# The ESConv-style data file every dialogue evaluation reads (`eval planner`, `eval generation`).
dialogue_data_option = click.option(
    "--data",
    "data_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="JSONL file, one dialogue per line (ESConv schema).",
)
