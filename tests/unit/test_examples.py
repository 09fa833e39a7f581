"""The examples run on fakes: the API script, the desktop controller headless, the Tk window under Xvfb."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from esc_edge.aio import AsyncSupporter
from tests.embed_fakes import EchoGenerator, GatedGenerator, fake_supporter, wait_for

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _example(name: str) -> ModuleType:
    """Import examples/<name>.py (the folder is not a package: users run the files directly)."""
    module_name = f"esc_edge_example_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while it is executing
    spec.loader.exec_module(module)
    return module


def _events_until(controller: Any, kind: str, timeout_s: float = 10) -> list[Any]:
    seen: list[Any] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        seen += controller.poll()
        if any(e.kind == kind for e in seen):
            return seen
        time.sleep(0.005)
    raise AssertionError(f"no {kind!r} event; saw {[e.kind for e in seen]}")


def test_embed_script_talks_through_a_session(capsys: pytest.CaptureFixture[str]) -> None:
    embed = _example("embed")
    generator = EchoGenerator()

    async def go() -> None:
        async with AsyncSupporter(fake_supporter(generator)) as supporter:
            await embed.talk(supporter)
            assert len(supporter.session("demo")) == 4

    asyncio.run(go())
    first, second = capsys.readouterr().out.splitlines()
    assert first == "[Question] ack" and second == "ack"
    assert len(generator.prompts) == 2


@pytest.fixture
def controller_for() -> Iterator[Callable[[Any], Any]]:
    made: list[Any] = []

    def make(generator: Any) -> Any:
        controller = _example("desktop_tk").ChatController(AsyncSupporter(fake_supporter(generator)))
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.close()


def test_controller_streams_tokens_and_reports_the_strategy(controller_for: Callable[[Any], Any]) -> None:
    controller = controller_for(GatedGenerator(reply="I hear you."))
    controller.supporter.supporter.generator.gate.set()
    assert controller.send("hello")
    events = _events_until(controller, "done")
    assert events[0].kind == "start" and events[-1].text == "Question"
    assert "".join(e.text for e in events if e.kind == "token") == "I hear you."
    assert not controller.busy


def test_send_returns_while_the_model_works_and_stop_cancels(controller_for: Callable[[Any], Any]) -> None:
    generator = GatedGenerator(free_words=1)
    controller = controller_for(generator)
    assert controller.send("hello")  # returns although the model holds its reply: the UI stays free
    assert generator.started.wait(5) and controller.busy
    assert controller.send("again") is False  # one reply at a time
    _events_until(controller, "token")
    controller.stop()
    events = _events_until(controller, "stopped")
    assert not any(e.kind == "done" for e in events)
    assert wait_for(lambda: generator.finish_reasons == ["cancelled"])
    conversation = controller.supporter.supporter.conversation
    assert wait_for(lambda: len(conversation) == 2)  # the partial reply is kept, as in the terminal chat
    generator.gate.set()
    assert controller.send("next") and _events_until(controller, "done")


def test_errors_reach_the_ui_as_events(controller_for: Callable[[Any], Any]) -> None:
    controller = controller_for(EchoGenerator())
    controller.send("x" * 10_000)
    events = _events_until(controller, "error")
    assert "too long" in events[-1].text


# -- the window itself ---------------------------------------------------------------------------------
@pytest.fixture
def display(tmp_path: Path) -> Iterator[None]:
    """A display for Tk: the session's own, or a private Xvfb; skip when neither exists."""
    pytest.importorskip("tkinter", reason="this Python has no Tk")
    if os.environ.get("DISPLAY"):
        yield
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("no display and Xvfb is not installed (apt-get install xvfb to run the window test)")
    number = 90 + os.getpid() % 500
    server = subprocess.Popen([xvfb, f":{number}", "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        if not wait_for(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), 10):
            pytest.skip("Xvfb did not start")
        os.environ["DISPLAY"] = f":{number}"
        yield
    finally:
        os.environ.pop("DISPLAY", None)
        server.terminate()
        server.wait(10)


def _pump_until(root: Any, condition: Callable[[], bool], timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        root.update()
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_window_sends_streams_and_stops(display: None, controller_for: Callable[[Any], Any]) -> None:
    import tkinter as tk

    generator = GatedGenerator(reply="I am here with you.", free_words=2)
    controller = controller_for(generator)
    root = tk.Tk()
    try:
        window = _example("desktop_tk").ChatWindow(root, controller, poll_ms=10)
        window.entry.insert(0, "I had a rough day")
        window.send_button.invoke()
        assert _pump_until(root, lambda: "supporter: I am" in window.text())
        assert str(window.stop_button["state"]) == "normal" and str(window.send_button["state"]) == "disabled"
        window.stop_button.invoke()
        assert _pump_until(root, lambda: "(stopped)" in window.text())
        generator.gate.set()
        window.entry.insert(0, "thanks")
        window.entry.event_generate("<Return>")
        assert _pump_until(root, lambda: window.text().count("I am here with you.") == 1)
        assert _pump_until(root, lambda: str(window.status["text"]) == "strategy: Question")
    finally:
        root.destroy()
