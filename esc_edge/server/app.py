"""A local, OpenAI-compatible HTTP server for the supporter (Starlette; run with uvicorn).

Routes: ``POST /v1/chat/completions`` (JSON, or server-sent events with ``"stream": true``),
``GET /v1/models``, ``GET /v1/models/{id}``, ``GET /health``.

Safety of a local endpoint: only loopback ``Host`` headers are accepted by default (a web page
cannot reach the server through DNS rebinding), bodies with a non-JSON content type are refused
(a web page cannot post a "simple" cross-site form to it), an optional bearer token guards the API,
and bodies are limited in size before they are parsed.

Backpressure: at most ``max_pending`` replies are waiting or running; one more is answered at once
with 503 and ``Retry-After`` instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from esc_edge.aio import AsyncReplyStream, AsyncSupporter
from esc_edge.config import Settings
from esc_edge.conversation import Conversation
from esc_edge.errors import BusyError, EscEdgeError, InputError
from esc_edge.server import protocol
from esc_edge.server.protocol import ApiError, ChatRequest
from esc_edge.supporter import Supporter

log = logging.getLogger("esc_edge.server")

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# An oversized body is read to this size and dropped, so the client gets its 413 rather than a
# connection reset while it is still sending; beyond it the connection is simply closed.
DRAIN_LIMIT = 64 * 1024 * 1024
JSON_TYPES = ("application/json",)


@dataclass(frozen=True)
class ServerOptions:
    model_name: str = "esc-edge"
    api_token: str | None = None
    max_body_bytes: int = 1_000_000
    max_pending: int = 16  # used when the app wraps a plain Supporter itself
    # Host names accepted in the Host header; None accepts any (for a server bound to a LAN address).
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS
    retry_after_s: int = 1

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ServerOptions:
        loopback = settings.host in (*LOOPBACK_HOSTS, "[::1]")
        values: dict[str, Any] = {
            "max_body_bytes": settings.max_body_bytes,
            "max_pending": settings.max_pending,
            "allowed_hosts": LOOPBACK_HOSTS if loopback else None,
        }
        return cls(**{**values, **overrides})


def create_app(engine: Supporter | AsyncSupporter, options: ServerOptions | None = None) -> Starlette:
    """The ASGI app serving ``engine``. The caller owns the engine and closes it after the server."""
    options = options if options is not None else ServerOptions()
    if isinstance(engine, Supporter):
        engine = AsyncSupporter(engine, max_pending=options.max_pending, close_supporter=False)
    api = _Api(engine, options)
    routes = [
        Route("/health", api.health, methods=["GET"]),
        Route("/v1/models", api.models, methods=["GET"]),
        Route("/v1/models/{model_id:path}", api.model, methods=["GET"]),
        Route("/v1/chat/completions", api.chat, methods=["POST"]),
    ]
    handlers: dict[Any, Any] = {
        ApiError: _api_error,
        EscEdgeError: _engine_error,
        HTTPException: _http_error,
        Exception: _unexpected_error,
    }
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.engine = engine
    app.state.options = options
    if options.allowed_hosts is not None:
        app.add_middleware(_HostGuard, allowed=options.allowed_hosts)
    return app


class _Api:
    def __init__(self, engine: AsyncSupporter, options: ServerOptions) -> None:
        self.engine = engine
        self.options = options
        self.models_list = (options.model_name,)
        self.started = int(time.time())

    # -- small routes ----------------------------------------------------------------------------
    async def health(self, request: Request) -> Response:
        engine = self.engine
        return JSONResponse(
            {
                "status": "ok",
                "model": self.options.model_name,
                "pending": engine.pending,
                "max_pending": engine.max_pending,
                "sessions": len(engine.sessions()),
            }
        )

    async def models(self, request: Request) -> Response:
        self._authorise(request)
        data = [protocol.model_object(name, self.started) for name in self.models_list]
        return JSONResponse({"object": "list", "data": data})

    async def model(self, request: Request) -> Response:
        self._authorise(request)
        name = request.path_params["model_id"]
        if name not in self.models_list:
            raise ApiError(404, f"the model {name!r} does not exist", code="model_not_found", param="model")
        return JSONResponse(protocol.model_object(name, self.started))

    # -- chat ------------------------------------------------------------------------------------
    async def chat(self, request: Request) -> Response:
        self._authorise(request)
        body = await _read_json(request, self.options.max_body_bytes)
        chat = protocol.parse_chat_request(body, self.models_list)
        stream = await self._start(chat)
        reply_id = protocol.completion_id()
        if chat.stream:
            return StreamingResponse(
                self._events(stream, chat, reply_id),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        async with stream:
            reply = await stream.result()
        return JSONResponse(protocol.completion(reply, id=reply_id, model=chat.model, session=chat.session))

    async def _start(self, chat: ChatRequest) -> AsyncReplyStream:
        """Screen and queue the message; errors here still get a proper status code."""
        if chat.session is not None:
            stream = self.engine.astream(chat.text, strategy=chat.strategy, session=chat.session)
        else:
            conversation = Conversation(turns=list(chat.history))
            if chat.history:
                supporter = self.engine.supporter
                restore = protocol.restore_careful_mode
                await asyncio.to_thread(
                    restore, conversation, supporter.safety, supporter.settings.careful_turns
                )
            stream = self.engine.astream(chat.text, strategy=chat.strategy, conversation=conversation)
        try:
            await stream.start()
        except BaseException:
            await stream.aclose()
            raise
        return stream

    async def _events(
        self, stream: AsyncReplyStream, chat: ChatRequest, reply_id: str
    ) -> AsyncIterator[bytes]:
        """The reply as OpenAI ``chat.completion.chunk`` events; a client that leaves cancels it."""
        created = int(time.time())

        def event(**fields: Any) -> bytes:
            data = protocol.chunk(id=reply_id, model=chat.model, created=created, **fields)
            return _sse(data)

        async with stream:
            first = True
            try:
                async for piece in stream:
                    if first:
                        extra = _early_extras(stream, chat.session)
                        yield event(delta={"role": "assistant", "content": piece}, extra=extra)
                        first = False
                    else:
                        yield event(delta={"content": piece})
            except EscEdgeError as exc:
                yield _sse(_error_for(exc, self.options.retry_after_s).body())
                yield b"data: [DONE]\n\n"
                return
            reply = stream.reply
            if first:
                yield event(delta={"role": "assistant", "content": ""})
            yield event(delta={}, finish_reason="stop", extra=protocol.extras(reply, chat.session))
            if chat.include_usage and reply is not None:
                yield event(usage_data=protocol.usage(reply))
            yield b"data: [DONE]\n\n"

    def _authorise(self, request: Request) -> None:
        token = self.options.api_token
        if not token:
            return
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            raise ApiError(
                401,
                "missing or wrong API key: send 'Authorization: Bearer <token>'",
                type="authentication_error",
                code="invalid_api_key",
                headers={"WWW-Authenticate": "Bearer"},
            )


def _early_extras(stream: AsyncReplyStream, session: str | None) -> dict[str, Any]:
    """What is known with the first chunk: the plan and the crisis flag (timings come at the end)."""
    plan = stream.plan
    strategy, emotion = (plan.strategy, plan.emotion) if plan is not None else (None, None)
    return protocol.extras(None, session, strategy=strategy, emotion=emotion, crisis=stream.crisis)


def _sse(data: Any) -> bytes:
    return b"data: " + json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n\n"


async def _read_json(request: Request, limit: int) -> Any:
    """The body as JSON, read with a size limit *before* parsing; 413/415/400 on failure."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in JSON_TYPES:
        raise ApiError(415, f"the body must be JSON (Content-Type: application/json), not {content_type!r}")
    declared = request.headers.get("content-length", "")
    too_big = declared.isdigit() and int(declared) > limit
    if declared.isdigit() and int(declared) > DRAIN_LIMIT:
        raise _too_large(limit)
    parts: list[bytes] = []
    size = 0
    async for part in request.stream():
        size += len(part)
        too_big = too_big or size > limit
        if size > DRAIN_LIMIT:
            break
        if not too_big:
            parts.append(part)
    if too_big:
        raise _too_large(limit)
    try:
        return json.loads(b"".join(parts))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"the body is not valid JSON: {exc}", code="invalid_json") from None


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"the request body is larger than {limit:,} bytes", code="request_too_large")


# -- errors as OpenAI-style JSON ------------------------------------------------------------------
def _error_for(exc: EscEdgeError, retry_after_s: int) -> ApiError:
    if isinstance(exc, BusyError):
        retry = {"Retry-After": str(retry_after_s)}
        return ApiError(503, str(exc), type="server_error", code="server_busy", headers=retry)
    if isinstance(exc, InputError):
        return ApiError(400, str(exc), code="invalid_message", param="messages")
    return ApiError(500, str(exc), type="server_error", code=type(exc).__name__)


def _json_error(error: ApiError) -> Response:
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _json_error(exc)


async def _engine_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EscEdgeError)
    return _json_error(_error_for(exc, request.app.state.options.retry_after_s))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    kind = "not_found" if exc.status_code == 404 else "invalid_request_error"
    return _json_error(ApiError(exc.status_code, str(exc.detail), type=kind, headers=exc.headers))


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.error("unexpected error answering %s", request.url.path, exc_info=exc)
    return _json_error(ApiError(500, "internal server error (see the server log)", type="server_error"))


class _HostGuard:
    """Refuse requests whose Host header is not one of ``allowed`` (DNS-rebinding protection)."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _host_name(scope) not in self.allowed:
            message = "this server only answers requests addressed to localhost"
            await _json_error(ApiError(400, message, code="invalid_host"))(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _host_name(scope: Scope) -> str:
    host = ""
    for key, value in scope.get("headers", []):
        if key == b"host":
            host = value.decode("latin-1").strip().lower()
    if host.startswith("["):  # [::1]:8765
        return host[1:].split("]")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


__all__ = ["LOOPBACK_HOSTS", "ServerOptions", "create_app"]
