"""Best of several sampled replies, by consensus.

Sampling one reply from a 135M model is a lottery: some draws wander off topic. Sampling a few
and keeping the one that agrees most with the others (the candidate with the highest mean word-level
LCS F-measure against the rest, a minimum-Bayes-risk choice) keeps the typical reply and drops the
outliers, without a second model. The cost is one decode per candidate; the prompt is evaluated
once, because every candidate shares it and llama.cpp reuses the KV cache.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
