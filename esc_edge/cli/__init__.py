"""The `esc-edge` command line: a thin click layer over the public API.

Data goes to stdout, progress and logs to stderr. Subcommands live in their own modules and are
imported only when used, so `esc-edge --help` and `esc-edge safety` start fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from esc_edge import __version__

# name -> "module:attribute"; each module owns one command (or group).
COMMANDS: dict[str, str] = {
    "chat": "esc_edge.cli.chat:chat",
    "pull": "esc_edge.cli.models:pull",
    "models": "esc_edge.cli.models:models",
    "config": "esc_edge.cli.config:config",
    "safety": "esc_edge.cli.safety:safety",
    "plan": "esc_edge.cli.plan:plan",
    "eval": "esc_edge.cli.eval:eval_group",
    "bench": "esc_edge.cli.bench:bench",
    "serve": "esc_edge.cli.serve:serve",
    "history": "esc_edge.cli.history:history",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use, from ``registry``."""

    registry: dict[str, str] = COMMANDS

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in self.registry if self._available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.registry.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        command: click.Command = getattr(module, attr)
        return command

    def _available(self, name: str) -> bool:
        module_name = self.registry[name].split(":")[0]
        return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="esc-edge")
def cli() -> None:
    """Private emotional-support chat that runs on your own machine."""


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: every EscEdgeError becomes one line on stderr and its exit code."""
    from esc_edge.cli._common import run_cli

    return run_cli(cli, argv if argv is not None else sys.argv[1:])
