"""`esc-edge serve` as a real process on loopback, driven by the official `openai` client.

On the echo generator (fast, and every reply names the conversation it was written from): both
client modes, 20 concurrent clients x 5 turns with no reply mixed between conversations and flat
memory, hostile bodies answered with clear 4xx while the server keeps serving, and a client that
disconnects mid-stream freeing the model. On the real GGUF: a few requests, streaming and not.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration
openai = pytest.importorskip("openai", reason="the test extra installs the official openai client")
httpx = pytest.importorskip("httpx")
psutil = pytest.importorskip("psutil")
pytest.importorskip("uvicorn", reason="the server needs the 'serve' extra")

REPO = Path(__file__).resolve().parents[2]
READY = re.compile(r"serving (http://\S+/v1)")
MODEL = "esc-edge"


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str
    log: list[str] = field(default_factory=list)

    @property
    def rss_mb(self) -> float:
        return float(psutil.Process(self.process.pid).memory_info().rss) / 2**20

    @property
    def threads(self) -> int:
        return int(psutil.Process(self.process.pid).num_threads())

    def client(self, **options: Any) -> Any:
        return openai.OpenAI(base_url=self.base_url, api_key="unused", max_retries=0, **options)

    def health(self) -> dict[str, Any]:
        return dict(httpx.get(self.base_url.removesuffix("/v1") + "/health", timeout=10).json())


def _start(env: dict[str, str], *args: str, timeout_s: float = 120) -> Server:
    command = [sys.executable, "-m", "tests.integration.serve_fakes", "serve", "--port", "0", *args]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def drain() -> None:  # keep reading stderr so the server never blocks on a full pipe
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            match = READY.search(line)
            if match:
                found.append(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    ready.wait(timeout_s)
    if not found:
        process.kill()
        pytest.fail("the server did not start:\n" + "".join(lines[-30:]))
    return Server(process, found[0], lines)


def _stop(server: Server) -> None:
    server.process.send_signal(signal.SIGINT)
    try:
        code = server.process.wait(30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        pytest.fail("the server did not stop on Ctrl-C")
    assert code == 0, "".join(server.log[-30:])


def _fake_env(tmp_path: Path) -> dict[str, str]:
    model = tmp_path / "fake.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 64)
    return {
        "ESC_EDGE_GENERATOR": "echo",
        "ESC_EDGE_PLANNER": "fake",
        "ESC_EDGE_SAFETY": "fake",
        "ESC_EDGE_MODEL": str(model),
        "ESC_EDGE_CONSTRAINTS": "false",
        "ESC_EDGE_CONFIG": str(tmp_path / "none.yaml"),
    }


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = _fake_env(tmp_path_factory.mktemp("serve"))
    server = _start(env, "--max-pending", "32", "--max-body-bytes", "1000000")
    yield server
    _stop(server)


def _extras(response: Any) -> dict[str, Any]:
    return dict(response.model_extra["esc_edge"])


# -- the openai client, unchanged ----------------------------------------------------------------------
def test_openai_client_plain_and_streaming(fake_server: Server) -> None:
    client = fake_server.client()
    assert [m.id for m in client.models.list()] == [MODEL]
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "c1-t1"}])
    assert reply.choices[0].message.content == "ack c1-t1" and reply.usage.completion_tokens == 2
    assert _extras(reply)["strategy"] == "Question" and _extras(reply)["crisis"] is False
    started = time.perf_counter()
    for _ in range(10):
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "c1-t1"}])
    print(f"\none client on the echo generator: {(time.perf_counter() - started) * 100:.1f} ms per request")
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "user", "content": "c1-t1"},
            {"role": "assistant", "content": "ack c1-t1"},
            {"role": "user", "content": "c1-t2"},
        ],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "ack c1-t1 c1-t2"
    assert _extras(chunks[0])["strategy"] == "Question" and chunks[-1].usage.completion_tokens == 3


def test_openai_client_sessions_via_extra_body(fake_server: Server) -> None:
    client = fake_server.client()
    for turn in (1, 2):
        reply = client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": f"c9-t{turn}"}], extra_body={"session": "s-9"}
        )
    assert reply.choices[0].message.content == "ack c9-t1 c9-t2" and _extras(reply)["session"] == "s-9"


# -- 20 concurrent clients x 5 turns ----------------------------------------------------------------
CLIENTS, TURNS = 20, 5


async def _conversation(client: Any, n: int, round_id: int, latencies: list[float]) -> None:
    """Odd clients send the whole history (stateless); even ones name a server-side session."""
    messages: list[dict[str, str]] = []
    session = {"session": f"r{round_id}-c{n}"} if n % 2 == 0 else {}
    for turn in range(1, TURNS + 1):
        marker = f"c{n}-t{turn}"
        messages.append({"role": "user", "content": marker})
        sent = messages if not session else messages[-1:]
        started = time.perf_counter()
        if turn % 2:
            reply = await client.chat.completions.create(model=MODEL, messages=sent, extra_body=session)
            text = reply.choices[0].message.content
        else:
            stream = await client.chat.completions.create(
                model=MODEL, messages=sent, extra_body=session, stream=True
            )
            text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        latencies.append(time.perf_counter() - started)
        expected = "ack " + " ".join(f"c{n}-t{t}" for t in range(1, turn + 1))
        assert text == expected, f"client {n} turn {turn} got {text!r}"
        messages.append({"role": "assistant", "content": text})


async def _round(server: Server, round_id: int, latencies: list[float]) -> None:
    async with openai.AsyncOpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client:
        await asyncio.gather(*(_conversation(client, n, round_id, latencies) for n in range(CLIENTS)))


def test_20_concurrent_clients_5_turns_no_mixing_flat_memory(fake_server: Server) -> None:
    latencies: list[float] = []
    asyncio.run(_round(fake_server, 0, latencies))  # warm-up: imports, caches, thread pools
    threads_before, rss_before = fake_server.threads, fake_server.rss_mb
    for round_id in (1, 2, 3):
        asyncio.run(_round(fake_server, round_id, latencies))
    rss_after = fake_server.rss_mb
    health = fake_server.health()
    print(
        f"\n20x5 x3 rounds on the echo generator: {len(latencies)} replies, "
        f"median {sorted(latencies)[len(latencies) // 2] * 1000:.1f} ms, "
        f"RSS {rss_before:.1f} -> {rss_after:.1f} MB, threads {threads_before} -> {fake_server.threads}"
    )
    assert len(latencies) == 4 * CLIENTS * TURNS
    assert health["pending"] == 0
    assert rss_after - rss_before < 15, f"RSS grew {rss_after - rss_before:.1f} MB over 300 replies"
    # Turn threads end with their turn (leaking one per reply would add 300 here); a few idle
    # workers of the event loop's default executor may still be added after the warm-up.
    assert wait_for_threads(fake_server, threads_before + 4), fake_server.threads


def wait_for_threads(server: Server, baseline: int, timeout_s: float = 5) -> bool:
    """Every per-turn thread has ended: the server holds no more threads than before the load."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.threads <= baseline:
            return True
        time.sleep(0.05)
    return False


# -- hostile input -------------------------------------------------------------------------------------
def test_bad_requests_get_clear_4xx_and_the_server_keeps_serving(fake_server: Server) -> None:
    url = fake_server.base_url + "/chat/completions"
    json_headers = {"content-type": "application/json"}
    with httpx.Client(timeout=30) as http:
        cases = [
            (http.post(url, content=b"{not json", headers=json_headers), 400),
            (http.post(url, json={"model": MODEL, "messages": "hello"}), 400),
            (http.post(url, json={"model": MODEL, "messages": [{"role": "user", "content": 42}]}), 400),
            (
                http.post(
                    url, json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": 1}
                ),
                400,
            ),
            (http.post(url, json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}), 404),
            (http.post(url, content=b"x" * 10_000_000, headers=json_headers), 413),
            (http.post(url, content=b"model=x", headers={"content-type": "text/plain"}), 415),
        ]
        for response, status in cases:
            assert response.status_code == status, response.text
            assert response.json()["error"]["message"]
    client = fake_server.client()
    with pytest.raises(openai.APIStatusError) as too_big:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x" * 10_000_000}])
    assert too_big.value.status_code == 413
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=MODEL, messages=[{"role": "assistant", "content": "hi"}])
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "c3-t1"}])
    assert reply.choices[0].message.content == "ack c3-t1"


def test_a_client_that_disconnects_mid_stream_frees_the_model(fake_server: Server) -> None:
    url = fake_server.base_url + "/chat/completions"
    body = {"model": MODEL, "messages": [{"role": "user", "content": "SLOW please"}], "stream": True}
    with httpx.Client(timeout=30) as http, http.stream("POST", url, json=body) as response:
        lines = response.iter_lines()  # keep the iterator: dropping it closes the connection
        first = next(lines)
        assert (
            first.startswith("data: ") and json.loads(first[6:])["choices"][0]["delta"]["role"] == "assistant"
        )
        assert fake_server.health()["pending"] == 1
    # The whole reply would take 400 x 25 ms = 10 s; a cancelled one ends at the next word.
    deadline = time.monotonic() + 5
    while fake_server.health()["pending"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake_server.health()["pending"] == 0


def test_backpressure_503_with_retry_after(tmp_path: Path) -> None:
    server = _start(_fake_env(tmp_path), "--max-pending", "1")
    try:
        url = server.base_url + "/chat/completions"
        slow = {"model": MODEL, "messages": [{"role": "user", "content": "SLOW"}], "stream": True}
        quick = {"model": MODEL, "messages": [{"role": "user", "content": "c1-t1"}]}
        with httpx.Client(timeout=30) as http:
            with http.stream("POST", url, json=slow) as response:
                lines = response.iter_lines()
                next(lines)
                busy = http.post(url, json=quick)
                assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
                assert busy.json()["error"]["code"] == "server_busy"
            deadline = time.monotonic() + 5
            while server.health()["pending"] and time.monotonic() < deadline:
                time.sleep(0.05)
            assert http.post(url, json=quick).json()["choices"][0]["message"]["content"] == "ack c1-t1"
    finally:
        _stop(server)


def test_token_and_persisted_sessions_survive_a_restart(tmp_path: Path) -> None:
    env = {**_fake_env(tmp_path), "ESC_EDGE_API_TOKEN": "s3cret"}
    db = str(tmp_path / "history.sqlite3")
    for turn in (1, 2):
        server = _start(env, "--persist", "--history-path", db)
        try:
            with pytest.raises(openai.AuthenticationError):
                server.client().models.list()
            client = openai.OpenAI(base_url=server.base_url, api_key="s3cret", max_retries=0)
            reply = client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": f"c5-t{turn}"}],
                extra_body={"session": "keep"},
            )
        finally:
            _stop(server)
    assert reply.choices[0].message.content == "ack c5-t1 c5-t2"


# -- the real model --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_server(base_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        **_fake_env(tmp_path_factory.mktemp("real")),
        "ESC_EDGE_GENERATOR": "llama",
        "ESC_EDGE_MODEL": str(base_gguf),
    }
    server = _start(env, "--threads", "1", "--seed", "7")
    yield server
    _stop(server)


def test_real_model_through_the_openai_client(real_server: Server) -> None:
    client = real_server.client(timeout=120)
    messages = [{"role": "user", "content": "I failed my driving test again and I feel stupid."}]
    started = time.perf_counter()
    reply = client.chat.completions.create(model=MODEL, messages=messages)
    plain_s = time.perf_counter() - started
    text = reply.choices[0].message.content
    assert text and text.strip() and reply.usage.completion_tokens > 0
    assert _extras(reply)["strategy"] == "Question"
    messages += [
        {"role": "assistant", "content": text, "esc_edge": {"strategy": "Question"}},
        {"role": "user", "content": "My parents will be disappointed."},
    ]
    started = time.perf_counter()
    stream = client.chat.completions.create(model=MODEL, messages=messages, stream=True)
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    stream_s = time.perf_counter() - started
    assert "".join(pieces).strip() and len(pieces) > 1
    print(f"\nreal model: plain reply {plain_s * 1000:.0f} ms, streamed follow-up {stream_s * 1000:.0f} ms")


def test_real_model_three_sessions_at_once(real_server: Server) -> None:
    async def one(client: Any, n: int) -> list[str]:
        texts = []
        for turn in range(2):
            reply = await client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": f"Person {n}, message {turn}: work is hard."}],
                extra_body={"session": f"real-{n}"},
            )
            texts.append(reply.choices[0].message.content)
        return texts

    async def go() -> list[list[str]]:
        async with openai.AsyncOpenAI(base_url=real_server.base_url, api_key="x", timeout=300) as client:
            return await asyncio.gather(*(one(client, n) for n in range(3)))

    started = time.perf_counter()
    results = asyncio.run(go())
    print(f"\nreal model: 3 sessions x 2 turns in {time.perf_counter() - started:.1f} s")
    assert all(text and text.strip() for texts in results for text in texts)
    assert real_server.health()["sessions"] == 3
