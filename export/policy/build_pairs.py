"""Preference pairs for the DPO step, from TRAIN contexts and the policy's own replies.

Two stages, so the slow one can run in shards (one per core) and resume:

``sample``: for each train turn, the prompt exactly as ``build_data.make_example`` renders it (the
runtime's ``render``, budget 320, the same situation dropout), then replies from the llama.cpp
runtime with the current adapter and the constraints on: ``--samples`` sampled ones, the greedy
one, and a greedy one under a *mismatched* strategy tag. Turns the SFT run trained on are skipped,
so the samples are what the policy does on contexts it has not memorised.

    python export/policy/build_pairs.py sample --data RUN/data --out RUN/dpo/samples.0.jsonl \\
        --cases 800 --shard 0 --shards 2

``pairs``: every candidate is scored against the human reply with the ESC-literature ROUGE-L
(the metric the issue's target is on), and each turn gives at most one pair of each kind:

- ``human``: chosen = the human reply itself (the SFT target), rejected = the farthest candidate;
- ``rank``: chosen = the candidate closest to the human reply, rejected = the farthest one;
- ``mismatch``: chosen = the closest candidate, rejected = the reply written under another strategy;
- ``formulaic``: chosen = the closest candidate without a stock phrase, rejected = one with one.

A pair needs a ROUGE-L gap of at least ``--min-gap`` (a smaller one is noise, not a preference).
Pairs are written as token ids (the prompt, then each reply's target + ``<|im_end|>``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `export.policy` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from esc_edge.generation.prompt import IM_END, Piece, Tokenize, reply_target, tokenize_pieces
from esc_edge.planner.strategies import NAMES
from export.policy.build_data import (
    PROMPT_BUDGET,
    SITUATION_RATE,
    Case,
    load_cases,
    make_example,
    read_examples,
)

SAMPLE_TEMPERATURE = 0.8
# ROUGE-L of the policy's own samples against the human reply spreads over ~0.05-0.15 per turn.
MIN_GAP = 0.05
KINDS = ("human", "rank", "mismatch", "formulaic")


@dataclass(frozen=True)
class Pair:
    kind: str
    prompt_ids: list[int]
    chosen_ids: list[int]
    rejected_ids: list[int]
    chosen: str
    rejected: str
    gap: float  # ROUGE-L(chosen) - ROUGE-L(rejected), 0..1
    dialogue_id: str
    turn_index: int


# -- which turns ---------------------------------------------------------------------------------
def train_cases(data_dir: Path, seed: int = 0) -> list[Case]:
    """The train cases in the order of ``build_data``'s train.jsonl (same load, same shuffle)."""
    cases = load_cases(data_dir / "train.jsonl")
    random.Random(seed).shuffle(cases)
    return cases


def sft_seen(train_jsonl: Path, steps: int, batch: int = 8, seed: int = 0) -> set[int]:
    """Indices of the train examples the SFT run's first ``steps`` batches used."""
    from export.policy.train import batch_plan

    lengths = [len(e.input_ids) for e in read_examples(train_jsonl)]
    return {i for b in batch_plan(len(lengths), lengths, batch, seed)[:steps] for i in b}


def mismatched(strategy: str, rng: random.Random) -> str:
    """Another strategy; a Question turn gets a non-question one and vice versa when possible."""
    others = [s for s in NAMES if s != strategy]
    if strategy == "Question":
        return rng.choice(others)
    return "Question" if rng.random() < 0.5 else rng.choice(others)


# -- sampling (llama.cpp runtime) -----------------------------------------------------------------
def sample_main(args: argparse.Namespace) -> int:
    from esc_edge.config import load_settings
    from esc_edge.eval.generation import PassThroughSafety
    from esc_edge.generation.base import CancelToken, TurnSpec
    from esc_edge.supporter import Supporter
    from export.policy.common import log

    cases = train_cases(args.data_dir, args.seed)
    seen = sft_seen(args.data / "train.jsonl", args.sft_steps) if args.sft_steps else set()
    order = [i for i in range(len(cases)) if i not in seen][: args.cases]
    mine = [i for k, i in enumerate(order) if k % args.shards == args.shard]
    done: set[int] = set()
    if args.out.exists():
        done = {json.loads(line)["index"] for line in args.out.open() if line.strip()}
    settings = load_settings(
        {"policy": args.policy, "n_ctx": args.n_ctx, "seed": args.seed, "planner": "none"}
    )
    log(f"shard {args.shard}/{args.shards}: {len(mine)} turns, {len(done)} done")
    with Supporter(settings, safety=PassThroughSafety()) as sup, args.out.open("a") as fh:
        tokenize = sup.generator.tokenize

        def reply(case: Case, strategy: str, temperature: float, seed: int) -> str:
            prompt = make_example(replace(case, strategy=strategy), tokenize, PROMPT_BUDGET, SITUATION_RATE)
            ids = prompt.input_ids[: prompt.n_prompt]
            spec = TurnSpec(
                strategy=strategy,
                prompt_length=len(ids),
                earlier_replies=tuple(t.text for t in case.context if t.speaker == "supporter"),
                seeker_text=" ".join(t.text for t in case.context if t.speaker == "seeker"),
                word_budget=sup.settings.word_budget,
                min_words=sup.settings.min_words,
            )
            options = replace(sup._decode_options(strategy), temperature=temperature, seed=seed)
            text = "".join(sup.generator.stream(ids, options, sup.constraints.processor(spec), CancelToken()))
            return str(sup.constraints.finalize(text, spec))

        for index in mine:
            if index in done:
                continue
            t0 = time.time()
            case = cases[index]
            rng = random.Random(f"{args.seed}:{index}")
            other = mismatched(case.strategy, rng)
            samples = [
                reply(case, case.strategy, args.temperature, 1000 * index + k) for k in range(args.samples)
            ]
            record = {
                "index": index,
                "dialogue_id": case.dialogue_id,
                "turn_index": case.turn_index,
                "strategy": case.strategy,
                "reference": case.first_message,
                "reference_turn": case.reply,
                "samples": samples,
                "greedy": reply(case, case.strategy, 0.0, 0),
                "mismatch": {"strategy": other, "text": reply(case, other, 0.0, 0)},
                "s": round(time.time() - t0, 2),
            }
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            log(f"{index}: {record['s']} s")
    return 0


# -- pairs -----------------------------------------------------------------------------------------
def closeness(candidate: str, reference: str) -> float:
    """ESC-literature ROUGE-L (lower-cased NLTK tokens, LCS F with beta 1.2), 0..1."""
    from esc_edge.eval.metrics import esc_tokens, rouge_l_beta

    return float(rouge_l_beta(esc_tokens(candidate), esc_tokens(reference)))


def is_formulaic(text: str, phrases: Sequence[str]) -> bool:
    flat = " ".join(text.lower().replace("\u2019", "'").split())
    return any(p in flat for p in phrases)


def select_pairs(
    record: dict[str, Any], phrases: Sequence[str], min_gap: float = MIN_GAP
) -> list[dict[str, Any]]:
    """The (kind, chosen, rejected, gap) preferences of one sampled turn; texts only."""
    reference = record["reference"]
    pool = list(dict.fromkeys([*record["samples"], record["greedy"]]))  # unique, in order
    pool = [c for c in pool if c.strip()]
    if not pool:
        return []
    score = {c: closeness(c, reference) for c in pool}
    ranked = sorted(pool, key=lambda c: -score[c])
    best, worst = ranked[0], ranked[-1]
    out: list[dict[str, Any]] = []

    def add(kind: str, chosen: str, rejected: str, rejected_score: float) -> None:
        gap = score[chosen] - rejected_score
        if chosen != rejected and gap >= min_gap:
            out.append({"kind": kind, "chosen": chosen, "rejected": rejected, "gap": round(gap, 4)})

    human = record["reference_turn"]
    if human.strip() and human not in score:
        score[human] = closeness(human, reference)
        add("human", human, worst, score[worst])
    add("rank", best, worst, score[worst])
    wrong = record["mismatch"]["text"]
    if wrong.strip() and wrong not in score:
        add("mismatch", best, wrong, closeness(wrong, reference))
    stock = [c for c in ranked if is_formulaic(c, phrases)]
    clean = [c for c in ranked if not is_formulaic(c, phrases)]
    if stock and clean:
        add("formulaic", clean[0], stock[-1], score[stock[-1]])
    return out


def tokenized_pair(
    case: Case, choice: dict[str, Any], tokenize: Tokenize, budget: int = PROMPT_BUDGET
) -> Pair:
    """Token ids in the SFT example's exact format: prompt, then target + ``<|im_end|>``."""
    prompt = make_example(case, tokenize, budget, SITUATION_RATE)

    def target(text: str) -> list[int]:
        return tokenize_pieces([Piece(reply_target(text, case.strategy)), Piece(IM_END, True)], tokenize)

    return Pair(
        kind=choice["kind"],
        prompt_ids=prompt.input_ids[: prompt.n_prompt],
        chosen_ids=target(choice["chosen"]),
        rejected_ids=target(choice["rejected"]),
        chosen=choice["chosen"],
        rejected=choice["rejected"],
        gap=choice["gap"],
        dialogue_id=case.dialogue_id,
        turn_index=case.turn_index,
    )


def stock_phrases() -> list[str]:
    from esc_edge.generation import constraints as C

    config = C.load_decoding()
    return [" ".join(w.decode() for w in p.words) for p in config.stock_phrases]


def pairs_main(args: argparse.Namespace) -> int:
    from export.policy.common import hf_tokenize, load_tokenizer, log

    tokenize = hf_tokenize(load_tokenizer(args.hf_base))
    cases = train_cases(args.data_dir, args.seed)
    phrases = stock_phrases()
    records = [json.loads(line) for path in args.samples_files for line in path.open() if line.strip()]
    records.sort(key=lambda r: r["index"])
    kinds: Counter[str] = Counter()
    pairs: list[Pair] = []
    for record in records:
        case = cases[record["index"]]
        for choice in select_pairs(record, phrases, args.min_gap):
            if choice["kind"] in args.kinds.split(","):
                pairs.append(tokenized_pair(case, choice, tokenize))
                kinds[choice["kind"]] += 1
    random.Random(args.seed).shuffle(pairs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for pair in pairs:
            fh.write(json.dumps(asdict(pair)) + "\n")
    stats = {"turns": len(records), "pairs": len(pairs), "kinds": dict(kinds)}
    (args.out.with_suffix(".stats.json")).write_text(json.dumps(stats, indent=2))
    log(f"{stats}")
    return 0


def read_pairs(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8") as fh:
        return [Pair(**json.loads(line)) for line in fh if line.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from export.policy.common import DEFAULT_DATA_DIR

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="stage", required=True)
    s = sub.add_parser("sample", help="candidate replies from the llama.cpp runtime")
    s.add_argument("--data", type=Path, required=True, help="build_data.py output (train.jsonl)")
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--cases", type=int, default=800, help="train turns over all shards")
    s.add_argument("--shard", type=int, default=0)
    s.add_argument("--shards", type=int, default=1)
    s.add_argument("--samples", type=int, default=4, help="sampled replies per turn")
    s.add_argument("--temperature", type=float, default=SAMPLE_TEMPERATURE)
    s.add_argument("--sft-steps", type=int, default=175, help="skip the turns SFT trained on")
    s.add_argument("--policy", default="esc-smollm2-135m", help="registry policy (its packaged adapter)")
    s.add_argument("--n-ctx", type=int, default=448)
    p = sub.add_parser("pairs", help="score the candidates and write tokenised pairs")
    p.add_argument("samples_files", type=Path, nargs="+")
    p.add_argument("--hf-base", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--min-gap", type=float, default=MIN_GAP)
    p.add_argument("--kinds", default=",".join(KINDS))
    for q in (s, p):
        q.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        q.add_argument("--seed", type=int, default=0)
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return sample_main(args) if args.stage == "sample" else pairs_main(args)


if __name__ == "__main__":
    sys.exit(main())
