"""`esc-edge pull` and `esc-edge models`: fetch, verify and list the models."""

from __future__ import annotations

from typing import Any

import click

from esc_edge.cli._common import StderrProgress, emit_json


def _store(models_dir: str | None, progress: Any = None) -> Any:
    from pathlib import Path

    from esc_edge.config import load_settings
    from esc_edge.models.store import ModelStore, no_progress

    settings = load_settings({"models_dir": models_dir})
    return ModelStore(cache_dir=settings.models_dir or (Path(models_dir) if models_dir else None),
                      progress=progress or no_progress)  # fmt: skip


@click.command()
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Download again even if a verified copy exists.")
@click.option("--models-dir", default=None, help="Cache directory (default: the user cache dir).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def pull(names: tuple[str, ...], force: bool, models_dir: str | None, as_json: bool) -> None:
    """Fetch models (default: the default policy), verify their sha256 and repair bad copies."""
    progress = StderrProgress()
    store = _store(models_dir, progress)
    targets = list(names) or _default_names(store)
    for name in targets:
        click.echo(f"pulling {name} ...", err=True)
        path = store.pull(name, force=force)
        progress.finish()
        if as_json:
            emit_json({"name": name, "path": str(path), "ok": True})
        else:
            click.echo(f"{name}: {path}")


def _default_names(store: Any) -> list[str]:
    from esc_edge._components import Components
    from esc_edge.config import load_settings
    from esc_edge.runtime import select_runtime

    components = Components(load_settings(), select_runtime("cpu"), store=store)
    return components._policy_parts(components._policy_name())


@click.command()
@click.option("--models-dir", default=None, help="Cache directory (default: the user cache dir).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per model.")
def models(models_dir: str | None, as_json: bool) -> None:
    """List known models: role, size, licence, whether installed and where."""
    store = _store(models_dir)
    defaults = set(store.registry.defaults.values())
    for row in store.list():
        spec = row.spec
        data = {
            "name": spec.name,
            "role": spec.role,
            "default": spec.name in defaults,
            "installed": row.installed,
            "size": row.size if row.size is not None else spec.size,
            "license": spec.license,
            "path": str(row.path),
            "description": spec.description,
        }
        if as_json:
            emit_json(data)
            continue
        size = data["size"]
        size_text = f"{size / 1e6:7.1f} MB" if isinstance(size, int) else "      ? MB"
        mark = "*" if data["default"] else " "
        state = "installed" if row.installed else "not installed"
        click.echo(
            f"{mark} {spec.name:32} {spec.role:8} {size_text}  {spec.license:14} {state:13} {row.path}"
        )
