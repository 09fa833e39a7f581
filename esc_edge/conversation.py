"""A support conversation as plain data: an ordered list of turns, saved and loaded as JSON.

The JSON form is a superset of the shared ESConv ``turns`` schema, so a dialogue from the data set
can be loaded directly and a saved conversation can be evaluated like a data set line.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from esc_edge.errors import InputError

Speaker = Literal["seeker", "supporter"]
SPEAKERS: tuple[str, ...] = ("seeker", "supporter")
FORMAT = "esc-edge.conversation/1"


@dataclass(frozen=True)
class Turn:
    speaker: Speaker
    text: str
    strategy: str | None = None
    crisis: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"speaker": self.speaker, "text": self.text, "strategy": self.strategy}
        if self.crisis:
            data["crisis"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Turn:
        if not isinstance(data, Mapping):
            raise InputError("a turn must be a JSON object with 'speaker' and 'text'")
        speaker = data.get("speaker")
        text = data.get("text")
        if speaker not in SPEAKERS:
            raise InputError(f"unknown speaker {speaker!r}", hint="turns use 'seeker' or 'supporter'")
        if not isinstance(text, str):
            raise InputError("a turn's 'text' must be a string")
        strategy = data.get("strategy")
        if strategy is not None and not isinstance(strategy, str):
            raise InputError("a turn's 'strategy' must be a string or null")
        return cls(speaker=speaker, text=text, strategy=strategy, crisis=bool(data.get("crisis")))


@dataclass
class Conversation:
    """The dialogue so far. Safe to append to from several threads."""

    turns: list[Turn] = field(default_factory=list)
    situation: str | None = None
    # Number of upcoming seeker turns handled in careful mode after a crisis.
    careful_turns_left: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    # Held for a whole turn, so two replies to one conversation never interleave.
    turn_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __iter__(self) -> Iterator[Turn]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        return len(self.turns)

    def snapshot(self) -> list[Turn]:
        with self._lock:
            return list(self.turns)

    def append(self, turn: Turn) -> None:
        with self._lock:
            self.turns.append(turn)

    def add_seeker(self, text: str) -> Turn:
        turn = Turn("seeker", text)
        self.append(turn)
        return turn

    def add_supporter(self, text: str, strategy: str | None = None, crisis: bool = False) -> Turn:
        turn = Turn("supporter", text, strategy, crisis)
        self.append(turn)
        return turn

    def clear(self) -> None:
        with self._lock:
            self.turns.clear()
            self.careful_turns_left = 0

    def recent_seeker_texts(self, n: int) -> list[str]:
        return [t.text for t in self.snapshot() if t.speaker == "seeker"][-n:]

    def supporter_strategies(self) -> list[str]:
        return [t.strategy for t in self.snapshot() if t.speaker == "supporter" and t.strategy]

    # -- JSON ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            data: dict[str, Any] = {"format": FORMAT, "turns": [t.to_dict() for t in self.turns]}
            if self.situation:
                data["situation"] = self.situation
            if self.careful_turns_left:
                data["careful_turns_left"] = self.careful_turns_left
            return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Conversation:
        if not isinstance(data, Mapping) or not isinstance(data.get("turns"), list):
            raise InputError(
                "a conversation must be a JSON object with a 'turns' list",
                hint="use a file written by /save or a line of the ESConv data",
            )
        situation = data.get("situation")
        careful = data.get("careful_turns_left", 0)
        return cls(
            turns=[Turn.from_dict(t) for t in data["turns"]],
            situation=situation if isinstance(situation, str) else None,
            careful_turns_left=careful if isinstance(careful, int) and careful > 0 else 0,
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Conversation:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
        return cls.from_dict(data)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write atomically: a crash mid-write never leaves a half-written transcript."""
        target = Path(path).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.to_json())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Conversation:
        source = Path(path).expanduser()
        try:
            raw = source.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {source}: {exc.strerror}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{source} is not UTF-8 text") from None
        return cls.from_json(text)
