"""Score a planner on ESConv-style JSONL: every supporter turn with a gold strategy is predicted
from all the turns before it (the same examples the planner was trained on)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from esc_edge.conversation import Turn
from esc_edge.errors import InputError
from esc_edge.eval.dialogues import dialogue_turns
from esc_edge.eval.metrics import classification_report
from esc_edge.planner.base import Plan
from esc_edge.planner.strategies import INDEX, NAMES, canonical

OTHER_EMOTION = "other"


class TurnPlanner(Protocol):
    """A planner that can score any context, including the empty one of a supporter opening."""

    def predict(self, turns: Sequence[Turn]) -> Plan: ...


@dataclass(frozen=True)
class PlannerExample:
    context: tuple[Turn, ...]
    strategy: int
    emotion_type: str | None


def dialogue_examples(dialogue: Mapping[str, Any]) -> list[PlannerExample]:
    where = f"line {dialogue.get('_line', '?')}"
    turns = dialogue_turns(dialogue)
    emotion = dialogue.get("emotion_type")
    examples = []
    for i, turn in enumerate(turns):
        if turn.speaker != "supporter" or not turn.strategy:
            continue
        try:
            gold = INDEX[canonical(turn.strategy)]
        except InputError as exc:
            raise InputError(f"{where}, turn {i}: {exc}") from None
        examples.append(PlannerExample(tuple(turns[:i]), gold, emotion if isinstance(emotion, str) else None))
    return examples


def emotion_index(emotion_type: str | None, labels: Sequence[str]) -> int | None:
    """Gold emotion as a label index; rare ESConv emotions count as 'other' when the model has it."""
    if not emotion_type:
        return None
    key = emotion_type.strip().lower()
    if key in labels:
        return list(labels).index(key)
    return list(labels).index(OTHER_EMOTION) if OTHER_EMOTION in labels else None


def evaluate_planner(
    planner: TurnPlanner,
    dialogues: Iterator[Mapping[str, Any]] | Sequence[Mapping[str, Any]],
    *,
    emotion_labels: Sequence[str],
    majority_label: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Strategy and emotion metrics for every gold supporter turn, plus a majority baseline.

    ``majority_label`` is the most frequent *training* strategy; when None, the most frequent gold
    strategy of the evaluated data is used (and the report says so).
    """
    n_dialogues = 0
    gold: list[int] = []
    strategy_probs: list[list[float]] = []
    gold_emotion: list[int] = []
    emotion_probs: list[list[float]] = []
    start = time.perf_counter()
    for dialogue in dialogues:
        n_dialogues += 1
        for example in dialogue_examples(dialogue):
            plan = planner.predict(example.context)
            gold.append(example.strategy)
            strategy_probs.append([plan.probs.get(name, 0.0) for name in NAMES])
            emotion = emotion_index(example.emotion_type, emotion_labels)
            if emotion is not None and plan.emotion_probs:
                gold_emotion.append(emotion)
                emotion_probs.append([plan.emotion_probs.get(n, 0.0) for n in emotion_labels])
        if progress is not None:
            progress(n_dialogues)
    if not gold:
        raise InputError(
            "no supporter turn with a gold strategy in the data",
            hint="each line needs 'turns' with supporter turns carrying 'strategy'",
        )
    seconds = time.perf_counter() - start
    return {
        "dialogues": n_dialogues,
        "examples": len(gold),
        "strategy": classification_report(gold, np.array(strategy_probs), NAMES),
        "emotion": (
            classification_report(gold_emotion, np.array(emotion_probs), emotion_labels)
            if gold_emotion
            else None
        ),
        "majority_baseline": _majority(gold, majority_label),
        "seconds": round(seconds, 2),
        "ms_per_turn": round(1000 * seconds / len(gold), 2),
    }


def _majority(gold: Sequence[int], majority_label: str | None) -> dict[str, Any]:
    source = "train" if majority_label else "evaluated data"
    if majority_label is None:
        majority = int(np.bincount(np.asarray(gold), minlength=len(NAMES)).argmax())
    else:
        majority = INDEX[canonical(majority_label)]
    probs = np.zeros((len(gold), len(NAMES)))
    probs[:, majority] = 1.0
    report = classification_report(gold, probs, NAMES)
    return {
        "label": NAMES[majority],
        "label_source": source,
        **{k: report[k] for k in ("accuracy", "macro_f1", "weighted_f1", "kl_pred_gold")},
    }
