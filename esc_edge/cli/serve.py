"""`esc-edge serve`: a local OpenAI-compatible HTTP server for desktop apps (needs the `serve` extra)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
from pathlib import Path
from typing import Any

import click

from esc_edge.cli._common import SETTINGS_FLAGS, settings_options, warn
from esc_edge.errors import BackendUnavailableError, ConfigError, InputError

TOKEN_ENV = "ESC_EDGE_API_TOKEN"
SERVE_FLAGS = ("host", "port", "max_pending", "max_body_bytes", "history_path")
INSTALL_HINT = "pip install 'esc-edge[serve]'"


@click.command()
@settings_options
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1: this machine only).")
@click.option("--port", type=int, default=None, help="Port (default 8765; 0 picks a free one).")
@click.option(
    "--token", default=None, help=f"Require 'Authorization: Bearer TOKEN' (better: set {TOKEN_ENV})."
)
@click.option("--max-pending", type=int, default=None, help="Replies waiting or running before 503 (16).")
@click.option("--max-body-bytes", type=int, default=None, help="Largest request body read (1 MB).")
@click.option("--persist", is_flag=True, help="Keep `session` conversations in the history database.")
@click.option("--history-path", default=None, help="History database file (with --persist).")
@click.option("--model-name", default="esc-edge", show_default=True, help="Model id clients ask for.")
@click.option("--yes", "-y", is_flag=True, help="Pull missing models without asking.")
def serve(token: str | None, persist: bool, model_name: str, yes: bool, **params: Any) -> None:
    """Serve the supporter at http://127.0.0.1:8765/v1 (OpenAI chat format)."""
    uvicorn = _import_web_stack()
    settings = _settings(params)
    token = token or os.environ.get(TOKEN_ENV) or None
    _check_exposure(settings.host, token)
    from esc_edge.aio import AsyncSupporter
    from esc_edge.server.app import ServerOptions, create_app
    from esc_edge.supporter import Supporter

    click.echo("loading models ...", err=True)
    supporter = Supporter(settings, pull=_pull_policy(yes))
    store = _open_store(settings.history_path) if persist else None
    engine = AsyncSupporter(supporter, max_pending=settings.max_pending, store=store)
    options = ServerOptions.from_settings(settings, api_token=token, model_name=model_name)
    try:
        sock = _bind(settings.host, settings.port)
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        click.echo(
            f"esc-edge: serving http://{shown}:{port}/v1 (model {model_name!r}); Ctrl-C stops", err=True
        )
        config = uvicorn.Config(
            create_app(engine, options), log_config=_stderr_logging(), access_log=False, log_level="warning"
        )
        _run_until_stopped(uvicorn.Server(config), sock)
    finally:
        supporter.close()
        if store is not None:
            store.close()


def _run_until_stopped(server: Any, sock: socket.socket) -> None:
    """Serve until Ctrl-C/SIGTERM. Uvicorn shuts down gracefully, then re-raises the signal; a
    stop the user asked for is a normal exit, not an abort."""
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    click.echo("esc-edge: server stopped", err=True)


def _import_web_stack() -> Any:
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ModuleNotFoundError as exc:
        raise BackendUnavailableError(
            f"`esc-edge serve` needs the 'serve' extra ({exc.name} is not installed)", hint=INSTALL_HINT
        ) from None
    return uvicorn


def _settings(params: dict[str, Any]) -> Any:
    from esc_edge.config import load_settings

    config_path = params.pop("config_path", None)
    flags = {name: params.pop(name) for name in (*SETTINGS_FLAGS, *SERVE_FLAGS) if name in params}
    settings = load_settings(flags, config_path=Path(config_path) if config_path else None)
    if not 0 <= settings.port <= 65535:
        raise ConfigError(f"invalid port {settings.port}", hint="use 1-65535, or 0 for any free port")
    return settings


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_exposure(host: str, token: str | None) -> None:
    if _is_loopback(host):
        return
    warn(f"listening on {host}: other machines can reach this server")
    if not token:
        warn(f"no token set: anyone who can reach {host} can use it (set {TOKEN_ENV})")


def _pull_policy(yes: bool) -> Any:
    def confirm(missing: list[str]) -> bool:
        if yes:
            return True
        raise InputError(
            "model(s) not installed: " + ", ".join(missing),
            hint="run `esc-edge pull` first or add --yes to pull them now",
        )

    return confirm


def _open_store(path: Path | None) -> Any:
    from esc_edge.history import HistoryStore

    store = HistoryStore(path)
    click.echo(f"esc-edge: sessions are saved in {store.path}", err=True)
    return store


def _bind(host: str, port: int) -> socket.socket:
    """Bind before serving, so a taken port is one clear line, and --port 0 shows the real port."""
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it every keep-alive reply waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            hint="pick another --port, or stop the program using it",
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _stderr_logging() -> dict[str, Any]:
    """Uvicorn's own messages on stderr (its default sends access lines to stdout)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "esc-edge: %(levelname)s: %(message)s"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": logging.WARNING, "propagate": False},
            "esc_edge": {"handlers": ["stderr"], "level": logging.WARNING, "propagate": False},
        },
    }
