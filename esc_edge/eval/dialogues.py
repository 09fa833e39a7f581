"""ESConv-style JSONL dialogues for the evaluations: read them, turn each into checked turns.

Errors name the file line, so a bad row in a large data file can be found.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from esc_edge.conversation import Conversation, Turn
from esc_edge.errors import InputError


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Dialogues of a JSONL file; a bad line is an InputError naming the line."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        try:
            for lineno, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
                if not isinstance(data, dict):
                    raise InputError(f"{path}:{lineno}: each line must be a JSON object")
                data["_line"] = lineno
                yield data
        except UnicodeDecodeError:
            raise InputError(f"{path} is not UTF-8 text") from None


def dialogue_turns(dialogue: Mapping[str, Any]) -> list[Turn]:
    """The dialogue's turns, validated; an InputError names the line it was read from."""
    try:
        return list(Conversation.from_dict(dialogue).snapshot())
    except InputError as exc:
        raise InputError(f"line {dialogue.get('_line', '?')}: {exc}") from None
