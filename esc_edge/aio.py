"""An asyncio front for :class:`~esc_edge.supporter.Supporter`, for apps that own an event loop.

>>> async with await AsyncSupporter.open(pull=True) as supporter:     # doctest: +SKIP
...     reply = await supporter.areply("I lost my job today", session="alice")
...     async for token in supporter.astream("and I can't sleep", session="alice"):
...         print(token, end="")

How it runs. The engine is synchronous and its model has a single owner thread that serves one
generation at a time. Each turn here runs on a short-lived thread that drives the synchronous
stream and hands chunks to the event loop through an :class:`asyncio.Queue`, so the loop never
waits on the model. Turns of several conversations queue at the model; turns of one conversation
are serialised by that conversation's turn lock, so histories never interleave.

Backpressure. At most ``max_pending`` turns are admitted at once (waiting or running); one more
raises :class:`~esc_edge.errors.BusyError` at once instead of growing a queue without bound.

Cancellation. Cancelling the task that awaits a reply, leaving an ``async with`` block, calling
``aclose()`` or simply dropping the stream object cancels the generation at the next token. The
partial reply is kept in the history, marked cancelled (as with :meth:`Supporter.stream`).

Sessions. ``session="id"`` names an independent conversation kept by this object (at most
``max_sessions`` in memory, least recently used dropped first). With a
:class:`~esc_edge.history.HistoryStore`, every finished turn of a session is saved in one
transaction and a session not in memory is loaded from the store.

KV cache and sessions. The model has one KV cache. A conversation's next prompt extends its
previous one, so consecutive turns of one session only encode the new message; switching to
another session re-encodes that session's whole prompt (a few hundred tokens: measured in
docs/embedding.md). Apps that alternate between many long conversations pay that prefill per switch.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from esc_edge.config import Settings
from esc_edge.conversation import Conversation
from esc_edge.errors import BusyError, CancelledError, EscEdgeError, InputError
from esc_edge.generation.base import CancelToken
from esc_edge.history import HistoryStore, check_id
from esc_edge.planner.base import Plan
from esc_edge.supporter import Reply, ReplyStream, Supporter

log = logging.getLogger("esc_edge")

DEFAULT_MAX_PENDING = 16
DEFAULT_MAX_SESSIONS = 256

TokenCallback = Callable[[str], Awaitable[None] | None]

# Events a turn thread posts to the event loop.
_STARTED = "started"  # screened and queued: payload is the sync ReplyStream
_CHUNK = "chunk"
_DONE = "done"  # payload is the Reply
_ERROR = "error"  # payload is the exception


class AsyncReplyStream:
    """One reply as an async iterator of text chunks.

    ``plan`` and ``crisis`` are set with the first chunk (``plan`` is ``None`` for crisis replies,
    which never reach the model), ``reply`` after the last one. Errors in the message (empty, too
    long) and a full queue raise from the first ``await``.
    """

    def __init__(
        self,
        run: Callable[[CancelToken], ReplyStream],
        admit: Callable[[CancelToken], Callable[[], None]],
        finish: Callable[[], None] | None = None,
    ) -> None:
        self._run = run
        self._admit = admit
        self._finish = finish
        self._cancel = CancelToken()
        self._queue: asyncio.Queue[tuple[str, Any]] | None = None
        self._sync: ReplyStream | None = None
        self._finished = False
        self.plan: Plan | None = None
        self.crisis: bool | None = None
        self.reply: Reply | None = None

    # -- starting --------------------------------------------------------------------------------
    async def start(self) -> AsyncReplyStream:
        """Wait until the message is screened and queued at the model (idempotent)."""
        if self._queue is None:
            self._launch()
        while self._sync is None and not self._finished:
            self._handle(await self._next_event())
        return self

    def _launch(self) -> None:
        release = self._admit(self._cancel)  # BusyError here: nothing started, nothing to undo
        loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        worker = threading.Thread(
            target=_run_turn,
            args=(self._run, self._finish, self._cancel, loop, self._queue, release),
            name="esc-edge-turn",
            daemon=True,
        )
        worker.start()

    # -- iterating -------------------------------------------------------------------------------
    def __aiter__(self) -> AsyncReplyStream:
        return self

    async def __anext__(self) -> str:
        await self.start()
        while not self._finished:
            chunk = self._handle(await self._next_event())
            if chunk is not None:
                return chunk
        raise StopAsyncIteration

    async def _next_event(self) -> tuple[str, Any]:
        assert self._queue is not None
        try:
            return await self._queue.get()
        except BaseException:
            # The awaiting task was cancelled: stop the model too.
            self.cancel()
            raise

    def _handle(self, event: tuple[str, Any]) -> str | None:
        kind, payload = event
        if kind == _CHUNK:
            if self.crisis is None and self._sync is not None:
                # Set before the chunk was handed over: a crisis reply is complete by then.
                self.plan = self._sync.plan
                self.crisis = self._sync.reply is not None and self._sync.reply.crisis
            return str(payload)
        if kind == _STARTED:
            self._sync = payload
            return None
        self._finished = True
        if kind == _DONE:
            self.reply = payload
            if payload is not None:
                self.plan = payload.plan
                self.crisis = payload.crisis
            return None
        raise payload

    async def result(self) -> Reply:
        """Consume the rest of the stream and return the finished reply."""
        async for _ in self:
            pass
        if self.reply is None:
            raise CancelledError("the reply was cancelled before it started")
        return self.reply

    # -- stopping --------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop the generation at the next token (safe from any thread)."""
        self._cancel.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancel.cancelled

    async def aclose(self) -> None:
        """Cancel if still running; returns at once (the model stops at its next token)."""
        if not self._finished:
            self.cancel()
            self._finished = True

    async def __aenter__(self) -> AsyncReplyStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # A consumer that breaks out of `async for` and drops the stream must free the model.
        if not self._finished:
            self._cancel.cancel()


def _run_turn(
    run: Callable[[CancelToken], ReplyStream],
    finish: Callable[[], None] | None,
    cancel: CancelToken,
    loop: asyncio.AbstractEventLoop,
    queue: asyncio.Queue[tuple[str, Any]],
    release: Callable[[], None],
) -> None:
    """Body of a turn thread. It holds no reference to the AsyncReplyStream, so dropping that cancels."""

    def post(kind: str, payload: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, payload))
        except RuntimeError:  # the loop is closed: nobody is listening any more
            cancel.cancel()

    outcome: tuple[str, Any] = (_DONE, None)
    try:
        if not cancel.cancelled:
            stream = run(cancel)
            post(_STARTED, stream)
            for chunk in stream:
                post(_CHUNK, chunk)
            if finish is not None:
                finish()
            outcome = (_DONE, stream.reply)
    except BaseException as exc:
        outcome = (_ERROR, exc)
    finally:
        # Free the slot before the caller hears the outcome: a caller may retry at once.
        release()
    post(*outcome)


class AsyncSupporter:
    """Async API over one :class:`Supporter`; many conversations share its single loaded model.

    ``aclose()`` (or leaving ``async with``) cancels running turns and closes the Supporter unless
    ``close_supporter=False``. A ``store`` given here is not closed: its owner closes it.
    """

    def __init__(
        self,
        supporter: Supporter,
        *,
        max_pending: int = DEFAULT_MAX_PENDING,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        store: HistoryStore | None = None,
        close_supporter: bool = True,
    ) -> None:
        if max_pending < 1 or max_sessions < 1:
            raise InputError("max_pending and max_sessions must be at least 1")
        self.supporter = supporter
        self.store = store
        self.max_pending = max_pending
        self.max_sessions = max_sessions
        self._close_supporter = close_supporter
        self._lock = threading.Lock()
        self._pending = 0
        self._sessions: OrderedDict[str, Conversation] = OrderedDict()
        self._busy_sessions: dict[str, int] = {}
        self._running: set[CancelToken] = set()
        self._closed = False

    @classmethod
    async def open(
        cls,
        settings: Settings | None = None,
        *,
        pull: bool | Callable[[list[str]], bool] = False,
        max_pending: int = DEFAULT_MAX_PENDING,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        store: HistoryStore | None = None,
    ) -> AsyncSupporter:
        """Load the models off the event loop and wrap them: ``await AsyncSupporter.open(pull=True)``."""
        supporter = await asyncio.to_thread(Supporter, settings, pull=pull)
        return cls(supporter, max_pending=max_pending, max_sessions=max_sessions, store=store)

    # -- replies ---------------------------------------------------------------------------------
    def astream(
        self,
        text: str,
        *,
        strategy: str | None = None,
        conversation: Conversation | None = None,
        session: str | None = None,
    ) -> AsyncReplyStream:
        """Stream a reply: ``async for chunk in supporter.astream(text, session="id")``."""
        if conversation is not None and session is not None:
            raise InputError("pass either a conversation or a session id, not both")
        if session is not None:
            check_id(session)

        used: list[Conversation] = []  # the session's conversation, once the turn thread resolved it

        def run(cancel: CancelToken) -> ReplyStream:
            target = self._session(session) if session is not None else conversation
            used.extend([target] if target is not None else [])
            return self.supporter.stream(text, strategy=strategy, conversation=target, cancel=cancel)

        def save() -> None:
            assert session is not None and self.store is not None
            _save_session(self.store, session, used[0])

        finish = save if session is not None and self.store is not None else None
        return AsyncReplyStream(run, lambda cancel: self._admit(session, cancel), finish)

    async def areply(
        self,
        text: str,
        *,
        strategy: str | None = None,
        conversation: Conversation | None = None,
        session: str | None = None,
        on_token: TokenCallback | None = None,
    ) -> Reply:
        """Answer one message; ``on_token`` (plain or async) sees each chunk on the event loop."""
        stream = self.astream(text, strategy=strategy, conversation=conversation, session=session)
        async with stream:
            async for chunk in stream:
                if on_token is not None:
                    result = on_token(chunk)
                    if inspect.isawaitable(result):
                        await result
            return await stream.result()

    # -- admission -------------------------------------------------------------------------------
    def _admit(self, session: str | None, cancel: CancelToken) -> Callable[[], None]:
        with self._lock:
            if self._closed:
                raise EscEdgeError("the supporter is closed", hint="open a new AsyncSupporter")
            if self._pending >= self.max_pending:
                raise BusyError(
                    f"the model is busy: {self._pending} replies are already waiting or running",
                    hint="retry in a moment",
                )
            self._pending += 1
            self._running.add(cancel)
            if session is not None:
                self._busy_sessions[session] = self._busy_sessions.get(session, 0) + 1

        def release() -> None:
            with self._lock:
                self._pending -= 1
                self._running.discard(cancel)
                if session is not None:
                    left = self._busy_sessions.pop(session) - 1
                    if left:
                        self._busy_sessions[session] = left

        return release

    @property
    def pending(self) -> int:
        """Turns admitted and not finished yet (waiting for the model or generating)."""
        return self._pending

    # -- sessions --------------------------------------------------------------------------------
    def session(self, session_id: str) -> Conversation:
        """The conversation named ``session_id``: in memory, else from the store, else new."""
        return self._session(check_id(session_id))

    def _session(self, session_id: str) -> Conversation:
        with self._lock:
            found = self._sessions.get(session_id)
            if found is not None:
                self._sessions.move_to_end(session_id)
                return found
        stored = self.store.get(session_id) if self.store is not None else None
        with self._lock:
            # Another thread may have created it meanwhile: keep theirs, never two copies.
            conversation = self._sessions.setdefault(session_id, stored or Conversation())
            self._sessions.move_to_end(session_id)
            self._evict()
        return conversation

    def _evict(self) -> None:
        """Drop the least recently used idle sessions beyond ``max_sessions`` (lock held)."""
        for name in list(self._sessions):
            if len(self._sessions) <= self.max_sessions:
                return
            if name not in self._busy_sessions:
                del self._sessions[name]

    def sessions(self) -> list[str]:
        """Ids of the sessions in memory, least recently used first."""
        with self._lock:
            return list(self._sessions)

    def forget(self, session_id: str) -> None:
        """Drop a session from memory (a stored copy stays in the store)."""
        with self._lock:
            self._sessions.pop(session_id, None)

    async def delete_session(self, session_id: str) -> bool:
        """Drop a session from memory and from the store; True if it existed anywhere."""
        with self._lock:
            existed = self._sessions.pop(check_id(session_id), None) is not None
        if self.store is not None:
            existed = await asyncio.to_thread(self.store.delete, session_id) or existed
        return existed

    # -- lifetime --------------------------------------------------------------------------------
    async def aclose(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            running = list(self._running)
        for cancel in running:
            cancel.cancel()
        if self._close_supporter:
            await asyncio.to_thread(self.supporter.close)

    async def __aenter__(self) -> AsyncSupporter:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _save_session(store: HistoryStore, session: str, conversation: Conversation) -> None:
    try:
        store.save(session, conversation)
    except Exception as exc:
        log.exception("could not save session %r", session)
        raise EscEdgeError(
            f"the reply was written but the session could not be saved: {exc}",
            hint=f"check that {store.path} is writable",
        ) from None


__all__ = ["AsyncReplyStream", "AsyncSupporter", "TokenCallback"]
