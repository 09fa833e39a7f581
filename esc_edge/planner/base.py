"""The planner interface: the dialogue so far -> the next supporter strategy (and the seeker's emotion)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from esc_edge._registry import Registry
from esc_edge.conversation import Conversation


@dataclass(frozen=True)
class Plan:
    strategy: str | None
    probs: dict[str, float] = field(default_factory=dict)
    emotion: str | None = None
    emotion_probs: dict[str, float] = field(default_factory=dict)
    # Optional value head: how the conversation is going, in [-1, 1].
    outlook: float | None = None
    overridden: bool = False

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "strategy": self.strategy,
            "probs": {k: round(v, 4) for k, v in self.probs.items()},
            "emotion": self.emotion,
            "emotion_probs": {k: round(v, 4) for k, v in self.emotion_probs.items()},
        }
        if self.outlook is not None:
            data["outlook"] = round(self.outlook, 4)
        return data


class Planner(Protocol):
    def plan(self, conversation: Conversation) -> Plan: ...


planners: Registry[Planner] = Registry("planner")


@planners.register("none")
class NoPlanner:
    """Plans nothing: the policy replies without a strategy tag."""

    def plan(self, conversation: Conversation) -> Plan:
        return Plan(strategy=None)
