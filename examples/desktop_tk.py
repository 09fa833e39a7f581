"""A minimal desktop chat window around esc-edge (Tk, from the standard library).

    python examples/desktop_tk.py --yes                 # pulls the default models once
    python examples/desktop_tk.py --model my.gguf       # or a local GGUF policy

The pattern for any UI toolkit: the model never runs on the UI thread. A :class:`ChatController`
owns an asyncio loop on a background thread and the :class:`~esc_edge.aio.AsyncSupporter`; the UI
calls ``send``/``stop`` (they return at once) and drains ``poll()`` from a timer on its own thread,
which is all Tk (or Qt, or GTK) needs: widgets are only ever touched by the UI thread.
"""

from __future__ import annotations

import argparse
import asyncio
import queue
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from esc_edge.aio import AsyncSupporter
from esc_edge.errors import EscEdgeError

POLL_MS = 30
DANGER_NOTE = "If you are in danger, call your local emergency number now."


@dataclass(frozen=True)
class Event:
    kind: str  # "start" | "token" | "done" | "stopped" | "error"
    text: str = ""


class ChatController:
    """Runs replies off the UI thread. Not tied to Tk: tested without a display."""

    def __init__(self, supporter: AsyncSupporter) -> None:
        self.supporter = supporter
        self._events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chat-loop", daemon=True)
        self._thread.start()
        self._task: Future[None] | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def send(self, text: str) -> bool:
        """Start a reply; returns at once (False if a reply is still being written)."""
        if self.busy:
            return False
        self._task = asyncio.run_coroutine_threadsafe(self._reply(text), self._loop)
        # Reported from here, not from _reply: a reply stopped before it began never runs its body.
        self._task.add_done_callback(
            lambda task: self._events.put(Event("stopped")) if task.cancelled() else None
        )
        return True

    def stop(self) -> None:
        """Stop the reply being written; the partial reply stays in the conversation, marked."""
        if self._task is not None:
            self._task.cancel()

    def poll(self) -> list[Event]:
        events = []
        while True:
            try:
                events.append(self._events.get_nowait())
            except queue.Empty:
                return events

    async def _reply(self, text: str) -> None:
        self._events.put(Event("start"))
        try:
            async with self.supporter.astream(text) as stream:
                async for token in stream:
                    self._events.put(Event("token", token))
            strategy = stream.reply.strategy if stream.reply is not None else None
            self._events.put(Event("done", strategy or ""))
        except EscEdgeError as exc:
            self._events.put(Event("error", str(exc)))

    def close(self) -> None:
        self.stop()
        asyncio.run_coroutine_threadsafe(self.supporter.aclose(), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


class ChatWindow:
    """The Tk widgets; every method runs on the Tk thread."""

    def __init__(self, root: Any, controller: ChatController, poll_ms: int = POLL_MS) -> None:
        import tkinter as tk

        self.root = root
        self.controller = controller
        self.poll_ms = poll_ms
        root.title("esc-edge: a private supporter")
        tk.Label(root, text=DANGER_NOTE, fg="#a00").pack(fill="x")
        self.transcript = tk.Text(root, wrap="word", state="disabled", height=20, width=70)
        self.transcript.pack(fill="both", expand=True, padx=6, pady=6)
        bar = tk.Frame(root)
        bar.pack(fill="x", padx=6, pady=(0, 6))
        self.entry = tk.Entry(bar)
        self.entry.pack(side="left", fill="x", expand=True)
        self.entry.bind("<Return>", lambda _event: self.send())
        self.send_button = tk.Button(bar, text="Send", command=self.send)
        self.send_button.pack(side="left", padx=(6, 0))
        self.stop_button = tk.Button(bar, text="Stop", command=self.controller.stop, state="disabled")
        self.stop_button.pack(side="left", padx=(6, 0))
        self.status = tk.Label(root, text="", anchor="w", fg="#555")
        self.status.pack(fill="x", padx=6)
        self.entry.focus_set()
        root.after(self.poll_ms, self._pump)

    def send(self) -> None:
        text = self.entry.get().strip()
        if not text or not self.controller.send(text):
            return
        self.entry.delete(0, "end")
        self._append(f"you: {text}\nsupporter: ")

    def text(self) -> str:
        return str(self.transcript.get("1.0", "end-1c"))

    def _append(self, text: str) -> None:
        self.transcript.configure(state="normal")
        self.transcript.insert("end", text)
        self.transcript.see("end")
        self.transcript.configure(state="disabled")

    def _pump(self) -> None:
        for event in self.controller.poll():
            self._show(event)
        busy = self.controller.busy
        self.send_button.configure(state="disabled" if busy else "normal")
        self.stop_button.configure(state="normal" if busy else "disabled")
        self.root.after(self.poll_ms, self._pump)

    def _show(self, event: Event) -> None:
        if event.kind == "start":
            self.status.configure(text="writing ...")
        elif event.kind == "token":
            self._append(event.text)
        elif event.kind == "done":
            self._append("\n\n")
            self.status.configure(text=f"strategy: {event.text}" if event.text else "")
        elif event.kind == "stopped":
            self._append(" (stopped)\n\n")
            self.status.configure(text="stopped")
        elif event.kind == "error":
            self._append(f"\n[{event.text}]\n\n")
            self.status.configure(text="error")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="a local GGUF policy (default: the registry's)")
    parser.add_argument("--lora", help="a LoRA GGUF for --model")
    parser.add_argument("--yes", action="store_true", help="download missing models without asking")
    args = parser.parse_args(argv)
    import tkinter as tk

    from esc_edge.config import load_settings
    from esc_edge.supporter import Supporter

    print("loading models ...", file=sys.stderr)
    try:
        supporter = Supporter(load_settings({"model": args.model, "lora": args.lora}), pull=args.yes)
    except EscEdgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    controller = ChatController(AsyncSupporter(supporter))
    root = tk.Tk()
    ChatWindow(root, controller)
    try:
        root.mainloop()
    finally:
        controller.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
