"""Dialogue + planned strategy -> policy prompt. The single source for the runtime and for training.

Layout (ChatML, as SmolLM2-Instruct was trained)::

    <|im_start|>system\\n{system}<|im_end|>\\n
    <|im_start|>user\\n{seeker text}<|im_end|>\\n
    <|im_start|>assistant\\n[{strategy}] {supporter text}<|im_end|>\\n
    ...
    <|im_start|>assistant\\n[{planned strategy}]          <- the per-turn control comes last

Two properties matter:

* **Append-only.** Turn N+1's prompt starts with turn N's prompt plus the reply, so the backend
  reuses its KV cache for the whole conversation and only encodes the new turn.
* **User text is data.** A prompt is a list of :class:`Piece`; only the template markers are
  tokenised as control tokens. Whatever a seeker types, including ``<|im_start|>``, is tokenised as
  plain text and cannot open a new role.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from esc_edge.conversation import Turn

SYSTEM_PROMPT = (
    "You are a caring listener talking with someone who is going through a hard time. "
    "Reply warmly and briefly."
)

IM_START = "<|im_start|>"
IM_END = "<|im_end|>"

# tokenize(text, special) -> token ids; ``special`` says whether control tokens are parsed.
Tokenize = Callable[[str, bool], list[int]]


@dataclass(frozen=True)
class Piece:
    text: str
    special: bool = False


@dataclass(frozen=True)
class Block:
    role: str  # "system" | "user" | "assistant"
    content: str

    def pieces(self) -> list[Piece]:
        return [
            Piece(IM_START, True),
            Piece(f"{self.role}\n{self.content}"),
            Piece(IM_END, True),
            Piece("\n"),
        ]


@dataclass(frozen=True)
class Prompt:
    pieces: tuple[Piece, ...]
    n_history_blocks: int
    n_dropped_blocks: int

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    def tokens(self, tokenize: Tokenize) -> list[int]:
        return tokenize_pieces(self.pieces, tokenize)


def strategy_tag(strategy: str | None) -> str:
    return f"[{strategy}]" if strategy else ""


def supporter_content(text: str, strategy: str | None) -> str:
    tag = strategy_tag(strategy)
    return f"{tag} {text.strip()}" if tag else text.strip()


def history_blocks(turns: Sequence[Turn]) -> list[Block]:
    """Merge consecutive same-speaker turns; each supporter utterance keeps its own tag."""
    merged: list[list[str]] = []
    for turn in turns:
        role = "user" if turn.speaker == "seeker" else "assistant"
        content = supporter_content(turn.text, turn.strategy) if role == "assistant" else turn.text.strip()
        if merged and merged[-1][0] == role:
            merged[-1][1] += " " + content
        else:
            merged.append([role, content])
    return [Block(role, content) for role, content in merged]


def system_block(system: str = SYSTEM_PROMPT, situation: str | None = None) -> Block:
    content = system if not situation else f"{system}\nWhat they shared before the chat: {situation}"
    return Block("system", content)


def tail_pieces(strategy: str | None) -> list[Piece]:
    return [Piece(IM_START, True), Piece("assistant\n" + strategy_tag(strategy))]


def tokenize_pieces(pieces: Sequence[Piece], tokenize: Tokenize) -> list[int]:
    ids: list[int] = []
    for piece in pieces:
        ids.extend(tokenize(piece.text, piece.special))
    return ids


def _fit_last_block(block: Block, budget: int, count: Callable[[Block], int]) -> Block:
    """Cut an overlong last seeker message from the left: its end is what the reply answers."""
    content = block.content
    while content and count(Block(block.role, content)) > budget:
        content = content[max(1, len(content) // 10) :]
    return Block(block.role, content)


def render(
    turns: Sequence[Turn],
    strategy: str | None,
    tokenize: Tokenize,
    budget: int,
    *,
    system: str = SYSTEM_PROMPT,
    situation: str | None = None,
    keep_opening: bool = True,
    slack: float = 0.0,
) -> Prompt:
    """Render the prompt for the supporter turn after ``turns``, within ``budget`` tokens.

    Old blocks are dropped from the middle when the history does not fit; the system block, the
    opening seeker message (``keep_opening``) and the most recent blocks stay. ``slack`` (0..1)
    drops that share of the budget more than needed when trimming, so the next few turns keep the
    same prefix and the KV cache is reused instead of being rebuilt every turn.
    """
    head = [system_block(system, situation)]
    tail = tail_pieces(strategy)
    blocks = history_blocks(turns)
    cache: dict[Block, int] = {}

    def count(block: Block) -> int:
        if block not in cache:
            cache[block] = len(tokenize_pieces(block.pieces(), tokenize))
        return cache[block]

    fixed = sum(count(b) for b in head) + len(tokenize_pieces(tail, tokenize))
    opening: list[Block] = []
    if keep_opening and len(blocks) > 1 and blocks[0].role == "user":
        opening = [blocks[0]]
    rest = blocks[len(opening) :]

    total = fixed + sum(count(b) for b in opening) + sum(count(b) for b in rest)
    dropped = 0
    if total > budget:
        target = int(budget * (1.0 - slack))
        kept_recent: list[Block] = []
        used = fixed + sum(count(b) for b in opening)
        for block in reversed(rest):
            if used + count(block) > target:
                break
            kept_recent.append(block)
            used += count(block)
        kept_recent.reverse()
        if not kept_recent and rest:
            # Not even the last message fits beside the opening: drop the opening, then cut.
            opening = []
            kept_recent = [_fit_last_block(rest[-1], budget - fixed, count)]
        dropped = len(blocks) - len(opening) - len(kept_recent)
        rest = kept_recent

    pieces: list[Piece] = []
    for block in [*head, *opening, *rest]:
        pieces.extend(block.pieces())
    pieces.extend(tail)
    return Prompt(tuple(pieces), n_history_blocks=len(opening) + len(rest), n_dropped_blocks=dropped)


def reply_target(reply: str, strategy: str | None) -> str:
    """The text the model writes after the tail, so that tail + target == the history block."""
    return supporter_content(reply, strategy)[len(strategy_tag(strategy)) :]


def completed_reply_pieces(reply: str, strategy: str | None) -> list[Piece]:
    """What follows the tail once the reply is done: the training target and the KV continuation."""
    return [Piece(reply_target(reply, strategy)), Piece(IM_END, True), Piece("\n")]
