"""Best of several sampled replies, by consensus.

Sampling one reply from a 135M model is a lottery: some draws wander off topic. Sampling a few
and keeping the one that agrees most with the others (the candidate with the highest mean word-level
LCS F-measure against the rest, a minimum-Bayes-risk choice) keeps the typical reply and drops the
outliers, without a second model. The cost is one decode per candidate; the prompt is evaluated
once, because every candidate shares it and llama.cpp reuses the KV cache.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from esc_edge._registry import Registry
from esc_edge.conversation import Turn
from esc_edge.errors import ConfigError

_TOKEN = re.compile(r"[\w']+|[^\w\s]")


def words(text: str) -> list[str]:
    """Lower-cased words and punctuation marks, each a token."""
    return _TOKEN.findall(text.lower())


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token lists."""
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def lcs_f1(a: Sequence[str], b: Sequence[str]) -> float:
    common = lcs_length(a, b)
    return 2.0 * common / (len(a) + len(b)) if common else 0.0


def consensus_index(candidates: Sequence[str]) -> int:
    """Index of the candidate closest on average to the others (ties: the earliest).

    Empty candidates never win unless all are empty; a single candidate is returned as is.
    """
    if not candidates:
        raise ValueError("no candidates to choose from")
    tokens = [words(text) for text in candidates]
    best, best_score = 0, -1.0
    for i, mine in enumerate(tokens):
        if not mine:
            continue
        score = sum(lcs_f1(mine, theirs) for j, theirs in enumerate(tokens) if j != i)
        if score > best_score:
            best, best_score = i, score
    return best


# =============================================================================================
# Choosers: which of the drawn candidates is the reply
# =============================================================================================
# A chooser sees the candidates (text, whether it is the greedy one, the policy's log-probability
# of it) and the conversation they answer; never a reference. ``consensus`` is the minimum-Bayes-
# risk choice above. ``learned`` scores each candidate with a few reference-free features and a
# linear ranker fitted offline (export/policy/fit_chooser.py) to prefer the candidate closest to the
# human reply; its weights are a small JSON file shipped beside this module.

CHOOSER_FILE = Path(__file__).with_name("chooser.json")
# Turns of the conversation (the seeker's new message included) the context features read.
CONTEXT_TURNS = 4


@dataclass(frozen=True)
class Candidate:
    text: str  # the finished reply (constraints' finalize applied)
    greedy: bool = False
    logprob: float | None = None  # the policy's log-probability of the reply, end of turn included
    logprob_tokens: int = 0


class Chooser(Protocol):
    """Picks one of several candidate replies. Implementations are stateless (thread-safe)."""

    @property
    def include_greedy(self) -> bool:
        """Whether the first candidate is the greedy reply (the others are sampled)."""
        ...

    @property
    def sample_temperature(self) -> float | None:
        """The temperature to sample the other candidates at (None: the decoding settings')."""
        ...

    @property
    def needs_logprobs(self) -> bool: ...

    def choose(self, candidates: Sequence[Candidate], turns: Sequence[Turn]) -> int: ...


choosers: Registry[Chooser] = Registry("chooser")


@choosers.register("consensus")
class ConsensusChooser:
    include_greedy = False
    sample_temperature = None
    needs_logprobs = False

    def choose(self, candidates: Sequence[Candidate], turns: Sequence[Turn]) -> int:
        return consensus_index([c.text for c in candidates])


def _unigram_f1(a: Sequence[str], b: Sequence[str]) -> float:
    if not a or not b:
        return 0.0
    common = sum((Counter(a) & Counter(b)).values())
    return 2.0 * common / (len(a) + len(b))


def candidate_features(candidates: Sequence[Candidate], turns: Sequence[Turn]) -> list[dict[str, float]]:
    """Reference-free features of each candidate, computed as at run time (and for training).

    ``turns`` is the conversation the reply answers, its last turn the seeker's message.
    """
    tokens = [words(c.text) for c in candidates]
    seeker = words(turns[-1].text) if turns else []
    recent = [w for t in turns[-CONTEXT_TURNS:] for w in words(t.text)]
    recent_set = set(recent)
    out = []
    for i, (candidate, mine) in enumerate(zip(candidates, tokens, strict=True)):
        others = [theirs for j, theirs in enumerate(tokens) if j != i]
        n_words = len(candidate.text.split())
        alpha = [w for w in mine if w[0].isalnum()]
        lp = candidate.logprob if candidate.logprob is not None else 0.0
        out.append(
            {
                "mean_logprob": lp / max(1, candidate.logprob_tokens),
                "logprob": lp,
                "words": float(n_words),
                "words_sq": n_words * n_words / 100.0,
                "consensus": sum(lcs_f1(mine, t) for t in others) / len(others) if others else 0.0,
                "seeker_lcs": lcs_f1(mine, seeker),
                "seeker_unigram": _unigram_f1(mine, seeker),
                "context_precision": sum(w in recent_set for w in alpha) / len(alpha) if alpha else 0.0,
                "greedy": 1.0 if candidate.greedy else 0.0,
                "questions": float(candidate.text.count("?")),
                "sentences": float(len(_SENTENCE_END.findall(candidate.text))),
            }
        )
    return out


_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


@dataclass(frozen=True)
class LearnedChooser:
    """A linear ranker over :func:`candidate_features`: the highest score wins (ties: the earliest)."""

    weights: Mapping[str, float]
    sample_temperature: float | None = 0.7
    include_greedy: bool = True
    needs_logprobs: bool = True

    @classmethod
    def load(cls, path: Path = CHOOSER_FILE) -> LearnedChooser:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            weights = {str(k): float(v) for k, v in data["weights"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(
                f"cannot read the chooser weights {path}: {exc}", hint="reinstall esc-edge"
            ) from None
        unknown = set(weights) - FEATURES
        if unknown:
            raise ConfigError(f"unknown chooser features {sorted(unknown)} in {path}")
        return cls(
            weights=weights,
            sample_temperature=float(data.get("sample_temperature", 0.7)),
            include_greedy=bool(data.get("include_greedy", True)),
        )

    def scores(self, candidates: Sequence[Candidate], turns: Sequence[Turn]) -> list[float]:
        return [
            sum(self.weights.get(name, 0.0) * value for name, value in row.items())
            for row in candidate_features(candidates, turns)
        ]

    def choose(self, candidates: Sequence[Candidate], turns: Sequence[Turn]) -> int:
        if not candidates:
            raise ValueError("no candidates to choose from")
        scored = self.scores(candidates, turns)
        usable = [i for i, c in enumerate(candidates) if c.text.strip()] or [0]
        return max(usable, key=lambda i: (scored[i], -i))


FEATURES = frozenset(candidate_features([Candidate("a")], [])[0])


@lru_cache(maxsize=1)
def _packaged_learned() -> LearnedChooser:
    return LearnedChooser.load()


choosers.add("learned", _packaged_learned)
