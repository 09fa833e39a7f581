"""Evaluation metrics in plain numpy (no scikit-learn at run time).

Sections: classification (planner strategies and emotions), then generation (BLEU, ROUGE,
Distinct, with bootstrap intervals), each in its own section.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as np

from esc_edge.generation.rerank import lcs_length

# Class indices as a list or a numpy array.
Labels: TypeAlias = Sequence[int] | np.ndarray

# =============================================================================================
# Classification
# =============================================================================================

# Added to empty histogram bins so that KL stays finite when a class is never predicted.
KL_EPSILON = 1e-6


def confusion_matrix(gold: Labels, pred: Labels, n_classes: int) -> np.ndarray:
    """``m[i, j]`` = how many items of gold class ``i`` were predicted as ``j``."""
    gold_arr, pred_arr = _check_labels(gold, pred, n_classes)
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (gold_arr, pred_arr), 1)
    return matrix


def accuracy(gold: Labels, pred: Labels) -> float:
    gold_arr = np.asarray(gold)
    pred_arr = np.asarray(pred)
    if gold_arr.shape != pred_arr.shape:
        raise ValueError("gold and pred must have the same length")
    return float((gold_arr == pred_arr).mean()) if gold_arr.size else 0.0


def per_class_f1(matrix: np.ndarray) -> np.ndarray:
    """F1 per class from a confusion matrix; 0 where a class is neither predicted nor present."""
    true_pos = np.diag(matrix).astype(np.float64)
    predicted = matrix.sum(axis=0).astype(np.float64)
    present = matrix.sum(axis=1).astype(np.float64)
    denominator = predicted + present
    return np.divide(2 * true_pos, denominator, out=np.zeros_like(true_pos), where=denominator > 0)


def macro_f1(matrix: np.ndarray) -> float:
    return float(per_class_f1(matrix).mean())


def weighted_f1(matrix: np.ndarray) -> float:
    support = matrix.sum(axis=1).astype(np.float64)
    if support.sum() == 0:
        return 0.0
    return float((per_class_f1(matrix) * support).sum() / support.sum())


def histogram(labels: Labels, n_classes: int) -> np.ndarray:
    """Share of each class among ``labels`` (sums to 1; all zeros when empty)."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=n_classes)[:n_classes]
    total = counts.sum()
    return counts / total if total else counts.astype(np.float64)


def kl_divergence(p: np.ndarray, q: np.ndarray, epsilon: float = KL_EPSILON) -> float:
    """KL(p || q) in nats over the same classes (epsilon-smoothed, renormalised)."""
    p_s = np.asarray(p, dtype=np.float64) + epsilon
    q_s = np.asarray(q, dtype=np.float64) + epsilon
    p_s /= p_s.sum()
    q_s /= q_s.sum()
    return float(np.sum(p_s * np.log(p_s / q_s)))


def classification_report(
    gold: Labels,
    probs: np.ndarray,
    names: Sequence[str],
) -> dict[str, Any]:
    """All classification metrics for one task, JSON-ready.

    ``probs`` is (n_items, n_classes). The KL "preference bias" is reported both ways and for two
    predicted distributions: the histogram of argmax predictions and the mean softmax.
    """
    probs_arr = np.asarray(probs, dtype=np.float64)
    n_classes = len(names)
    if probs_arr.ndim != 2 or probs_arr.shape[1] != n_classes:
        raise ValueError(f"probs must have shape (n, {n_classes})")
    pred = probs_arr.argmax(axis=1) if len(probs_arr) else np.zeros(0, dtype=np.int64)
    matrix = confusion_matrix(gold, pred, n_classes)
    gold_hist = histogram(gold, n_classes)
    pred_hist = histogram(pred, n_classes)
    mean_probs = probs_arr.mean(axis=0) if len(probs_arr) else np.zeros(n_classes)
    return {
        "n": len(pred),
        "accuracy": accuracy(gold, pred),
        "macro_f1": macro_f1(matrix),
        "weighted_f1": weighted_f1(matrix),
        "per_class_f1": dict(zip(names, per_class_f1(matrix).tolist(), strict=True)),
        "kl_pred_gold": kl_divergence(pred_hist, gold_hist),
        "kl_gold_pred": kl_divergence(gold_hist, pred_hist),
        "kl_meanprob_gold": kl_divergence(mean_probs, gold_hist),
        "kl_gold_meanprob": kl_divergence(gold_hist, mean_probs),
        "pred_share": dict(zip(names, pred_hist.tolist(), strict=True)),
        "gold_share": dict(zip(names, gold_hist.tolist(), strict=True)),
        "labels": list(names),
        "confusion_matrix": matrix.tolist(),
    }


def majority_baseline(train_labels: Labels, gold: Labels, names: Sequence[str]) -> dict[str, Any]:
    """Metrics of always predicting the most frequent training label."""
    n_classes = len(names)
    majority = int(np.bincount(np.asarray(train_labels, dtype=np.int64), minlength=n_classes).argmax())
    probs = np.zeros((len(gold), n_classes))
    probs[:, majority] = 1.0
    report = classification_report(gold, probs, names)
    report["majority_label"] = names[majority]
    return report


def _check_labels(gold: Labels, pred: Labels, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    gold_arr = np.asarray(gold, dtype=np.int64)
    pred_arr = np.asarray(pred, dtype=np.int64)
    if gold_arr.shape != pred_arr.shape:
        raise ValueError("gold and pred must have the same length")
    for arr in (gold_arr, pred_arr):
        if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
            raise ValueError(f"labels must be in [0, {n_classes})")
    return gold_arr, pred_arr


# =============================================================================================
# Generation (policy replies against the human supporter's replies)
# =============================================================================================
# Exactly how each number is computed (these match the policy de-risk, so results compare):
# * BLEU-2: sacrebleu corpus BLEU, BLEU(max_ngram_order=2, effective_order=True), its default
#   "13a" tokeniser, case-sensitive, one reference per reply; brevity penalty included.
#   Corpus-level, not an average of sentence BLEUs. Published ESC papers mostly use NLTK-style
#   BLEU on lower-cased tokens, so compare with them to about +-1 point only.
# * ROUGE-L: rouge-score's rougeL F-measure x 100 (its tokeniser: lower case, non-alphanumerics
#   to spaces, no stemming), computed per reply and averaged.
# * Distinct-n: distinct n-grams / all n-grams x 100 over all replies together, on lower-cased
#   whitespace tokens.
# * Confidence intervals: percentile bootstrap over replies (resample the evaluated turns with
#   replacement and recompute the corpus statistic), seeded. Not for Distinct-n: a resample
#   repeats replies, which counts as repeated n-grams and biases it low.
# sacrebleu and rouge-score are imported inside the functions: they are the `eval` extra.

BOOTSTRAP_RESAMPLES = 1000


def bleu2(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU-2 (sacrebleu, 13a tokens, case-sensitive), 0..100."""
    from sacrebleu.metrics import BLEU

    _check_pairs(hypotheses, references)
    scorer = BLEU(max_ngram_order=2, effective_order=True)
    return float(scorer.corpus_score(list(hypotheses), [list(references)]).score)


def rouge_l_scores(hypotheses: Sequence[str], references: Sequence[str]) -> list[float]:
    """ROUGE-L F x 100 of each reply against its reference (rouge-score, no stemming)."""
    from rouge_score import rouge_scorer

    _check_pairs(hypotheses, references)
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    return [
        100.0 * scorer.score(ref, hyp)["rougeL"].fmeasure
        for hyp, ref in zip(hypotheses, references, strict=True)
    ]


def rouge_l(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    scores = rouge_l_scores(hypotheses, references)
    return float(np.mean(scores)) if scores else 0.0


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Distinct n-grams / all n-grams x 100, over lower-cased whitespace tokens of all texts."""
    grams: list[tuple[str, ...]] = []
    for text in texts:
        words = text.lower().split()
        grams += [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return 100.0 * len(set(grams)) / len(grams) if grams else 0.0


def mean_words(texts: Sequence[str]) -> float:
    return float(np.mean([len(t.split()) for t in texts])) if texts else 0.0


def bootstrap_ci(
    statistic: Callable[[np.ndarray], float],
    n_items: int,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of ``statistic(indices)`` over resamples of ``range(n_items)``."""
    if n_items == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    values = [statistic(rng.integers(0, n_items, n_items)) for _ in range(resamples)]
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return (float(low), float(high))


def generation_report(
    hypotheses: Sequence[str],
    references: Sequence[str],
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> dict[str, Any]:
    """BLEU-2, ROUGE-L and mean words with 95% bootstrap intervals; Distinct-1/2."""
    hyps, refs = list(hypotheses), list(references)
    rouge = np.asarray(rouge_l_scores(hyps, refs))

    def pick(texts: list[str], idx: np.ndarray) -> list[str]:
        return [texts[i] for i in idx]

    stats: dict[str, Callable[[np.ndarray], float]] = {
        "bleu2": lambda idx: bleu2(pick(hyps, idx), pick(refs, idx)),
        "rouge_l": lambda idx: float(rouge[idx].mean()),
        "mean_words": lambda idx: mean_words(pick(hyps, idx)),
    }
    everything = np.arange(len(hyps))
    report: dict[str, Any] = {"n": len(hyps)}
    for name, fn in stats.items():
        low, high = bootstrap_ci(fn, len(hyps), resamples, seed)
        report[name] = {"value": round(fn(everything), 2), "ci95": [round(low, 2), round(high, 2)]}
    report["distinct1"] = {"value": round(distinct_n(hyps, 1), 2)}
    report["distinct2"] = {"value": round(distinct_n(hyps, 2), 2)}
    report["esc_literature"] = esc_literature_report(hyps, refs, resamples, seed)
    return report


# -- the ESC literature's way -------------------------------------------------------------------
# The published ESConv numbers (BlenderBot-Joint, MISC, TransESC, KEMI, ...) come from one shared
# evaluation script: lower-cased NLTK word tokens (punctuation and "n't" are tokens of their own),
# NLTK corpus BLEU with smoothing method 3, and ROUGE-L as the LCS F-measure with beta = 1.2
# (recall weighted) averaged over replies. Punctuation tokens and the recall weighting put those
# numbers several points above the strict ones above, so the anchors are compared with these.
# NLTK's sentence splitter needs a data download, so sentences are split on end punctuation
# followed by a space before the (data-free) NLTK word tokenizer runs.
ROUGE_L_BETA = 1.2


def esc_tokens(text: str) -> list[str]:
    """Lower-cased NLTK word tokens, sentence by sentence."""
    import re

    from nltk.tokenize import NLTKWordTokenizer

    tokenizer = NLTKWordTokenizer()
    sentences = re.split(r"(?<=[.!?])\s+", text.lower().strip())
    return [token for sentence in sentences if sentence for token in tokenizer.tokenize(sentence)]


def rouge_l_beta(hypothesis: Sequence[str], reference: Sequence[str], beta: float = ROUGE_L_BETA) -> float:
    """LCS F-measure weighted towards recall by ``beta``, 0..1 (0 when either side is empty)."""
    lcs = lcs_length(reference, hypothesis)
    if not lcs:
        return 0.0
    precision, recall = lcs / len(hypothesis), lcs / len(reference)
    return (1 + beta**2) * precision * recall / (recall + beta**2 * precision)


def esc_bleu(hypotheses: Sequence[list[str]], references: Sequence[list[str]], order: int) -> float:
    """NLTK corpus BLEU-``order`` (smoothing method 3) on token lists, 0..100."""
    from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu

    weights = tuple([1.0 / order] * order)
    score = corpus_bleu(
        [[ref] for ref in references],
        list(hypotheses),
        weights=weights,
        smoothing_function=SmoothingFunction().method3,
    )
    return 100.0 * float(score)


def token_distinct(token_lists: Sequence[list[str]], n: int) -> float:
    grams = [tuple(tokens[i : i + n]) for tokens in token_lists for i in range(len(tokens) - n + 1)]
    return 100.0 * len(set(grams)) / len(grams) if grams else 0.0


def esc_literature_report(
    hypotheses: Sequence[str],
    references: Sequence[str],
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> dict[str, Any]:
    """BLEU-2, ROUGE-L (beta 1.2) and Distinct-1/2 computed as the published ESC evaluations do."""
    _check_pairs(hypotheses, references)
    hyps = [esc_tokens(h) for h in hypotheses]
    refs = [esc_tokens(r) for r in references]
    rouge = np.asarray([100.0 * rouge_l_beta(h, r) for h, r in zip(hyps, refs, strict=True)])
    stats: dict[str, Callable[[np.ndarray], float]] = {
        "bleu2": lambda idx: esc_bleu([hyps[i] for i in idx], [refs[i] for i in idx], 2),
        "rouge_l": lambda idx: float(rouge[idx].mean()) if len(idx) else 0.0,
    }
    report: dict[str, Any] = {"n": len(hyps)}
    everything = np.arange(len(hyps))
    for name, fn in stats.items():
        low, high = bootstrap_ci(fn, len(hyps), resamples, seed)
        report[name] = {"value": round(fn(everything), 2), "ci95": [round(low, 2), round(high, 2)]}
    report["distinct1"] = {"value": round(token_distinct(hyps, 1), 2)}
    report["distinct2"] = {"value": round(token_distinct(hyps, 2), 2)}
    return report


def _check_pairs(hypotheses: Sequence[str], references: Sequence[str]) -> None:
    if len(hypotheses) != len(references):
        raise ValueError("one reference per hypothesis is needed")
