"""The asyncio API on fakes: replies, streaming, callbacks, cancellation, sessions, backpressure."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from esc_edge.aio import AsyncSupporter
from esc_edge.conversation import Conversation
from esc_edge.errors import BusyError, EscEdgeError, InputError
from esc_edge.history import HistoryError, HistoryStore
from tests.embed_fakes import EchoGenerator, GatedGenerator, fake_supporter, wait_for
from tests.fakes import FakeGenerator

T = TypeVar("T")


def run(make: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(asyncio.wait_for(make(), timeout=20))  # type: ignore[arg-type]


def test_areply_answers_and_keeps_the_default_conversation() -> None:
    async def go() -> None:
        async with AsyncSupporter(fake_supporter(FakeGenerator())) as supporter:
            reply = await supporter.areply("I lost my job today")
            assert reply.text.startswith("That sounds really hard") and reply.strategy == "Question"
            assert [t.speaker for t in supporter.supporter.conversation] == ["seeker", "supporter"]

    run(go)


def test_astream_yields_chunks_then_sets_plan_and_reply() -> None:
    async def go() -> None:
        async with AsyncSupporter(fake_supporter(FakeGenerator())) as supporter:
            stream = supporter.astream("hello")
            chunks = []
            async for chunk in stream:
                if not chunks:
                    assert stream.plan is not None and stream.plan.strategy == "Question"
                    assert stream.crisis is False
                chunks.append(chunk)
            assert stream.reply is not None and "".join(chunks) == stream.reply.text
            assert len(chunks) > 3

    run(go)


def test_token_callbacks_plain_and_async() -> None:
    seen: list[str] = []

    async def remember(chunk: str) -> None:
        await asyncio.sleep(0)
        seen.append(chunk.upper())

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(FakeGenerator())) as supporter:
            plain: list[str] = []
            reply = await supporter.areply("hi", on_token=plain.append)
            assert "".join(plain) == reply.text
            reply = await supporter.areply("again", on_token=remember)
            assert "".join(seen) == reply.text.upper()

    run(go)


def test_the_event_loop_keeps_running_while_the_model_works() -> None:
    generator = GatedGenerator()

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(generator)) as supporter:
            task = asyncio.create_task(supporter.areply("hello"))
            ticks = 0
            while not generator.started.is_set():
                await asyncio.sleep(0.001)
            for _ in range(20):  # the model holds its reply, the loop still turns
                await asyncio.sleep(0)
                ticks += 1
            assert not task.done() and ticks == 20
            generator.gate.set()
            assert (await task).text == generator.reply

    run(go)


def test_cancelling_the_task_stops_the_model_and_keeps_a_marked_partial_reply() -> None:
    generator = GatedGenerator()

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(generator)) as supporter:
            task = asyncio.create_task(supporter.areply("hello"))
            await asyncio.to_thread(generator.started.wait, 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await asyncio.to_thread(wait_for, lambda: generator.finish_reasons == ["cancelled"])
            assert await asyncio.to_thread(wait_for, lambda: supporter.pending == 0)

    run(go)


def test_breaking_out_of_the_loop_cancels_the_stream() -> None:
    generator = GatedGenerator(reply="one two three", free_words=1)

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(generator)) as supporter:
            async for _chunk in supporter.astream("hello"):
                break  # the stream object is dropped here without aclose()
            gc.collect()
            assert await asyncio.to_thread(wait_for, lambda: generator.finish_reasons == ["cancelled"])
            # The next turn of the same conversation runs normally.
            generator.gate.set()
            reply = await supporter.areply("still there?")
            assert reply.text == generator.reply and not reply.cancelled
            assert [t.speaker for t in supporter.supporter.conversation].count("seeker") == 2

    run(go)


def test_async_with_on_a_stream_cancels_on_exit() -> None:
    generator = GatedGenerator()

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(generator)) as supporter:
            async with supporter.astream("hello") as stream:
                await stream.start()
                await asyncio.to_thread(generator.started.wait, 5)
            assert stream.cancelled
            assert await asyncio.to_thread(wait_for, lambda: generator.finish_reasons == ["cancelled"])

    run(go)


def test_bad_messages_raise_from_the_first_await() -> None:
    async def go() -> None:
        async with AsyncSupporter(fake_supporter()) as supporter:
            stream = supporter.astream("   ")  # creating the stream does no work yet
            with pytest.raises(InputError, match="empty"):
                await stream.start()
            with pytest.raises(InputError, match="either a conversation or a session"):
                supporter.astream("x", conversation=Conversation(), session="a")
            with pytest.raises(InputError, match="invalid conversation id"):
                supporter.astream("x", session="bad\nid")
            assert supporter.pending == 0

    run(go)


def test_crisis_is_flagged_with_the_first_chunk_and_the_model_is_not_called() -> None:
    generator = EchoGenerator()

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(generator)) as supporter:
            stream = supporter.astream("DANGER tonight")
            first = await stream.__anext__()
            assert stream.crisis is True and stream.plan is None and first.startswith("SAFETY")
            reply = await stream.result()
            assert reply.crisis and generator.prompts == []

    run(go)


def test_a_full_queue_raises_busy_at_once_and_frees_its_slots() -> None:
    generator = GatedGenerator()

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(generator), max_pending=2) as supporter:
            first = asyncio.create_task(supporter.areply("one", session="a"))
            second = asyncio.create_task(supporter.areply("two", session="b"))
            assert await asyncio.to_thread(wait_for, lambda: supporter.pending == 2)
            with pytest.raises(BusyError, match="busy"):
                await supporter.areply("three", session="c")
            generator.gate.set()
            await asyncio.gather(first, second)
            assert supporter.pending == 0
            assert (await supporter.areply("four", session="c")).text == generator.reply

    run(go)


def test_sessions_share_one_model_and_never_mix() -> None:
    generator = EchoGenerator()

    async def client(supporter: AsyncSupporter, n: int) -> list[str]:
        replies = []
        for turn in range(1, 4):
            reply = await supporter.areply(f"c{n}-t{turn}", session=f"client-{n}")
            replies.append(reply.text)
        return replies

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(generator), max_pending=16) as supporter:
            results = await asyncio.gather(*(client(supporter, n) for n in range(8)))
            for n, replies in enumerate(results):
                assert replies[-1] == f"ack c{n}-t1 c{n}-t2 c{n}-t3"
                turns = supporter.session(f"client-{n}").turns
                assert [t.text for t in turns if t.speaker == "seeker"] == [f"c{n}-t{i}" for i in (1, 2, 3)]

    run(go)
    assert len(generator.prompts) == 24


def test_session_map_is_bounded_least_recently_used_first() -> None:
    async def go() -> None:
        async with AsyncSupporter(fake_supporter(), max_sessions=3) as supporter:
            for name in ("a", "b", "c"):
                await supporter.areply("hi", session=name)
            supporter.session("a")  # a is now the most recent
            await supporter.areply("hi", session="d")
            assert supporter.sessions() == ["c", "a", "d"]
            assert len(supporter.session("b")) == 0  # forgotten: a new, empty conversation

    run(go)


def test_sessions_persist_in_a_store_and_come_back(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")

    async def first_run() -> None:
        async with AsyncSupporter(fake_supporter(), store=store) as supporter:
            await supporter.areply("c1-t1", session="kept")
            await supporter.areply("c1-t2", session="kept")
            await supporter.areply("not kept")  # the default conversation is never stored

    async def second_run() -> None:
        async with AsyncSupporter(fake_supporter(), store=store) as supporter:
            reply = await supporter.areply("c1-t3", session="kept")
            assert reply.text == "ack c1-t1 c1-t2 c1-t3"
            assert await supporter.delete_session("kept")

    run(first_run)
    assert [s.id for s in store.list()] == ["kept"] and len(store.load("kept")) == 4
    run(second_run)
    assert store.list() == []


def test_a_failing_save_is_reported_not_swallowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")

    def broken_save(conversation_id: str, conversation: Conversation) -> int:
        raise HistoryError("disk I/O error")

    monkeypatch.setattr(store, "save", broken_save)

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(), store=store) as supporter:
            with pytest.raises(EscEdgeError, match="could not be saved"):
                await supporter.areply("hello", session="s")
            assert supporter.pending == 0

    run(go)


def test_aclose_cancels_running_turns_and_closes_the_supporter() -> None:
    generator = GatedGenerator()

    async def go() -> None:
        supporter = AsyncSupporter(fake_supporter(generator))
        task = asyncio.create_task(supporter.areply("hello"))
        await asyncio.to_thread(generator.started.wait, 5)
        await supporter.aclose()
        reply = await task
        assert reply.cancelled and generator.closed
        with pytest.raises(EscEdgeError, match="closed"):
            await supporter.areply("again")

    run(go)


def test_many_threads_of_callers_each_with_their_own_loop() -> None:
    """One AsyncSupporter's model can also serve several event loops (e.g. a UI and a server)."""
    supporter = AsyncSupporter(fake_supporter(), max_pending=8, close_supporter=False)
    results: dict[int, str] = {}

    def worker(n: int) -> None:
        reply = asyncio.run(supporter.areply(f"c{n}-t1", conversation=Conversation()))
        results[n] = reply.text

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {n: f"ack c{n}-t1" for n in range(4)}


def test_a_session_situation_reaches_the_prompt() -> None:
    generator = FakeGenerator()

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(generator)) as supporter:
            supporter.session("alice").situation = "my exams start next week"
            await supporter.areply("I can't focus", session="alice")

    run(go)
    prompt = bytes(t - 16 for t in generator.prompts[-1] if t >= 16).decode()
    assert "before the chat: my exams start next week" in prompt
