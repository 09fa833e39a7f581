"""ESConv dialogues -> planner examples, shared by train.py and export_onnx.py.

One example per supporter turn that carries a gold strategy; its context is every turn before it.
The text and the numeric features come from ``esc_edge.planner.features`` (the runtime's code), so
training and inference cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from esc_edge.conversation import Turn
from esc_edge.planner.features import planner_text, strategy_features
from esc_edge.planner.strategies import INDEX

# ESConv emotion_type labels with >= 70 train dialogues keep their name; the rest (disgust 29,
# shame 23, nervousness 6, guilt/jealousy/pain 1 each in train) become "other".
EMOTIONS: tuple[str, ...] = ("anxiety", "depression", "sadness", "anger", "fear", "other")
EMOTION_INDEX = {name: i for i, name in enumerate(EMOTIONS)}


def emotion_label(emotion_type: str | None) -> int:
    key = (emotion_type or "").strip().lower()
    return EMOTION_INDEX.get(key, EMOTION_INDEX["other"])


@dataclass(frozen=True)
class Example:
    dialogue_id: str
    text: str
    features: list[float]
    strategy: int
    emotion: int
    context: tuple[Turn, ...] = ()


def load_dialogues(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def dialogue_examples(dialogue: dict) -> list[Example]:
    turns = [Turn.from_dict(t) for t in dialogue["turns"]]
    emotion = emotion_label(dialogue.get("emotion_type"))
    examples = []
    for i, turn in enumerate(turns):
        if turn.speaker != "supporter" or turn.strategy not in INDEX:
            continue
        context = turns[:i]
        examples.append(
            Example(
                dialogue_id=str(dialogue.get("id", "")),
                text=planner_text(context),
                features=strategy_features(context),
                strategy=INDEX[turn.strategy],
                emotion=emotion,
                context=tuple(context),
            )
        )
    return examples


def load_examples(path: Path) -> list[Example]:
    return [ex for d in load_dialogues(path) for ex in dialogue_examples(d)]
