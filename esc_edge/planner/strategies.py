"""The eight ESConv support strategies: the single source of their names, order and meaning.

The order is the label order of every model we train (planner head, eval confusion matrices); never
reorder it without retraining.
"""

from __future__ import annotations

from dataclasses import dataclass

from esc_edge.errors import InputError


@dataclass(frozen=True)
class Strategy:
    name: str
    description: str


STRATEGIES: tuple[Strategy, ...] = (
    Strategy("Question", "Ask about the seeker's situation or feelings to understand them better."),
    Strategy(
        "Restatement or Paraphrasing",
        "Restate what the seeker said, more concisely, so they see their situation clearly.",
    ),
    Strategy("Reflection of feelings", "Name and reflect the feelings the seeker expresses."),
    Strategy(
        "Self-disclosure",
        "Share a similar experience or feeling of your own to show understanding.",
    ),
    Strategy(
        "Affirmation and Reassurance",
        "Affirm the seeker's strengths, motivation and efforts; offer reassurance.",
    ),
    Strategy("Providing Suggestions", "Offer a suggestion of what the seeker might do."),
    Strategy("Information", "Give useful information: facts, data, resources or opinions."),
    Strategy("Others", "Exchange pleasantries or use other support that fits none of the above."),
)

NAMES: tuple[str, ...] = tuple(s.name for s in STRATEGIES)
INDEX: dict[str, int] = {name: i for i, name in enumerate(NAMES)}

# Short forms a person may type in `/strategy NAME` or `--strategy NAME`.
_ALIASES: dict[str, str] = {
    "question": "Question",
    "questions": "Question",
    "restatement": "Restatement or Paraphrasing",
    "paraphrasing": "Restatement or Paraphrasing",
    "paraphrase": "Restatement or Paraphrasing",
    "reflection": "Reflection of feelings",
    "self-disclosure": "Self-disclosure",
    "disclosure": "Self-disclosure",
    "affirmation": "Affirmation and Reassurance",
    "reassurance": "Affirmation and Reassurance",
    "suggestions": "Providing Suggestions",
    "suggestion": "Providing Suggestions",
    "information": "Information",
    "info": "Information",
    "others": "Others",
    "other": "Others",
}


def canonical(name: str) -> str:
    """Return the canonical strategy name for ``name`` (case-insensitive, aliases allowed)."""
    key = " ".join(name.strip().split()).lower()
    for known in NAMES:
        if known.lower() == key:
            return known
    if key in _ALIASES:
        return _ALIASES[key]
    raise InputError(
        f"unknown strategy {name!r}",
        hint="use one of: " + ", ".join(NAMES),
    )


def describe(name: str) -> str:
    return STRATEGIES[INDEX[canonical(name)]].description
