"""The conversation history store: round trips, JSON export/import, real deletion, crash safety."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import InputError
from esc_edge.history import HistoryStore, default_history_path

REPO = Path(__file__).resolve().parents[2]


def _conversation(n_pairs: int, tag: str = "") -> Conversation:
    conversation = Conversation(situation="lost job")
    for i in range(n_pairs):
        conversation.add_seeker(f"{tag}seeker {i}")
        conversation.add_supporter(f"{tag}reply {i}", strategy="Question", crisis=i == 1)
    return conversation


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    return HistoryStore(tmp_path / "history.sqlite3")


def test_default_path_is_in_the_user_data_dir() -> None:
    import platformdirs

    path = default_history_path()
    assert path.parent == Path(platformdirs.user_data_dir("esc-edge", appauthor=False))
    assert path.name == "history.sqlite3"


def test_save_load_round_trip_with_every_field(store: HistoryStore) -> None:
    conversation = _conversation(3)
    conversation.careful_turns_left = 2
    assert store.save("a", conversation) == 6
    loaded = store.load("a")
    assert loaded.turns == conversation.turns
    assert (loaded.situation, loaded.careful_turns_left) == ("lost job", 2)
    assert loaded.turns[3] == Turn("supporter", "reply 1", "Question", crisis=True)


def test_saving_again_writes_only_the_new_turns(store: HistoryStore) -> None:
    conversation = _conversation(2)
    store.save("a", conversation)
    conversation.add_seeker("more")
    assert store.save("a", conversation) == 1
    assert store.save("a", conversation) == 0
    conversation.clear()  # a reset conversation replaces the stored one
    conversation.add_seeker("fresh start")
    assert store.save("a", conversation) == 1
    assert [t.text for t in store.load("a").turns] == ["fresh start"]


def test_list_and_missing_ids(store: HistoryStore) -> None:
    store.save("one", _conversation(1))
    store.save("two", _conversation(2))
    listed = {s.id: s.turns for s in store.list()}
    assert listed == {"one": 2, "two": 4}
    assert store.get("nope") is None and "nope" not in store and "one" in store
    with pytest.raises(InputError, match="no saved conversation 'nope'"):
        store.load("nope")
    with pytest.raises(InputError, match="invalid conversation id"):
        store.save("x" * 500, Conversation())


def test_file_is_private_to_its_owner(store: HistoryStore) -> None:
    store.save("a", _conversation(1))
    assert oct(store.path.stat().st_mode & 0o777) == "0o600"


def test_delete_removes_every_trace_from_the_files(store: HistoryStore) -> None:
    secret = "my-very-private-secret-7f3a"
    for i in range(30):  # enough rows to spread over several pages and reach the b-tree dividers
        store.save(f"other-{i}", _conversation(5, tag="filler " * 20))
    store.save("private-id-9c1e", _conversation(40, tag=secret))
    store.save("kept", _conversation(1))
    assert store.delete("private-id-9c1e") is True
    assert store.delete("private-id-9c1e") is False
    files = [p for p in store.path.parent.iterdir() if p.name.startswith(store.path.name)]
    blob = b"".join(p.read_bytes() for p in files)
    assert secret.encode() not in blob and b"private-id-9c1e" not in blob
    assert b"filler" in blob  # the test would notice if nothing were written at all
    assert len(store.load("kept")) == 2


def test_export_import_round_trip(store: HistoryStore, tmp_path: Path) -> None:
    store.save("a", _conversation(2))
    exported = store.export_json("a")
    data = json.loads(exported)
    assert data["id"] == "a" and data["export"] == "esc-edge.history/1" and len(data["turns"]) == 4
    # An export is also a plain conversation file (chat --history reads it).
    file = tmp_path / "a.json"
    file.write_text(exported)
    assert Conversation.load(file).turns == store.load("a").turns
    other = HistoryStore(tmp_path / "other.sqlite3")
    assert other.import_json(exported) == "a"
    assert other.load("a").turns == store.load("a").turns
    with pytest.raises(InputError, match="already saved"):
        other.import_json(exported)
    assert other.import_json(exported, conversation_id="copy") == "copy"
    assert other.import_json(exported, replace=True) == "a"


@pytest.mark.parametrize("text", ["not json", '{"turns": 3}', '{"turns": [{"speaker": "bot", "text": "x"}]}'])
def test_import_rejects_bad_json_with_a_clear_error(store: HistoryStore, text: str) -> None:
    with pytest.raises(InputError):
        store.import_json(text)
    assert store.list() == []


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "history.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a usable esc-edge history database"):
        HistoryStore(bad)


def test_threads_saving_one_growing_conversation_never_lose_turns(store: HistoryStore) -> None:
    conversation = Conversation()
    lock = threading.Lock()

    def writer(n: int) -> None:
        for i in range(25):
            with lock:
                conversation.add_seeker(f"w{n} {i}")
            store.save("shared", conversation)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert store.load("shared").turns == conversation.turns and len(conversation) == 100


# -- crash safety ------------------------------------------------------------------------------------
# The child appends one turn pair per save and reports each save *after* it returned; the parent
# kills it with SIGKILL at a random moment, then checks that every reported turn is intact.
CHILD = """
import sys
from esc_edge.conversation import Conversation
from esc_edge.history import HistoryStore
store = HistoryStore(sys.argv[1])
conversation = store.get("c") or Conversation()
i = len(conversation) // 2
while True:
    conversation.add_seeker(f"seeker {i} " + "x" * (i % 97))
    conversation.add_supporter(f"reply {i} " + "y" * (i % 89), strategy="Question")
    store.save("c", conversation)
    if i % 7 == 0:
        store.save(f"side-{i}", conversation)  # bigger transactions too
    print(i, flush=True)
    i += 1
"""


def _expected_turns(pairs: int) -> list[Turn]:
    turns = []
    for i in range(pairs):
        turns.append(Turn("seeker", f"seeker {i} " + "x" * (i % 97)))
        turns.append(Turn("supporter", f"reply {i} " + "y" * (i % 89), "Question"))
    return turns


def test_kill_9_during_saves_leaves_every_completed_turn(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rng = random.Random(1234)
    reported = -1
    for _ in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True, env=env
        )
        assert child.stdout is not None
        stop_after = rng.randint(3, 40)
        for _line in range(stop_after):
            reported = int(child.stdout.readline())
        child.send_signal(signal.SIGKILL)  # lands in a save (or between two) at a random point
        child.wait(10)
        for line in child.stdout.read().split():  # lines printed after our last read
            reported = int(line)
        child.stdout.close()
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        with HistoryStore(path) as reopened:
            saved = reopened.load("c").turns
        pairs = len(saved) // 2
        # Everything reported is there; at most the one save in flight when killed on top.
        assert pairs in (reported + 1, reported + 2)
        assert saved == _expected_turns(pairs)
