"""The safety interface: every seeker message is assessed before the planner and the generator run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from esc_edge._registry import Registry
from esc_edge.conversation import Conversation

CATEGORIES: tuple[str, ...] = (
    "suicide",  # suicidal ideation, plan or intent
    "self_harm",
    "medical",  # overdose, poisoning, medical emergency
    "abuse",  # danger from another person: abuse, violence now
    "harm_others",  # intent to harm someone else
    "child_risk",  # a child at risk
    "unknown",  # the detector failed: treated as needing care (fail safe)
)


@dataclass(frozen=True)
class Assessment:
    crisis: bool
    category: str | None = None
    score: float = 0.0
    # Who is at risk: "self" or "third_party" (a friend, a child, someone the seeker reports on).
    subject: str = "self"
    reason: str = ""
    # Language the message seems to be written in ("en", "es", ...), for the reply's language.
    lang: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"crisis": self.crisis, "category": self.category, "score": round(self.score, 4)}


SAFE = Assessment(crisis=False)

# ``Assessment.reason`` of a non-crisis message that tries to re-instruct the supporter ("ignore
# previous instructions..."): it gets the check's vetted on-task reply, never the model's.
INJECTION = "injection"


class SafetyCheck(Protocol):
    def assess(self, conversation: Conversation, text: str, *, careful: bool = False) -> Assessment:
        """Assess ``text``, the newest seeker message, with ``conversation`` as recent context.

        ``careful`` is set for the turns after a crisis: the check should then lean towards care.
        """
        ...

    def reply(self, assessment: Assessment, locale: str) -> str:
        """The vetted message sent instead of a model reply: when ``assessment.crisis`` is true, or
        when ``assessment.reason`` is :data:`INJECTION`."""
        ...


safety_checks: Registry[SafetyCheck] = Registry("safety check")
