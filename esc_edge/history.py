"""Conversations kept on disk, only when asked: one SQLite file, one transaction per save.

Nothing is written unless an app or a command asks for it (``AsyncSupporter(store=...)``,
``esc-edge serve --persist``, ``esc-edge history import``). The file lives in the user data dir
(``platformdirs.user_data_dir("esc-edge")/history.sqlite3``) unless another path is given.

Why SQLite and not one JSON file per conversation: a save is a single transaction in WAL mode,
so a process killed at any instant (power loss aside, ``synchronous=FULL`` covers that too) leaves
either the previous transcript or the new one, never a half-written file, and several threads or
processes can write at once without clobbering each other.

Delete means deleted: the rows are removed with ``secure_delete`` on (freed space is zeroed), the
file is vacuumed (old copies of the text in free pages and b-tree dividers disappear) and the WAL
is truncated, so the text is no longer anywhere in the database files.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import HistoryError, InputError

FILENAME = "history.sqlite3"
SCHEMA_VERSION = 1
MAX_ID_CHARS = 128
EXPORT_FORMAT = "esc-edge.history/1"
# How long a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    situation TEXT,
    careful_turns_left INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    speaker TEXT NOT NULL CHECK (speaker IN ('seeker', 'supporter')),
    text TEXT NOT NULL,
    strategy TEXT,
    crisis INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, idx)
);
"""


def default_history_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("esc-edge", appauthor=False)) / FILENAME


def check_id(conversation_id: object) -> str:
    """A conversation id is short printable text: it names a row, and shows up in `history list`."""
    if not isinstance(conversation_id, str) or not conversation_id.strip():
        raise InputError("a conversation id must be a non-empty string")
    if len(conversation_id) > MAX_ID_CHARS or not conversation_id.isprintable():
        raise InputError(
            f"invalid conversation id {conversation_id[:40]!r}",
            hint=f"use up to {MAX_ID_CHARS} printable characters, e.g. a UUID",
        )
    return conversation_id


@dataclass(frozen=True)
class StoredConversation:
    id: str
    turns: int
    created: float
    updated: float

    def to_dict(self) -> dict[str, Any]:
        created, updated = _iso(self.created), _iso(self.updated)
        return {"id": self.id, "turns": self.turns, "created": created, "updated": updated}


TurnRow = tuple[str, str, str | None, int]


def _row(turn: Turn) -> TurnRow:
    return (turn.speaker, turn.text, turn.strategy, int(turn.crisis))


class HistoryStore:
    """Saved conversations in one SQLite file. Safe to share between threads; use one per process."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_history_path()
        self._lock = threading.Lock()
        self._db = self._open()

    # -- opening ---------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Transcripts are private: create the file readable by its owner only (SQLite gives the
        # -wal and -shm files the same permissions).
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        try:
            db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            self._configure(db)
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"{self.path} is not a usable esc-edge history database: {exc}",
                hint="move the file away, or pass another path",
            ) from None
        return db

    def _configure(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA secure_delete=ON")
        db.execute("PRAGMA foreign_keys=ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"it was written by a newer esc-edge (schema {version})")
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        """The connection, for one thread at a time; SQLite failures become a HistoryError."""
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise HistoryError(
                    f"history database {self.path}: {exc}",
                    hint="check the disk has room and no other program holds the file",
                ) from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._locked() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- writing ---------------------------------------------------------------------------------
    def save(self, conversation_id: str, conversation: Conversation) -> int:
        """Make the stored copy equal ``conversation`` in one transaction; returns turns written.

        Only turns after the common prefix are written, so saving after every turn costs one
        small insert. The snapshot is taken under the store's lock: two threads saving the same
        growing conversation can never write an older state over a newer one.
        """
        check_id(conversation_id)
        now = time.time()
        with self._transaction() as db:
            data = conversation.to_dict()
            rows = [_row(t) for t in conversation.snapshot()]
            stored = db.execute(
                "SELECT speaker, text, strategy, crisis FROM turns WHERE conversation_id=? ORDER BY idx",
                (conversation_id,),
            ).fetchall()
            keep = _common_prefix(stored, rows)
            db.execute(
                "INSERT INTO conversations (id, situation, careful_turns_left, created, updated) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET situation=excluded.situation, "
                "careful_turns_left=excluded.careful_turns_left, updated=excluded.updated",
                (conversation_id, data.get("situation"), data.get("careful_turns_left", 0), now, now),
            )
            db.execute("DELETE FROM turns WHERE conversation_id=? AND idx>=?", (conversation_id, keep))
            db.executemany(
                "INSERT INTO turns (conversation_id, idx, speaker, text, strategy, crisis) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(conversation_id, i, *row) for i, row in enumerate(rows) if i >= keep],
            )
        return len(rows) - keep

    def delete(self, conversation_id: str) -> bool:
        """Remove a conversation for good; True if it existed."""
        check_id(conversation_id)
        with self._transaction() as db:
            db.execute("DELETE FROM turns WHERE conversation_id=?", (conversation_id,))
            existed = db.execute("DELETE FROM conversations WHERE id=?", (conversation_id,)).rowcount > 0
        if existed:
            self._scrub()
        return existed

    def _scrub(self) -> None:
        """Rewrite the file without free pages and empty the WAL, where old copies of text live on."""
        with self._locked() as db:
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- reading ---------------------------------------------------------------------------------
    def get(self, conversation_id: str) -> Conversation | None:
        check_id(conversation_id)
        with self._locked() as db:
            head = db.execute(
                "SELECT situation, careful_turns_left FROM conversations WHERE id=?", (conversation_id,)
            ).fetchone()
            if head is None:
                return None
            rows = db.execute(
                "SELECT speaker, text, strategy, crisis FROM turns WHERE conversation_id=? ORDER BY idx",
                (conversation_id,),
            ).fetchall()
        turns = [Turn(speaker, text, strategy, bool(crisis)) for speaker, text, strategy, crisis in rows]
        return Conversation(turns=turns, situation=head[0], careful_turns_left=head[1])

    def load(self, conversation_id: str) -> Conversation:
        conversation = self.get(conversation_id)
        if conversation is None:
            raise InputError(
                f"no saved conversation {conversation_id!r}", hint="`esc-edge history list` shows them"
            )
        return conversation

    def __contains__(self, conversation_id: object) -> bool:
        with self._locked() as db:
            found = db.execute("SELECT 1 FROM conversations WHERE id=?", (conversation_id,)).fetchone()
        return found is not None

    def list(self) -> list[StoredConversation]:
        """Every saved conversation, most recently updated first."""
        with self._locked() as db:
            rows = db.execute(
                "SELECT c.id, COUNT(t.idx), c.created, c.updated FROM conversations c "
                "LEFT JOIN turns t ON t.conversation_id = c.id GROUP BY c.id ORDER BY c.updated DESC"
            ).fetchall()
        return [StoredConversation(*row) for row in rows]

    # -- JSON ------------------------------------------------------------------------------------
    def export_dict(self, conversation_id: str) -> dict[str, Any]:
        data = self.load(conversation_id).to_dict()
        return {**data, "id": conversation_id, "export": EXPORT_FORMAT}

    def export_json(self, conversation_id: str) -> str:
        """The conversation as JSON that `Conversation.load`, `chat --history` and import all read."""
        return json.dumps(self.export_dict(conversation_id), ensure_ascii=False, indent=2)

    def import_json(self, text: str, *, conversation_id: str | None = None, replace: bool = False) -> str:
        """Store a conversation from JSON (an export, a /save file or an ESConv line); returns its id."""
        conversation = Conversation.from_json(text)
        data = json.loads(text)
        found = data.get("id") if isinstance(data, dict) else None
        new_id = check_id(conversation_id or (found if isinstance(found, str) else uuid.uuid4().hex[:12]))
        if not replace and new_id in self:
            raise InputError(f"a conversation {new_id!r} is already saved", hint="pass another id or replace")
        self.save(new_id, conversation)
        return new_id

    # -- lifetime --------------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _common_prefix(stored: list[Any], rows: list[TurnRow]) -> int:
    n = 0
    for old, new in zip(stored, rows, strict=False):
        if tuple(old) != new:
            break
        n += 1
    return n


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


__all__ = ["HistoryError", "HistoryStore", "StoredConversation", "check_id", "default_history_path"]
