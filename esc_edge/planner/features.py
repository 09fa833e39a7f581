"""Dialogue -> planner input text: the single source shared by the runtime planner and its training.

The most recent turns come first so that truncation at the encoder's token limit drops the oldest
turns, not the newest. Earlier supporter turns carry their strategy, which is the strongest single
signal of what comes next.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from esc_edge.conversation import Turn
from esc_edge.planner.strategies import INDEX, NAMES

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


# -- numeric features concatenated to the pooled encoder vector --------------------------------
# The text carries earlier strategies, but the encoder reads them as words among hundreds of
# tokens; explicit one-hots give the head the strategy history and dialogue position directly
# (the de-risk's TF-IDF baseline got 32% from strategy history alone). Changing this layout
# changes the model's input: bump FEATURES_VERSION and retrain.
FEATURES_VERSION = 1
_NO_STRATEGY = "<none>"
_HISTORY_SLOTS = (*NAMES, _NO_STRATEGY)
# Upper edges (inclusive) of the dialogue-position buckets, in earlier supporter turns.
POSITION_BUCKETS: tuple[int, ...] = (0, 1, 2, 4, 7, 11, 17)


def feature_names() -> list[str]:
    names = [f"last1={s}" for s in _HISTORY_SLOTS]
    names += [f"last2={s}" for s in _HISTORY_SLOTS]
    names += [f"share={s}" for s in NAMES]
    names += [f"pos<={edge}" for edge in POSITION_BUCKETS] + [f"pos>{POSITION_BUCKETS[-1]}"]
    names += ["pos_log", "last_speaker_supporter", "supporter_run", "seeker_run", "empty"]
    return names


def _one_hot(value: str, slots: Sequence[str]) -> list[float]:
    return [1.0 if value == slot else 0.0 for slot in slots]


def _run_length(turns: Sequence[Turn], speaker: str) -> int:
    """How many turns at the end of ``turns`` were spoken by ``speaker`` in a row."""
    run = 0
    for turn in reversed(turns):
        if turn.speaker != speaker:
            break
        run += 1
    return run


def _position_one_hot(position: int) -> list[float]:
    bucket = next((i for i, edge in enumerate(POSITION_BUCKETS) if position <= edge), len(POSITION_BUCKETS))
    return [1.0 if i == bucket else 0.0 for i in range(len(POSITION_BUCKETS) + 1)]


def strategy_features(turns: Sequence[Turn]) -> list[float]:
    """Strategy history and dialogue position as a fixed-length vector (see :func:`feature_names`).

    Counts use the whole history (cheap: one pass), so a 10,000-turn dialogue costs O(n) and
    no encoder time.
    """
    used = [t.strategy if t.strategy in INDEX else _NO_STRATEGY for t in turns if t.speaker == "supporter"]
    last1 = used[-1] if used else _NO_STRATEGY
    last2 = used[-2] if len(used) > 1 else _NO_STRATEGY
    known = [s for s in used if s != _NO_STRATEGY]
    shares = [known.count(name) / len(known) if known else 0.0 for name in NAMES]
    position = len(used)
    last_is_supporter = bool(turns) and turns[-1].speaker == "supporter"
    return [
        *_one_hot(last1, _HISTORY_SLOTS),
        *_one_hot(last2, _HISTORY_SLOTS),
        *shares,
        *_position_one_hot(position),
        math.log1p(position) / math.log1p(30.0),
        1.0 if last_is_supporter else 0.0,
        min(_run_length(turns, "supporter"), 4) / 4.0,
        min(_run_length(turns, "seeker"), 4) / 4.0,
        0.0 if turns else 1.0,
    ]
