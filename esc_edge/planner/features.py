"""Dialogue -> planner input text: the single source shared by the runtime planner and its training.

The most recent turns come first so that truncation at the encoder's token limit drops the oldest
turns, not the newest. Earlier supporter turns carry their strategy, which is the strongest single
signal of what comes next.
"""

from __future__ import annotations

from collections.abc import Sequence

from esc_edge.conversation import Turn

EMPTY_CONTEXT = "[start]"
# Turns beyond this never survive truncation at 256 tokens; skipping them keeps a 10,000-turn
# history as cheap as a 10-turn one.
MAX_TURNS = 40
MAX_CHARS_PER_TURN = 600


def turn_text(turn: Turn) -> str:
    text = " ".join(turn.text.split())[:MAX_CHARS_PER_TURN]
    if turn.speaker == "seeker":
        return f"[seeker] {text}"
    if turn.strategy:
        return f"[supporter|{turn.strategy}] {text}"
    return f"[supporter] {text}"


def planner_text(turns: Sequence[Turn]) -> str:
    """Text the planner encodes for the supporter turn that follows ``turns``."""
    recent = list(turns)[-MAX_TURNS:]
    if not recent:
        return EMPTY_CONTEXT
    return " ".join(turn_text(t) for t in reversed(recent))


def dialogue_position(turns: Sequence[Turn]) -> int:
    """How many supporter turns came before: a feature the reversed, truncated text loses."""
    return sum(1 for t in turns if t.speaker == "supporter")
