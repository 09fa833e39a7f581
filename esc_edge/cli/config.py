"""`esc-edge config`: the effective settings and where each value came from."""

from __future__ import annotations

from pathlib import Path

import click

from esc_edge.cli._common import emit_json


@click.command()
@click.option("--config", "config_path", default=None, help="YAML config file to read.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--path", "show_path", is_flag=True, help="Only print the config file's path.")
def config(config_path: str | None, as_json: bool, show_path: bool) -> None:
    """Show the effective configuration: defaults < config file < ESC_EDGE_* env < flags."""
    from esc_edge.config import default_config_path, load_settings

    path = Path(config_path) if config_path else default_config_path()
    if show_path:
        click.echo(str(path))
        return
    settings = load_settings(config_path=path)
    rows = settings.describe()
    if as_json:
        emit_json({
            "config_file": str(path),
            "settings": {name: {"value": _plain(value), "source": source} for name, value, source in rows},
        })  # fmt: skip
        return
    click.echo(f"# config file: {path}{'' if path.exists() else ' (absent)'}", err=True)
    for name, value, source in rows:
        click.echo(f"{name:18} = {_plain(value)!s:40} # {source}")


def _plain(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "items"):
        return dict(value)  # type: ignore[call-overload]
    return value
