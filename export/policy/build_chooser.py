"""Data for the learned reply chooser: candidates from the runtime path, labelled by the human reply.

``sample``: for each turn, the prompt exactly as ``Supporter`` renders it at run time (its
``turn_inputs``: the runtime's n_ctx budget, no situation, the gold strategy tag last), then the
greedy reply and ``--samples`` sampled ones from the llama.cpp runtime with the packaged adapter and
the constraints on, each with the policy's log-probability of what it wrote. TRAIN turns are ones
the SFT run did not see (the first ``--sft-steps`` batches are skipped, as in ``build_pairs``),
taken from whole dialogues in order so consecutive prompts share a KV-cache prefix; VALID turns are
the evenly spaced ones ``esc-edge eval generation --limit N`` scores. Resumable, one JSON per turn.

    python export/policy/build_chooser.py sample --split train --cases 320 --out RUN/train.jsonl
    python export/policy/build_chooser.py sample --split valid --cases 100 --out RUN/valid.jsonl

Fitting and evaluating the ranker on these files is ``fit_chooser.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `export.policy` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from esc_edge.conversation import Turn

SAMPLE_TEMPERATURE = 0.7


def _turns(turns: Sequence[Turn]) -> list[list[str]]:
    return [[t.speaker, t.text] for t in turns]


def train_turns(args: argparse.Namespace, tokenize: Any) -> list[dict[str, Any]]:
    """Unseen train turns: whole dialogues in a seeded order, every ``--stride``-th unseen turn."""
    from export.policy.build_data import PROMPT_BUDGET, SITUATION_RATE, make_example
    from export.policy.build_pairs import train_cases
    from export.policy.common import log
    from export.policy.train import batch_plan

    cases = train_cases(args.data_dir, args.seed)
    t0 = time.time()
    lengths = [len(make_example(c, tokenize, PROMPT_BUDGET, SITUATION_RATE).input_ids) for c in cases]
    seen = {i for b in batch_plan(len(lengths), lengths, 8, args.seed)[: args.sft_steps] for i in b}
    log(f"{len(cases)} train cases, {len(seen)} seen by SFT ({time.time() - t0:.0f} s to rebuild lengths)")
    by_dialogue: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        if i not in seen:
            by_dialogue.setdefault(case.dialogue_id, []).append(i)
    dialogues = sorted(by_dialogue)
    random.Random(f"chooser:{args.seed}").shuffle(dialogues)
    out: list[dict[str, Any]] = []
    for dialogue in dialogues:
        indices = sorted(by_dialogue[dialogue], key=lambda i: cases[i].turn_index)
        for i in indices[:: args.stride]:
            case = cases[i]
            out.append(
                {
                    "index": i,
                    "dialogue_id": case.dialogue_id,
                    "turn_index": case.turn_index,
                    "context": case.context,
                    "strategy": case.strategy,
                    "reference": case.first_message,
                    "reference_turn": case.reply,
                }
            )
    return out


def valid_turns(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The turns ``esc-edge eval generation --data valid.jsonl --limit N`` evaluates."""
    from esc_edge.eval.dialogues import read_jsonl
    from esc_edge.eval.generation import evenly_spaced_cases

    cases = evenly_spaced_cases(read_jsonl(args.data_dir / f"{args.split}.jsonl"), args.cases)
    return [
        {
            "index": i,
            "dialogue_id": c.dialogue_id,
            "turn_index": len(c.context),
            "context": c.context,
            "strategy": c.strategy,
            "reference": c.reference,
            "reference_turn": c.reference_turn,
        }
        for i, c in enumerate(cases)
    ]


def sample_main(args: argparse.Namespace) -> int:
    from esc_edge.config import load_settings
    from esc_edge.conversation import Conversation
    from esc_edge.eval.generation import PassThroughSafety
    from esc_edge.generation.base import CancelToken, GenerationStats
    from esc_edge.supporter import Supporter
    from esc_edge.text import clean
    from export.policy.common import log

    settings = load_settings(
        {"policy": args.policy, "n_ctx": args.n_ctx, "seed": args.seed, "planner": "none"}
    )
    done: set[int] = set()
    if args.out.exists():
        done = {json.loads(line)["index"] for line in args.out.open() if line.strip()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + 60 * args.max_minutes if args.max_minutes else None
    with Supporter(settings, safety=PassThroughSafety()) as sup, args.out.open("a") as fh:
        turns = train_turns(args, sup.generator.tokenize) if args.split == "train" else valid_turns(args)
        turns = turns[: args.cases]
        log(f"{args.split}: {len(turns)} turns, {len(done)} done")
        base = sup._decode_options(None)
        for turn in turns:
            if turn["index"] in done:
                continue
            if deadline is not None and time.time() > deadline:
                log("time limit reached")
                break
            t0 = time.time()
            context: tuple[Turn, ...] = turn["context"]
            draft = Conversation(turns=list(context[:-1]))
            draft.add_seeker(clean(context[-1].text, sup.settings.max_message_chars))
            prompt, spec = sup.turn_inputs(draft, turn["strategy"])
            candidates = []
            for k in range(args.samples + 1):
                greedy = k == 0
                options = replace(
                    sup._decode_options(turn["strategy"]),
                    temperature=0.0 if greedy else args.temperature,
                    seed=base.seed + k if base.seed is not None else k,
                    logprobs=True,
                )
                stats = GenerationStats()
                started = time.perf_counter()
                raw = "".join(
                    sup.generator.stream(
                        prompt, options, sup.constraints.processor(spec), CancelToken(), stats
                    )
                )
                candidates.append(
                    {
                        "text": sup.constraints.finalize(raw, spec),
                        "greedy": greedy,
                        "temperature": options.temperature,
                        "logprob": round(stats.logprob or 0.0, 4),
                        "logprob_tokens": stats.logprob_tokens,
                        "tokens": stats.completion_tokens,
                        "finish": stats.finish_reason,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                )
            record = {
                "index": turn["index"],
                "dialogue_id": turn["dialogue_id"],
                "turn_index": turn["turn_index"],
                "strategy": turn["strategy"],
                "turns": _turns(draft.turns[-args.keep_turns :]),
                "prompt_tokens": len(prompt),
                "reference": turn["reference"],
                "reference_turn": turn["reference_turn"],
                "candidates": candidates,
                "s": round(time.time() - t0, 2),
            }
            fh.write(json.dumps(record) + "\n")
            fh.flush()
            log(f"{turn['index']}: {record['s']} s, prompt {len(prompt)}")
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from export.policy.common import DEFAULT_DATA_DIR

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="stage", required=True)
    s = sub.add_parser("sample", help="candidate replies from the llama.cpp runtime")
    s.add_argument("--split", choices=["train", "valid", "test"], default="train")
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--cases", type=int, default=320)
    s.add_argument("--samples", type=int, default=7, help="sampled replies per turn, besides the greedy one")
    s.add_argument("--temperature", type=float, default=SAMPLE_TEMPERATURE)
    s.add_argument("--stride", type=int, default=2, help="train: every n-th unseen turn of a dialogue")
    s.add_argument("--sft-steps", type=int, default=175, help="train: skip the turns SFT trained on")
    s.add_argument("--keep-turns", type=int, default=6, help="recent turns stored for the features")
    s.add_argument("--policy", default="esc-smollm2-135m")
    s.add_argument("--n-ctx", type=int, default=2048)
    s.add_argument("--max-minutes", type=float, default=0.0)
    s.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    s.add_argument("--seed", type=int, default=0)
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.split == "test":
        raise SystemExit("test is scored once, through `esc-edge eval generation`, never sampled here")
    return sample_main(args)


if __name__ == "__main__":
    sys.exit(main())
