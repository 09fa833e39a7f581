"""Reply statistics of the policy with and without the constraint layer, on ESConv contexts.

Contexts are conversation rollouts: dialogues evenly spaced over the split, each replayed in
order. The seeker turns are the human ones; at every supporter move (a supporter turn right after
a seeker turn) the policy writes the reply with the gold strategy tag, and *its own* reply, not the
human one, goes into the history the later turns see (the rest of a multi-message supporter run is
replaced with it; an opening greeting before the first seeker turn stays). So "an opener the
supporter already used" means one the model itself wrote earlier in the same conversation, as in
deployment. Both modes (constrained, unconstrained) replay the same dialogues with the same
prompts renderer, sampling settings (decoding.yaml per strategy) and seed; unconstrained means no
logits processor and a plain strip() of the text.

Reported per mode: replies over the word budget, with more than one "?", over the strategy's
question cap, role breaks, template leaks, links/e-mails/phone numbers, replies not ending at a
sentence boundary, mean words, Distinct-1/2, the repeated-opener share (below), stock-phrase and
"I'm so sorry" rates, and strategy adherence: a TF-IDF + logistic-regression reply->strategy
classifier trained on the train split's supporter utterances labels every reply; adherence is
the share labelled with the requested strategy, beside the classifier's accuracy on the human
test replies.

Repeated opener: the first three words of a reply (lower-cased, curly apostrophes straightened,
punctuation stripped from word edges) equal the first three words of an earlier reply the model
wrote in the same rollout. The share is over replies that have at least one such earlier reply.

Overhead: decode tokens/s with the constraint processor vs without, in one run, on the same
prompts, greedy, the KV cache reset before every run, order alternated. The processor runs in
shadow (it computes everything on a copy of the logits and the backend samples from the original)
so both runs decode identical tokens and only the processor's cost differs.

    python bench/reply_stats.py [--model PATH] [--lora PATH] [--split test] [--limit 200]

Writes bench/results/reply_stats.json and reply_stats.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import RESULTS, machine, write_result
from esc_edge.config import Settings
from esc_edge.conversation import Turn
from esc_edge.generation import constraints as C
from esc_edge.generation.base import (
    CancelToken,
    Constraints,
    DecodeOptions,
    GenerationStats,
    GeneratorOptions,
    Logits,
    LogitsProcessor,
    NoConstraints,
    TokenIds,
    TurnSpec,
)
from esc_edge.generation.llama import LlamaGenerator
from esc_edge.generation.prompt import render
from esc_edge.planner import strategies

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "esconv"
REPLY_RESERVE_TOKENS = 128  # as the Supporter: room for the reply in the context
TRIM_SLACK = 0.25

ROLE_BREAK = re.compile(
    r"(^|\s)(seeker|user|supporter|assistant|human|system|therapist|counsel+or|listener)\s*:",
    re.IGNORECASE,
)
# Chat-template tokens as text, a bracketed tag ("[Question]", and the "[Bold] [Dash]" runs the
# untuned model writes after a tag) or markdown markup.
TEMPLATE_LEAK = re.compile(
    r"<\||\|>|im_start|im_end|endoftext|</?s>|\[[^\]\s][^\]]{0,40}\]|\*\*|^#|\n#", re.IGNORECASE
)
CONTACT = re.compile(
    r"https?://|www\.|\b[\w.-]+\.(com|org|net|io)\b|\S+@\S+\.\w+|(\d[\s().-]*){7,}", re.IGNORECASE
)
# A trailing ellipsis ("going to...") is not a finished sentence.
SENTENCE_END = re.compile(r"(?:[!?]|(?<!\.)\.)[\"'”’)]*$")


# =============================================================================================
# Data
# =============================================================================================


@dataclass(frozen=True)
class Move:
    """One supporter move to generate: the turn index in its dialogue, the gold strategy."""

    dialogue: int
    index: int
    strategy: str
    human: str


def read_split(data: Path, split: str) -> list[list[dict[str, Any]]]:
    path = data / f"{split}.jsonl"
    if not path.is_file():
        sys.exit(f"ESConv split not found: {path} (pass --data DIR)")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["turns"] for line in fh if line.strip()]


def moves_of(turns: Sequence[dict[str, Any]], dialogue: int) -> list[Move]:
    return [
        Move(dialogue, i, turns[i]["strategy"], turns[i]["text"])
        for i in range(1, len(turns))
        if turns[i]["speaker"] == "supporter"
        and turns[i - 1]["speaker"] == "seeker"
        and turns[i].get("strategy")
    ]


def pick_dialogues(dialogues: Sequence[Sequence[dict[str, Any]]], limit: int) -> list[int]:
    """Evenly spaced dialogues whose moves add up to at least ``limit``."""
    per_dialogue = statistics.mean(len(moves_of(d, 0)) for d in dialogues)
    needed = max(1, int(np.ceil(limit / per_dialogue)))
    stride = max(1, len(dialogues) // needed)
    picked: list[int] = []
    total = 0
    for start in range(stride):
        for index in range(start, len(dialogues), stride):
            if total >= limit:
                return picked
            if index not in picked:
                picked.append(index)
                total += len(moves_of(dialogues[index], index))
    return picked


# =============================================================================================
# Generation
# =============================================================================================


class TimedProcessor:
    """Wraps a processor to time it; in shadow mode the backend samples from the raw logits."""

    def __init__(self, inner: LogitsProcessor, shadow: bool = False) -> None:
        self.inner = inner
        self.shadow = shadow
        self.calls = 0
        self.seconds = 0.0

    def __call__(self, input_ids: TokenIds, scores: Logits) -> Logits:
        work = np.array(scores) if self.shadow else scores
        started = time.perf_counter()
        result = self.inner(input_ids, work)
        self.seconds += time.perf_counter() - started
        self.calls += 1
        return scores if self.shadow else result


@dataclass
class Record:
    mode: str
    dialogue: int
    index: int
    strategy: str
    reply: str
    raw: str
    completion_tokens: int
    prompt_tokens: int
    reused_tokens: int
    ttft_ms: float
    total_ms: float
    finish: str
    processor_calls: int = 0
    processor_s: float = 0.0
    human: str = field(default="", repr=False)


class Runner:
    def __init__(self, gen: LlamaGenerator, settings: Settings, constraints: Constraints) -> None:
        self.gen = gen
        self.settings = settings
        self.constraints = constraints
        self.budget = gen.n_ctx - REPLY_RESERVE_TOKENS
        self.prompts: list[tuple[list[int], TurnSpec]] = []  # constrained prompts, for the speed A/B

    def spec(self, history: Sequence[Turn], strategy: str, prompt_length: int) -> TurnSpec:
        return TurnSpec(
            strategy=strategy,
            prompt_length=prompt_length,
            earlier_replies=tuple(t.text for t in history if t.speaker == "supporter"),
            seeker_text=" ".join(t.text for t in history if t.speaker == "seeker"),
            word_budget=self.settings.word_budget,
            min_words=self.settings.min_words,
        )

    def reply(self, history: Sequence[Turn], move: Move, mode: str) -> Record:
        tokens = render(history, move.strategy, self.gen.tokenize, self.budget, slack=TRIM_SLACK)
        prompt = tokens.tokens(self.gen.tokenize)
        spec = self.spec(history, move.strategy, len(prompt))
        constrained = mode == "constrained"
        layer = self.constraints if constrained else NoConstraints()
        inner = layer.processor(spec)
        processor = TimedProcessor(inner) if inner is not None else None
        if constrained:
            self.prompts.append((prompt, spec))
        stats = GenerationStats()
        options = C.decode_options(self.settings, move.strategy)
        raw = "".join(self.gen.stream(prompt, options, processor, CancelToken(), stats))
        return Record(
            mode=mode,
            dialogue=move.dialogue,
            index=move.index,
            strategy=move.strategy,
            reply=layer.finalize(raw, spec),
            raw=raw,
            completion_tokens=stats.completion_tokens,
            prompt_tokens=stats.prompt_tokens,
            reused_tokens=stats.reused_tokens,
            ttft_ms=stats.ttft_ms,
            total_ms=stats.total_ms,
            finish=stats.finish_reason,
            processor_calls=processor.calls if processor else 0,
            processor_s=processor.seconds if processor else 0.0,
            human=move.human,
        )

    def rollout(
        self, turns: Sequence[dict[str, Any]], dialogue: int, mode: str, left: int
    ) -> Iterator[Record]:
        """Replay one dialogue; the model's replies replace the supporter's moves in the history."""
        moves = {m.index: m for m in moves_of(turns, dialogue)}
        history: list[Turn] = []
        replaced_run = False
        for i, turn in enumerate(turns):
            if turn["speaker"] == "seeker":
                history.append(Turn("seeker", turn["text"]))
                replaced_run = False
            elif i in moves:
                if left <= 0:
                    return
                record = self.reply(history, moves[i], mode)
                left -= 1
                yield record
                history.append(Turn("supporter", record.reply, record.strategy))
                replaced_run = True
            elif not replaced_run:
                history.append(Turn("supporter", turn["text"], turn.get("strategy")))


def speed_ab(runner: Runner, n_contexts: int, n_tokens: int) -> dict[str, Any]:
    """Decode tokens/s without vs with the (shadow) processor on the same prompts, alternated."""
    totals = {"without": [0, 0.0], "with": [0, 0.0]}
    processor_s, processor_calls = 0.0, 0
    options = DecodeOptions(temperature=0.0, top_k=1, max_tokens=n_tokens)
    for k, (prompt, spec) in enumerate(runner.prompts[:n_contexts]):
        order = ("without", "with") if k % 2 == 0 else ("with", "without")
        for arm in order:
            inner = runner.constraints.processor(spec) if arm == "with" else None
            shadow = TimedProcessor(inner, shadow=True) if inner is not None else None
            runner.gen.reset()
            stats = GenerationStats()
            for _ in runner.gen.stream(prompt, options, shadow, CancelToken(), stats):
                pass
            decode_s = max(0.0, (stats.total_ms - stats.ttft_ms) / 1000)
            totals[arm][0] += max(0, stats.completion_tokens - 1)
            totals[arm][1] += decode_s
            if shadow is not None:
                processor_s += shadow.seconds
                processor_calls += shadow.calls
    rate = {arm: (t / s if s else 0.0) for arm, (t, s) in totals.items()}
    return {
        "contexts": min(n_contexts, len(runner.prompts)),
        "max_tokens": n_tokens,
        "decode_tokens": {arm: int(t) for arm, (t, _) in totals.items()},
        "decode_tok_s_without": round(rate["without"], 2),
        "decode_tok_s_with": round(rate["with"], 2),
        "ratio_with_over_without": round(rate["with"] / rate["without"], 4) if rate["without"] else None,
        "processor_us_per_token": round(processor_s / processor_calls * 1e6, 1) if processor_calls else None,
    }


# =============================================================================================
# Statistics
# =============================================================================================


def words_of(text: str) -> list[str]:
    words = (w.strip(".,!?;:\"()-'") for w in text.lower().replace("’", "'").split())
    return [w for w in words if w]


def distinct(replies: Sequence[str], n: int) -> float:
    grams = [tuple(t[i : i + n]) for r in replies for t in [r.lower().split()] for i in range(len(t) - n + 1)]
    return 100.0 * len(set(grams)) / len(grams) if grams else 0.0


def repeated_openers(records: Sequence[Record]) -> tuple[int, int]:
    """(replies whose 3-word opener repeats an earlier one of their rollout, replies with an earlier one)."""
    seen: dict[int, set[tuple[str, ...]]] = collections.defaultdict(set)
    repeated = eligible = 0
    for r in sorted(records, key=lambda r: (r.dialogue, r.index)):
        opener = tuple(words_of(r.reply)[:3])
        if seen[r.dialogue]:
            eligible += 1
            repeated += opener in seen[r.dialogue]
        seen[r.dialogue].add(opener)
    return repeated, eligible


def contains_phrase(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == tuple(phrase) for i in range(len(words) - n + 1))


def mode_stats(records: Sequence[Record], settings: Settings, config: C.DecodingConfig) -> dict[str, Any]:
    replies = [r.reply for r in records]
    counts = [len(r.split()) for r in replies]
    questions = [r.count("?") for r in replies]
    caps = [config.for_strategy(r.strategy).max_questions for r in records]
    phrases = [tuple(w.decode() for w in p.words) for p in config.stock_phrases]
    openers = collections.Counter(" ".join(words_of(r)[:3]) for r in replies)
    repeated, eligible = repeated_openers(records)
    is_question = [r.strategy == "Question" for r in records]
    decode_tokens = sum(max(0, r.completion_tokens - 1) for r in records)
    decode_s = sum(max(0.0, (r.total_ms - r.ttft_ms) / 1000) for r in records)
    calls = sum(r.processor_calls for r in records)
    return {
        "replies": len(records),
        "over_budget": sum(c > settings.word_budget for c in counts),
        "more_than_one_question": sum(q > 1 for q in questions),
        "over_strategy_question_cap": sum(q > cap for q, cap in zip(questions, caps, strict=True)),
        "role_breaks": sum(bool(ROLE_BREAK.search(r)) for r in replies),
        "template_leaks": sum(bool(TEMPLATE_LEAK.search(r)) for r in replies),
        "links_emails_phones": sum(bool(CONTACT.search(r)) for r in replies),
        "newlines": sum("\n" in r for r in replies),
        "not_ending_a_sentence": sum(not SENTENCE_END.search(r.strip()) for r in replies),
        "empty": sum(not r.strip() for r in replies),
        "under_min_words": sum(c < settings.min_words for c in counts),
        "mean_words": round(statistics.mean(counts), 2) if counts else 0.0,
        "median_words": statistics.median(counts) if counts else 0,
        "max_words": max(counts, default=0),
        "distinct_1": round(distinct(replies, 1), 2),
        "distinct_2": round(distinct(replies, 2), 2),
        "repeated_opener_share": round(repeated / eligible, 4) if eligible else None,
        "repeated_openers": repeated,
        "replies_with_an_earlier_reply": eligible,
        "top_openers": [[o, round(n / len(replies), 4)] for o, n in openers.most_common(5)],
        "im_so_sorry_share": round(
            sum(tuple(words_of(r)[:3]) in {("i'm", "so", "sorry"), ("i", "am", "so")} for r in replies)
            / max(1, len(replies)),
            4,
        ),
        "stock_phrase_share": round(
            sum(any(contains_phrase(words_of(r), p) for p in phrases) for r in replies)
            / max(1, len(replies)),
            4,
        ),
        "stock_phrase_counts": dict(
            collections.Counter(
                " ".join(p) for r in replies for p in phrases if contains_phrase(words_of(r), p)
            ).most_common(10)
        ),
        "question_mark_share": {
            "Question": _share([q > 0 for q, f in zip(questions, is_question, strict=True) if f]),
            "other_strategies": _share([q > 0 for q, f in zip(questions, is_question, strict=True) if not f]),
        },
        "finish_reasons": dict(collections.Counter(r.finish for r in records)),
        "completion_tokens_mean": round(statistics.mean(r.completion_tokens for r in records), 2),
        "decode_tok_s": round(decode_tokens / decode_s, 2) if decode_s else None,
        "ttft_ms_median": round(statistics.median(r.ttft_ms for r in records), 1),
        "reused_prompt_share": round(
            sum(r.reused_tokens for r in records) / max(1, sum(r.prompt_tokens for r in records)), 4
        ),
        "processor_us_per_token": round(sum(r.processor_s for r in records) / calls * 1e6, 1)
        if calls
        else None,
    }


# The targets, checked on the constrained mode (and the overhead run).
MIN_CONTEXTS = 200
MAX_REPEATED_OPENER_SHARE = 0.10
MIN_SPEED_RATIO = 0.9


def targets(result: dict[str, Any]) -> dict[str, bool | None]:
    c = result["modes"].get("constrained")
    if c is None:
        return {}
    ratio = result["speed"].get("ratio_with_over_without")
    opener = c["repeated_opener_share"]
    return {
        f"at_least_{MIN_CONTEXTS}_contexts": c["replies"] >= MIN_CONTEXTS,
        "none_over_the_word_budget": c["over_budget"] == 0,
        "none_with_more_than_one_question": c["more_than_one_question"] == 0,
        "no_role_breaks_or_template_leaks": c["role_breaks"] + c["template_leaks"] == 0,
        f"repeated_opener_share_at_most_{MAX_REPEATED_OPENER_SHARE}": None
        if opener is None
        else opener <= MAX_REPEATED_OPENER_SHARE,
        f"decode_speed_ratio_at_least_{MIN_SPEED_RATIO}": None if ratio is None else ratio >= MIN_SPEED_RATIO,
    }


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


# =============================================================================================
# Strategy adherence
# =============================================================================================


def supporter_utterances(dialogues: Sequence[Sequence[dict[str, Any]]]) -> tuple[list[str], list[str]]:
    pairs = [
        (t["text"], t["strategy"])
        for d in dialogues
        for t in d
        if t["speaker"] == "supporter" and t.get("strategy")
    ]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def train_classifier(data: Path) -> Any:
    """TF-IDF word 1-2-grams + logistic regression, on the train split's supporter utterances."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, labels = supporter_utterances(read_split(data, "train"))
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=4.0, max_iter=3000),
    )
    model.fit(texts, labels)
    return model


def adherence(model: Any, records: Sequence[Record]) -> dict[str, Any]:
    predicted = model.predict([r.reply for r in records]) if records else []
    match = [p == r.strategy for p, r in zip(predicted, records, strict=True)]
    per_strategy = {
        name: _share([m for m, r in zip(match, records, strict=True) if r.strategy == name])
        for name in strategies.NAMES
    }
    return {"share_matching_requested": _share(match), "per_strategy": per_strategy}


def classifier_report(model: Any, data: Path, split: str, records: Sequence[Record]) -> dict[str, Any]:
    texts, labels = supporter_utterances(read_split(data, split))
    accuracy = float(np.mean(model.predict(texts) == np.array(labels)))
    humans = [r for r in records if r.mode == "constrained"]
    on_contexts = float(
        np.mean(model.predict([r.human for r in humans]) == np.array([r.strategy for r in humans]))
    )
    return {
        "model": "TF-IDF word 1-2-grams (min_df 2, sublinear tf) + logistic regression (C=4), "
        "on the train split's supporter utterances",
        f"accuracy_on_all_{split}_human_replies": round(accuracy, 4),
        f"{split}_human_replies": len(texts),
        "accuracy_on_the_human_replies_of_these_contexts": round(on_contexts, 4),
        "majority_class_share": round(collections.Counter(labels).most_common(1)[0][1] / len(labels), 4),
    }


# =============================================================================================
# Main
# =============================================================================================


def settings_from(args: argparse.Namespace) -> Settings:
    decoding: dict[str, Any] = {}
    if args.decoding:
        import yaml

        loaded = yaml.safe_load(args.decoding.read_text()) or {}
        section = loaded.get("decoding", loaded)
        decoding = dict(section) if isinstance(section, dict) else {}
    return Settings(word_budget=args.word_budget, min_words=args.min_words, seed=args.seed, decoding=decoding)


def default_policy(settings: Settings) -> tuple[Path, Path | None, str]:
    """The registry's default policy (base GGUF + LoRA when the default is an adapter), pulled."""
    from esc_edge._components import Components
    from esc_edge.runtime import select_runtime

    files = Components(settings, select_runtime("cpu"), pull=True).policy_files()
    return files.model, files.lora, files.name


def markdown(result: dict[str, Any], name: str) -> str:
    modes = result["modes"]
    rows = [
        ("replies", "replies"),
        ("over the word budget", "over_budget"),
        ('more than one "?"', "more_than_one_question"),
        ("over the strategy's question cap", "over_strategy_question_cap"),
        ("role breaks", "role_breaks"),
        ("template leaks", "template_leaks"),
        ("links / e-mails / phone numbers", "links_emails_phones"),
        ("not ending at a sentence boundary", "not_ending_a_sentence"),
        ("mean words", "mean_words"),
        ("Distinct-1", "distinct_1"),
        ("Distinct-2", "distinct_2"),
        ("repeated-opener share", "repeated_opener_share"),
        ('"I\'m so sorry" opener share', "im_so_sorry_share"),
        ("stock-phrase share", "stock_phrase_share"),
        ("decode tok/s (natural run)", "decode_tok_s"),
    ]
    lines = [
        f"# Reply statistics ({result['split']}, {result['contexts']['replies']} contexts,"
        f" {result['model_name']})",
        "",
        "| | constrained | unconstrained |",
        "|---|---:|---:|",
    ]
    for label, key in rows:
        lines.append(f"| {label} | {modes['constrained'].get(key)} | {modes['unconstrained'].get(key)} |")
    adherence = {m: result["adherence"][m]["share_matching_requested"] for m in modes}
    lines.append(f"| strategy adherence | {adherence['constrained']} | {adherence['unconstrained']} |")
    cls = result["classifier"]
    speed = result["speed"]
    split = result["split"]
    on_all = cls[f"accuracy_on_all_{split}_human_replies"]
    on_these = cls["accuracy_on_the_human_replies_of_these_contexts"]
    with_, without = speed.get("decode_tok_s_with"), speed.get("decode_tok_s_without")
    lines += [
        "",
        f"Classifier accuracy on the human {split} replies: {on_all} (on these contexts' human replies:"
        f" {on_these}).",
        "",
        "Overhead (same prompts, greedy, shadow processor, order alternated, cache reset):"
        f" decode {with_} tok/s with vs {without} without, ratio **{speed.get('ratio_with_over_without')}**;"
        f" processor {speed.get('processor_us_per_token')} µs/token.",
        "",
        "Targets (constrained): "
        + ", ".join(
            f"{k} {'met' if v else 'MISSED' if v is False else 'n/a'}" for k, v in result["targets"].items()
        )
        + ".",
        "",
        f"Wall time {result['wall_s']} s. Everything else: {name}.json; method: docs/decoding.md.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="policy GGUF (default: the registry's default policy, with its adapter)",
    )
    parser.add_argument("--lora", type=Path, default=None, help="LoRA GGUF applied to --model")
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with ESConv {train,valid,test}.jsonl"
    )
    parser.add_argument("--split", default="test", choices=("valid", "test"))
    parser.add_argument("--limit", type=int, default=200, help="supporter moves to generate per mode")
    parser.add_argument("--word-budget", type=int, default=30)
    parser.add_argument("--min-words", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--decoding", type=Path, default=None, help="YAML with a decoding: section (overrides)"
    )
    parser.add_argument("--modes", default="constrained,unconstrained")
    parser.add_argument("--speed-contexts", type=int, default=40)
    parser.add_argument("--speed-tokens", type=int, default=48)
    parser.add_argument("--name", default="reply_stats", help="result file name (no suffix)")
    parser.add_argument("--out-dir", type=Path, default=RESULTS, help="where the JSON and Markdown go")
    parser.add_argument(
        "--dump", type=Path, default=None, help="also write every reply (with the human one) here"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    settings = settings_from(args)
    config = C.load_decoding(settings.decoding)
    if args.model is not None:
        model, lora, policy_name = args.model, args.lora, args.model.name
    else:
        model, lora, policy_name = default_policy(settings)
        lora = args.lora or lora
    dialogues = read_split(args.data, args.split)
    picked = pick_dialogues(dialogues, args.limit)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    classifier = train_classifier(args.data)
    options = GeneratorOptions(
        model_path=model,
        lora_path=lora,
        n_ctx=2048,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        seed=args.seed,
    )
    records: dict[str, list[Record]] = {m: [] for m in modes}
    with LlamaGenerator(options) as gen:
        build_started = time.perf_counter()
        layer = C.build_constraints(gen.vocabulary, settings)
        build_ms = (time.perf_counter() - build_started) * 1000
        runner = Runner(gen, settings, layer)
        for index in picked:
            for mode in modes:  # interleaved per dialogue: machine load drifts hit both modes alike
                left = args.limit - len(records[mode])
                records[mode] += list(runner.rollout(dialogues[index], index, mode, left))
            done = len(records[modes[0]])
            print(
                f"[{time.strftime('%H:%M:%S')}] dialogue {index}: {done}/{args.limit} moves",
                file=sys.stderr,
                flush=True,
            )
        speed = speed_ab(runner, args.speed_contexts, args.speed_tokens) if "constrained" in modes else {}

    all_records = [r for rs in records.values() for r in rs]
    result: dict[str, Any] = {
        "machine": machine(),
        "model": str(model),
        "model_name": model.name + (f" + {lora.name}" if lora else ""),
        "policy": policy_name,
        "lora": str(lora) if lora else None,
        "split": args.split,
        "settings": {
            "word_budget": settings.word_budget,
            "min_words": settings.min_words,
            "seed": settings.seed,
            "threads": args.threads,
            "decoding_overrides": settings.decoding,
        },
        "contexts": {"replies": len(records[modes[0]]), "dialogues": len(picked), "dialogue_indices": picked},
        "build_constraints_ms": round(build_ms, 1),
        "classifier": classifier_report(classifier, args.data, args.split, all_records),
        "modes": {m: mode_stats(rs, settings, config) for m, rs in records.items()},
        "adherence": {m: adherence(classifier, rs) for m, rs in records.items()},
        "speed": speed,
        "samples": {
            m: [{"strategy": r.strategy, "reply": r.reply} for r in rs[:12]] for m, rs in records.items()
        },
        "wall_s": round(time.perf_counter() - started, 1),
    }
    result["targets"] = targets(result)
    path = write_result(args.name, result, args.out_dir)
    if set(modes) >= {"constrained", "unconstrained"}:
        (args.out_dir / f"{args.name}.md").write_text(markdown(result, args.name))
    if args.dump:
        args.dump.write_text("\n".join(json.dumps(asdict(r), ensure_ascii=False) for r in all_records) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
