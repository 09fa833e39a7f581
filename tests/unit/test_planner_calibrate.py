"""The hierarchical planner's calibration fit (export/planner/calibrate.py) on synthetic outputs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from esc_edge.eval.metrics import histogram, kl_divergence
from export.planner.calibrate import N_CLASSES, calibrate, fit_match, folds, scores

PRIOR = np.array([0.2, 0.06, 0.08, 0.09, 0.15, 0.16, 0.07, 0.19])


def _biased_head(n: int = 3000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gold labels drawn from PRIOR; log-probabilities that favour the gold label but lean
    towards classes 0 and 5, the way the trained head over-predicts Question and Suggestions."""
    rng = np.random.default_rng(seed)
    gold = rng.choice(N_CLASSES, size=n, p=PRIOR)
    logits = rng.normal(0.0, 1.0, (n, N_CLASSES))
    logits[np.arange(n), gold] += 1.2
    logits[:, [0, 5]] += 0.9
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    groups = np.repeat(np.arange(n // 15), 15)
    return logp, gold, groups


def test_match_brings_the_predicted_mix_to_the_target() -> None:
    logp, gold, _ = _biased_head()
    before = histogram(logp.argmax(1), N_CLASSES)
    assert kl_divergence(before, PRIOR) > 0.1
    bias = fit_match(logp, PRIOR)
    after = histogram((logp + bias).argmax(1), N_CLASSES)
    assert kl_divergence(after, PRIOR) < 0.005
    assert scores(logp, gold, bias)["macro_f1"] > scores(logp, gold, np.zeros(N_CLASSES))["macro_f1"]


def test_folds_never_split_a_dialogue() -> None:
    groups = np.array(["a", "a", "b", "c", "c", "c", "d"])
    first, second = folds(groups)
    assert (first ^ second).all()
    for g in set(groups.tolist()):
        rows = groups == g
        assert first[rows].all() or second[rows].all()
    assert first.any() and second.any()


def test_kl_rule_meets_the_kl_bound_and_never_picks_the_label_fitted_candidate() -> None:
    logp, gold, groups = _biased_head()
    args = SimpleNamespace(max_acc_drop=0.01, max_kl=0.05, rule="kl")
    result = calibrate(logp, gold, groups, PRIOR, args)
    chosen = result["chosen"]
    assert chosen["method"] != "macro"
    assert chosen["valid_cv"]["kl_pred_gold"] <= 0.05
    assert len(chosen["bias"]) == N_CLASSES
    uncalibrated = next(r for r in result["rows"] if r["method"] == "tau0.0")
    assert uncalibrated["valid_cv"]["kl_pred_gold"] > 0.05
    acc_pick = result["other_rule"]["chosen"]
    assert acc_pick["valid_cv"]["accuracy"] >= uncalibrated["valid_cv"]["accuracy"] - 0.01
