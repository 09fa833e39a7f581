from __future__ import annotations

import math

import numpy as np
import pytest

from esc_edge.eval.metrics import (
    accuracy,
    classification_report,
    confusion_matrix,
    histogram,
    kl_divergence,
    macro_f1,
    majority_baseline,
    per_class_f1,
    weighted_f1,
)

GOLD = [0, 0, 1, 1, 2, 2, 2]
PRED = [0, 1, 1, 1, 2, 0, 2]


def test_confusion_matrix_counts() -> None:
    m = confusion_matrix(GOLD, PRED, 3)
    assert m.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 2]]


def test_f1_by_hand() -> None:
    m = confusion_matrix(GOLD, PRED, 3)
    # class 0: p=1/2 r=1/2; class 1: p=2/3 r=1; class 2: p=1 r=2/3
    expected = [0.5, 0.8, 0.8]
    assert per_class_f1(m) == pytest.approx(expected)
    assert macro_f1(m) == pytest.approx(sum(expected) / 3)
    assert weighted_f1(m) == pytest.approx((2 * 0.5 + 2 * 0.8 + 3 * 0.8) / 7)
    assert accuracy(GOLD, PRED) == pytest.approx(5 / 7)


def test_absent_and_never_predicted_class_has_zero_f1() -> None:
    m = confusion_matrix([0, 0], [0, 0], 3)
    assert per_class_f1(m).tolist() == [1.0, 0.0, 0.0]


def test_kl_is_zero_for_equal_and_positive_otherwise() -> None:
    p = np.array([0.5, 0.5, 0.0])
    assert kl_divergence(p, p) == pytest.approx(0.0, abs=1e-9)
    q = np.array([0.9, 0.1, 0.0])
    expected = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    assert kl_divergence(p, q) == pytest.approx(expected, rel=1e-3)
    assert kl_divergence(q, p) != pytest.approx(kl_divergence(p, q))


def test_kl_stays_finite_when_a_class_is_never_predicted() -> None:
    assert math.isfinite(kl_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5])))
    assert math.isfinite(kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])))


def test_histogram_sums_to_one() -> None:
    assert histogram(GOLD, 3).tolist() == pytest.approx([2 / 7, 2 / 7, 3 / 7])
    assert histogram([], 3).tolist() == [0.0, 0.0, 0.0]


def test_classification_report_uses_argmax_and_both_kl_variants() -> None:
    probs = np.eye(3)[PRED] * 0.7 + 0.1
    report = classification_report(GOLD, probs, ["a", "b", "c"])
    assert report["accuracy"] == pytest.approx(5 / 7)
    assert report["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 2]]
    assert set(report["per_class_f1"]) == {"a", "b", "c"}
    assert report["kl_pred_gold"] >= 0 and report["kl_meanprob_gold"] >= 0
    assert report["pred_share"]["b"] == pytest.approx(3 / 7)


def test_report_rejects_wrong_width() -> None:
    with pytest.raises(ValueError):
        classification_report([0], np.ones((1, 2)), ["a", "b", "c"])


def test_labels_out_of_range_are_rejected() -> None:
    with pytest.raises(ValueError):
        confusion_matrix([0, 3], [0, 0], 3)


def test_majority_baseline_predicts_train_majority() -> None:
    report = majority_baseline([2, 2, 1], GOLD, ["a", "b", "c"])
    assert report["majority_label"] == "c"
    assert report["accuracy"] == pytest.approx(3 / 7)
