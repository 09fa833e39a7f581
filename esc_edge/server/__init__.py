"""A local OpenAI-compatible server (`esc-edge serve`); needs the ``serve`` extra.

>>> from esc_edge.server import create_app, ServerOptions     # doctest: +SKIP
>>> app = create_app(supporter, ServerOptions(api_token="s3cret"))
>>> uvicorn.run(app, host="127.0.0.1", port=8765)

``esc_edge.server.protocol`` (the wire format) needs no web stack; the app itself needs Starlette.
"""

from __future__ import annotations

from typing import Any

from esc_edge.errors import BackendUnavailableError

WEB_STACK = ("starlette", "uvicorn", "anyio")
INSTALL_HINT = "pip install 'esc-edge[serve]'"


def __getattr__(name: str) -> Any:
    if name not in ("create_app", "ServerOptions", "LOOPBACK_HOSTS"):
        raise AttributeError(name)
    try:
        from esc_edge.server import app
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] not in WEB_STACK:
            raise
        raise BackendUnavailableError(
            f"the server needs the 'serve' extra ({exc.name} is not installed)", hint=INSTALL_HINT
        ) from exc
    return getattr(app, name)


__all__ = ["LOOPBACK_HOSTS", "ServerOptions", "create_app"]
