"""ESConv -> policy SFT examples, rendered by the runtime's own prompt code.

One example per supporter *turn*: the supporter messages that directly follow a seeker message,
joined with a space (the runtime writes one reply per seeker message). The turn is conditioned on
the strategy of its first message, which is what the planner predicts at that point, and the tag
goes last in the prompt exactly as at run time (``prompt.render``), so the KV cache reuse holds.

Overlong turns are handled on purpose, never cut mid-sentence: a turn over ``max_words`` keeps its
leading whole messages that fit (``trimmed``); a turn whose *first* message alone is over the limit
is skipped (``skipped_long``). Loss is on the reply and its ``<|im_end|>`` only.

    python export/policy/build_data.py --hf-base RUN/hf_base --out RUN/data
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `export.policy` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from esc_edge.conversation import Turn
from esc_edge.generation.prompt import (
    IM_END,
    Piece,
    Tokenize,
    render,
    reply_target,
    tokenize_pieces,
)

IGNORE = -100
MAX_WORDS = 60
PROMPT_BUDGET = 320
SITUATION_RATE = 0.5


@dataclass(frozen=True)
class Case:
    """One supporter turn to learn: the context before it and the (joined) human reply."""

    dialogue_id: str
    turn_index: int  # index of the turn's first supporter message in the dialogue
    context: tuple[Turn, ...]
    situation: str | None
    emotion: str | None
    strategy: str
    reply: str
    first_message: str  # the single reference message, as in per-utterance ESC evaluation
    n_messages: int
    trimmed: bool


@dataclass(frozen=True)
class Example:
    input_ids: list[int]
    labels: list[int]
    n_prompt: int
    strategy: str
    with_situation: bool
    dialogue_id: str
    turn_index: int


def read_dialogues(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _turns(raw: Sequence[dict]) -> list[Turn]:
    return [Turn(t["speaker"], t["text"], t.get("strategy")) for t in raw]


def _join_within(messages: Sequence[Turn], max_words: int) -> tuple[list[Turn], bool]:
    """The leading whole messages whose words fit in ``max_words``; and whether any were left out."""
    kept: list[Turn] = []
    words = 0
    for message in messages:
        n = len(message.text.split())
        if words + n > max_words:
            return kept, True
        kept.append(message)
        words += n
    return kept, False


def dialogue_cases(
    dialogue: dict, max_words: int = MAX_WORDS, stats: Counter[str] | None = None
) -> list[Case]:
    """Every supporter turn that answers a seeker message, joined and length-checked."""
    turns = _turns(dialogue["turns"])
    stats = stats if stats is not None else Counter()
    cases: list[Case] = []
    i = 0
    while i < len(turns):
        if turns[i].speaker != "supporter" or i == 0 or turns[i - 1].speaker != "seeker":
            i += 1
            continue
        end = i
        while end < len(turns) and turns[end].speaker == "supporter":
            end += 1
        run = turns[i:end]
        kept, trimmed = _join_within(run, max_words)
        strategy = run[0].strategy
        if not kept:
            stats["skipped_long"] += 1
        elif not strategy:
            stats["skipped_no_strategy"] += 1
        else:
            stats["trimmed"] += int(trimmed)
            stats["joined"] += int(len(kept) > 1)
            cases.append(
                Case(
                    dialogue_id=dialogue.get("id", ""),
                    turn_index=i,
                    context=tuple(turns[:i]),
                    situation=dialogue.get("situation") or None,
                    emotion=dialogue.get("emotion_type") or None,
                    strategy=strategy,
                    reply=" ".join(" ".join(m.text.split()) for m in kept),
                    first_message=" ".join(run[0].text.split()),
                    n_messages=len(kept),
                    trimmed=trimmed,
                )
            )
        i = end
    return cases


def load_cases(path: Path, max_words: int = MAX_WORDS, stats: Counter[str] | None = None) -> list[Case]:
    out: list[Case] = []
    for dialogue in read_dialogues(path):
        out.extend(dialogue_cases(dialogue, max_words, stats))
    return out


def evenly_spaced(items: Sequence[Case], limit: int | None) -> list[Case]:
    """Every ⌊N/limit⌋-th item: the fixed evaluation sample (same rule as the de-risk)."""
    if not limit or limit >= len(items):
        return list(items)
    step = max(1, len(items) // limit)
    return list(items[::step][:limit])


def uses_situation(case: Case, rate: float) -> bool:
    """Situation dropout, deterministic per turn so a rebuild gives the same data."""
    if not case.situation or rate <= 0:
        return False
    digest = hashlib.sha1(f"{case.dialogue_id}:{case.turn_index}".encode()).digest()
    return digest[0] / 256.0 < rate


def target_pieces(case: Case) -> list[Piece]:
    """What the model learns to write after the prompt's tail: the reply, then ``<|im_end|>``."""
    return [Piece(reply_target(case.reply, case.strategy)), Piece(IM_END, True)]


def make_example(
    case: Case,
    tokenize: Tokenize,
    budget: int = PROMPT_BUDGET,
    situation_rate: float = SITUATION_RATE,
) -> Example:
    with_situation = uses_situation(case, situation_rate)
    prompt = render(
        case.context,
        case.strategy,
        tokenize,
        budget,
        situation=case.situation if with_situation else None,
    )
    prompt_ids = prompt.tokens(tokenize)
    target_ids = tokenize_pieces(target_pieces(case), tokenize)
    return Example(
        input_ids=prompt_ids + target_ids,
        labels=[IGNORE] * len(prompt_ids) + target_ids,
        n_prompt=len(prompt_ids),
        strategy=case.strategy,
        with_situation=with_situation,
        dialogue_id=case.dialogue_id,
        turn_index=case.turn_index,
    )


def write_examples(path: Path, examples: Iterable[Example]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for example in examples:
            fh.write(json.dumps(asdict(example)) + "\n")
            n += 1
    return n


def read_examples(path: Path) -> list[Example]:
    with path.open(encoding="utf-8") as fh:
        return [Example(**json.loads(line)) for line in fh if line.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from export.policy.common import DEFAULT_DATA_DIR

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--hf-base", type=Path, required=True, help="HF base dir from train.py/common")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--budget", type=int, default=PROMPT_BUDGET, help="prompt tokens, tag included")
    ap.add_argument("--max-words", type=int, default=MAX_WORDS)
    ap.add_argument("--situation-rate", type=float, default=SITUATION_RATE)
    ap.add_argument("--valid-limit", type=int, default=200, help="evenly spaced valid turns")
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from export.policy.common import hf_tokenize, load_tokenizer, log

    args = parse_args(argv)
    tokenize = hf_tokenize(load_tokenizer(args.hf_base))
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {
        "budget": args.budget,
        "max_words": args.max_words,
        "situation_rate": args.situation_rate,
        "seed": args.seed,
    }
    for split, limit in (("train", None), ("valid", args.valid_limit)):
        stats: Counter[str] = Counter()
        cases = load_cases(args.data_dir / f"{split}.jsonl", args.max_words, stats)
        stats["cases"] = len(cases)
        if split == "train":
            random.Random(args.seed).shuffle(cases)  # the run reads a prefix: make it random
        else:
            cases = evenly_spaced(cases, limit)
        examples = [make_example(c, tokenize, args.budget, args.situation_rate) for c in cases]
        write_examples(args.out / f"{split}.jsonl", examples)
        lengths = sorted(len(e.input_ids) for e in examples)
        stats["examples"] = len(examples)
        stats["max_len"] = lengths[-1]
        stats["mean_len_x10"] = round(10 * sum(lengths) / len(lengths))
        stats["mean_reply_tokens_x10"] = round(
            10 * sum(len(e.input_ids) - e.n_prompt for e in examples) / len(examples)
        )
        report[split] = dict(stats)
        log(f"{split}: {dict(stats)}")
    (args.out / "stats.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
