import json
from pathlib import Path

import pytest

from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import InputError


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    conv = Conversation(situation="lost job")
    conv.add_seeker("I lost my job")
    conv.add_supporter("That is hard.", strategy="Reflection of feelings")
    conv.careful_turns_left = 2
    path = conv.save(tmp_path / "sub" / "c.json")
    loaded = Conversation.load(path)
    assert loaded.turns == conv.turns
    assert loaded.situation == "lost job" and loaded.careful_turns_left == 2
    assert [p.name for p in path.parent.iterdir()] == ["c.json"]  # no temp files left


def test_loads_a_shared_data_dialogue() -> None:
    line = {"id": "x", "emotion_type": "anxiety", "turns": [
        {"speaker": "seeker", "text": "hi", "strategy": None},
        {"speaker": "supporter", "text": "hello", "strategy": "Question"}]}  # fmt: skip
    conv = Conversation.from_json(json.dumps(line))
    assert conv.turns[1] == Turn("supporter", "hello", "Question")


@pytest.mark.parametrize(
    "payload, message",
    [
        ("{not json", "not valid JSON"),
        ('{"turns": 3}', "'turns' list"),
        ('{"turns": [{"speaker": "bot", "text": "x"}]}', "unknown speaker"),
        ('{"turns": [{"speaker": "seeker", "text": 5}]}', "must be a string"),
    ],
)
def test_bad_conversations_raise_input_error(payload: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        Conversation.from_json(payload)


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8"):
        Conversation.load(bad)
    with pytest.raises(InputError, match="cannot read"):
        Conversation.load(tmp_path / "missing.json")
