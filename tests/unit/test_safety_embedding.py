"""The learned layer: the static-encoder head, its blend with the n-gram model, and failure."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from esc_edge.conversation import Conversation
from esc_edge.safety import detector as detector_module
from esc_edge.safety.detector import Blend, ClassifierLayer, LayeredSafetyCheck
from esc_edge.safety.embedding import EmbeddingHead, basic_words, pack, unpack


@pytest.fixture(scope="module")
def head() -> EmbeddingHead:
    return EmbeddingHead.load()


@pytest.fixture(scope="module")
def check() -> LayeredSafetyCheck:
    return LayeredSafetyCheck.create()


# Written for this test only: none of these sentences (or their distinctive phrases) is in the
# training corpus, the synthetic templates or the evaluation files.
PARAPHRASES = [
    "i stockpiled my tablets all month and tonight im swallowing the lot",
    "left a letter for my parents on the kitchen table, i wont be coming home",
    "im up on the multistorey roof looking down, thinking its time",
    "my flatmate says she's had enough and has locked herself in with a bottle of pills",
    "sorted out who gets my cat. after tonight it wont matter",
    "he has his hands around my neck whenever he drinks and hes drinking now",
    "my girlfriend's little boy has been shut in the cupboard since this morning",
    "tengo todas las pastillas contadas para esta noche",
]
IDIOMS = [
    "honestly this group project is going to bury me",
    "my legs are dead after leg day",
    "i'd kill for a coffee right now",
    "we said our goodbyes at the airport, she flies to sydney tonight",
    "years ago i had a plan to end things, now i'm a dad and happy",
]
# Known false alarms, kept visible: strict xfail turns into a failure once they are fixed.
RULE_FALSE_ALARMS = {
    "we said our goodbyes at the airport, she flies to sydney tonight": "rules: goodbye + time",
    "years ago i had a plan to end things, now i'm a dad and happy": "rules: 'plan to end things'",
}
PILL_ORGANISER = "i counted my tablets into the weekly box, all sorted"


@pytest.mark.parametrize("text", PARAPHRASES)
def test_unseen_paraphrases_are_crises(check: LayeredSafetyCheck, text: str) -> None:
    assert check.assess(Conversation(), text).crisis


@pytest.mark.parametrize(
    "text",
    [
        "my flatmate says she's had enough and has locked herself in with a bottle of pills",
        "tengo todas las pastillas contadas para esta noche",
    ],
)
def test_the_learned_layer_catches_what_the_rules_miss(check: LayeredSafetyCheck, text: str) -> None:
    assert not LayeredSafetyCheck().assess(Conversation(), text).crisis
    result = check.assess(Conversation(), text)
    assert result.crisis and "classifier" in result.reason


@pytest.mark.parametrize("text", IDIOMS)
def test_the_learned_layer_adds_little_to_idioms(check: LayeredSafetyCheck, text: str) -> None:
    # Round 6 lets the learned layer decide alone from p = 0.9: on idioms it may add a little
    # evidence ("my legs are dead" reads p 0.62), never enough to tip a message with no rule.
    assert check.layers[0].score(text) < 0.2


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(t, marks=pytest.mark.xfail(strict=True, reason=RULE_FALSE_ALARMS[t]))
        if t in RULE_FALSE_ALARMS
        else t
        for t in IDIOMS
    ]
    + [pytest.param(PILL_ORGANISER, marks=pytest.mark.xfail(strict=True, reason="learned: pills counted"))],
)
def test_idioms_and_safe_lookalikes_stay_safe(check: LayeredSafetyCheck, text: str) -> None:
    assert not check.assess(Conversation(), text).crisis


def test_the_head_ranks_paraphrases_above_idioms(head: EmbeddingHead) -> None:
    danger = [head.predict(t) for t in PARAPHRASES]
    safe = [head.predict(t) for t in IDIOMS]  # the pill organiser is a known false alarm
    # Most unseen crisis paraphrases score above every safe look-alike (the head alone is
    # not the decision; this checks it carries meaning beyond exact words).
    assert sum(d > max(safe) for d in danger) >= len(danger) // 2
    assert float(np.mean(danger)) > float(np.mean(safe)) + 0.3


def test_pieces_follow_the_encoder_vocabulary(head: EmbeddingHead) -> None:
    assert basic_words("Café, 我想!") == ["cafe", ",", "我", "想", "!"]
    ids = head.pieces("unalive tablets")
    assert ids and head.unk not in ids
    assert head.pieces("") == []


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x01\x02" * 50, bytes(range(256)).decode("latin-1") * 40, "a" * 200_000, "我" * 5_000],
)
def test_bad_input_gives_a_probability(head: EmbeddingHead, text: str) -> None:
    p = head.predict(text)
    assert 0.0 <= p <= 1.0


def test_four_bit_codes_round_trip() -> None:
    codes = np.array([[-7, 7, 0, 3], [1, -1, -7, 6]], dtype=np.int8)
    assert np.array_equal(unpack(pack(codes, 4), 4), codes)
    assert np.array_equal(unpack(pack(codes, 8), 8), codes)


def test_a_missing_head_leaves_the_ngram_model(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(cls: object, path: object = None) -> EmbeddingHead:
        raise OSError("no such file")

    monkeypatch.setattr(detector_module.EmbeddingHead, "load", classmethod(broken))
    with caplog.at_level(logging.ERROR, logger="esc_edge.safety"):
        check = LayeredSafetyCheck.create()
    assert "embedding head unavailable" in caplog.text
    layer = check.layers[0]
    assert isinstance(layer, ClassifierLayer) and isinstance(layer.model, Blend)
    assert layer.model.head is None
    assert check.assess(Conversation(), "I'm going to end my life tonight").crisis


class _Broken:
    def predict(self, text: str) -> float:
        raise RuntimeError("corrupt weights")


class _Fixed:
    def __init__(self, p: float) -> None:
        self.p = p

    def predict(self, text: str) -> float:
        return self.p


def test_a_head_failing_at_run_time_fails_safe(caplog: pytest.LogCaptureFixture) -> None:
    check = LayeredSafetyCheck(layers=[ClassifierLayer(Blend(_Fixed(0.1), _Broken()))])
    with caplog.at_level(logging.ERROR, logger="esc_edge.safety"):
        result = check.assess(Conversation(), "the tea is cold")
    assert result.crisis and result.category == "unknown"
    assert "detector failed" in caplog.text


def test_the_blend_mixes_logits() -> None:
    assert Blend(_Fixed(0.9), None).predict("x") == pytest.approx(0.9)
    both = Blend(_Fixed(0.9), _Fixed(0.9), hashed_weight=0.5).predict("x")
    assert both == pytest.approx(0.9, abs=1e-6)
    mixed = Blend(_Fixed(0.99), _Fixed(0.01), hashed_weight=0.5).predict("x")
    assert mixed == pytest.approx(0.5, abs=1e-6)
