"""The encoder head's trainer: how mined hard everyday ESConv train turns are weighted (round 9)."""

from __future__ import annotations

import numpy as np

from export.safety.train_encoder_head import weight_of


def esconv(words: list[int], everyday: list[bool], mined: list[float] | None = None) -> dict[str, np.ndarray]:
    a = {"label": np.zeros(len(words)), "words": np.array(words), "everyday": np.array(everyday)}
    if mined is not None:
        a["mined_weight"] = np.array(mined)
    return a


def test_without_mining_long_turns_weigh_one_short_three_and_unfit_turns_nothing() -> None:
    w = weight_of("esconv_train", esconv([20, 5, 20], [True, True, False]), esconv_short=3.0)
    assert w.tolist() == [1.0, 3.0, 0.0]


def test_mined_turns_weigh_more_but_never_less_and_unfit_turns_stay_out() -> None:
    a = esconv([20, 5, 20, 20], [True, True, False, True], mined=[3.0, 2.0, 3.0, 0.0])
    assert weight_of("esconv_train", a, esconv_short=3.0).tolist() == [3.0, 3.0, 0.0, 1.0]


def test_validation_turns_are_never_trained_on() -> None:
    assert weight_of("esconv_valid", esconv([5], [True], mined=[3.0]), esconv_short=3.0).tolist() == [0.0]
