"""The sentence-encoder head: file checks, the gate, the blend it joins, failure, and sharing the
planner's encoder. A fake encoder stands in for the ONNX model (the real one: tests/integration)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from esc_edge.config import Settings
from esc_edge.conversation import Conversation
from esc_edge.generation.base import NoConstraints
from esc_edge.runtime import select_runtime
from esc_edge.safety import detector as detector_module
from esc_edge.safety.detector import Blend, ClassifierLayer, LayeredSafetyCheck
from esc_edge.safety.encoder_head import (
    DEFAULT_GATE,
    EncoderHead,
    EncoderLayer,
    encoder_text,
)
from esc_edge.supporter import Supporter
from tests.fakes import FakeGenerator, FakePlanner

WIDTH = 4


class FakeEncoder:
    """Vectors whose first coordinate is the head's logit: ``logits[text]`` (default -10)."""

    def __init__(self, logits: dict[str, float] | None = None, sha: str | None = None) -> None:
        self.logits = logits or {}
        self.calls: list[str] = []
        self.config = type("Config", (), {"raw": {"encoder_sha256": sha} if sha else {}})()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.extend(texts)
        out = np.zeros((len(texts), WIDTH), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, 0] = self.logits.get(text.removeprefix("[seeker] "), -10.0)
        return out


class Fixed:
    def __init__(self, p: float) -> None:
        self.p = p

    def predict(self, text: str) -> float:
        return self.p


def linear_head(**levels: object) -> EncoderHead:
    w1 = np.zeros((WIDTH, 1), np.float32)
    w1[0, 0] = 1.0
    options: dict[str, object] = {"linear": True, "weight": 0.5, "floor": 0.5, "alone": 0.9, **levels}
    return EncoderHead(w1, np.zeros(1, np.float32), np.ones(1, np.float32), 0.0, **options)  # type: ignore[arg-type]


def check_with(
    p_blend: float, encoder: FakeEncoder | None, gate: float = DEFAULT_GATE, **options: str
) -> LayeredSafetyCheck:
    layer = EncoderLayer(linear_head(), encoder, gate=gate) if encoder is not None else None
    return LayeredSafetyCheck(layers=[ClassifierLayer(Blend(Fixed(p_blend), None))], encoder=layer, **options)


def test_the_packaged_head_loads_and_round_trips(tmp_path: Path) -> None:
    head = EncoderHead.load()
    assert head.width == 384 and 0 < head.weight < 1 and 0 < head.floor < head.alone < 1
    assert len(head.encoder_sha256) == 64
    head.save(tmp_path / "h.npz")
    again = EncoderHead.load(tmp_path / "h.npz")
    x = np.random.default_rng(0).normal(size=(3, 384)).astype(np.float32)
    assert np.allclose(head.predict_vectors(x), again.predict_vectors(x), atol=1e-3)


@pytest.mark.parametrize(
    "change",
    [
        {"floor": 0.95},  # floor above alone
        {"weight": 1.5},
        {"alone": float("nan")},
        {"b1": np.zeros(3, np.float32)},  # shapes disagree
        {"w2": np.array([np.inf], np.float32)},
    ],
)
def test_a_broken_head_file_is_refused(tmp_path: Path, change: dict[str, object]) -> None:
    fields = {**linear_head().__dict__, **change}
    EncoderHead(**fields).save(tmp_path / "bad.npz")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="encoder head"):
        EncoderHead.load(tmp_path / "bad.npz")


def test_a_file_of_another_format_is_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "other.npz", format=np.array("something/1"), w1=np.zeros((4, 1)))
    with pytest.raises(ValueError, match="format"):
        EncoderHead.load(tmp_path / "other.npz")


def test_below_the_gate_the_encoder_is_not_run() -> None:
    encoder = FakeEncoder()
    check = check_with(0.1, encoder)  # no rule evidence, blend below its floor: score 0
    assert not check.assess(Conversation(), "the tea is cold").crisis
    assert encoder.calls == []


def test_above_the_gate_the_encoder_reads_the_planners_text() -> None:
    text = "I left the spare key under the mat for whoever comes to get the dog"
    encoder = FakeEncoder({" ".join(text.split()): 8.0})
    check = check_with(0.7, encoder)  # blend evidence 0.22: above the gate, below the threshold
    result = check.assess(Conversation(), text)
    assert encoder.calls == [encoder_text(text)] == ["[seeker] " + text]
    assert result.crisis and "classifier" in result.reason


def test_the_encoder_can_lower_an_ngram_hit_when_allowed() -> None:
    text = "the quarterly report is due on friday"
    assert check_with(0.99, None).assess(Conversation(), text).crisis
    encoder = FakeEncoder({text: -8.0})
    assert not check_with(0.99, encoder, never_lower="never").assess(Conversation(), text).crisis


def test_by_default_the_encoder_never_lowers_the_cheap_layers() -> None:
    # round 9: in both modes a message the cheap layers flag stays flagged whatever the encoder reads
    text = "the quarterly report is due on friday"
    check = check_with(0.99, FakeEncoder({text: -8.0}))
    assert check.never_lower == detector_module.NEVER_LOWER == "always"
    for careful in (False, True):
        cheap = check_with(0.99, None).assess(Conversation(), text, careful=careful)
        refined = check.assess(Conversation(), text, careful=careful)
        assert refined.crisis and refined.score == pytest.approx(cheap.score)


def test_in_careful_mode_the_encoder_still_raises() -> None:
    text = "I left the spare key under the mat for whoever comes to get the dog"
    check = check_with(0.55, FakeEncoder({text: 8.0}))
    cheap = check_with(0.55, None).assess(Conversation(), text, careful=True)
    assert not cheap.crisis
    assert check.assess(Conversation(), text, careful=True).score > cheap.score


@pytest.mark.parametrize(
    ("mode", "lowered_normal", "lowered_careful"),
    [("never", True, True), ("careful", True, False), ("always", False, False)],
)
def test_never_lower_modes(mode: str, lowered_normal: bool, lowered_careful: bool) -> None:
    text = "the quarterly report is due on friday"
    check = check_with(0.99, FakeEncoder({text: -8.0}), never_lower=mode)
    assert check.assess(None, text).crisis is not lowered_normal
    assert check.assess(None, text, careful=True).crisis is not lowered_careful


def test_an_unknown_never_lower_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="never_lower"):
        LayeredSafetyCheck(never_lower="sometimes")


def test_the_blend_with_the_encoder_is_a_logit_mix() -> None:
    # blend p 0.5 (logit 0) and encoder logit 2 with share 0.5: p = sigmoid(1) = 0.731
    check = check_with(0.5, FakeEncoder({"x y z": 2.0}), gate=0.0)
    expected = detector_module.evidence(1 / (1 + np.exp(-1.0)), 0.5, 0.9)
    assert check.assess(None, "x y z").score == pytest.approx(expected, abs=1e-4)


def test_an_encoder_that_cannot_load_leaves_the_cheap_layers(caplog: pytest.LogCaptureFixture) -> None:
    loads: list[int] = []

    def broken() -> FakeEncoder:
        loads.append(1)
        raise OSError("no model file")

    layer = EncoderLayer(linear_head(), loader=broken)
    check = LayeredSafetyCheck(layers=[ClassifierLayer(Blend(Fixed(0.1), None))], encoder=layer)
    with caplog.at_level(logging.ERROR, logger="esc_edge.safety"):
        first = check.assess(None, "I'm going to end my life tonight")
        second = check.assess(None, "the bus was late")
    assert first.crisis and not second.crisis  # rules and blend, as before the encoder head
    assert loads == [1] and "safety encoder unavailable" in caplog.text


def test_an_encoder_failing_at_run_time_fails_safe(caplog: pytest.LogCaptureFixture) -> None:
    class Raising(FakeEncoder):
        def encode(self, texts: Sequence[str]) -> np.ndarray:
            raise RuntimeError("onnx session died")

    check = check_with(0.7, Raising())
    with caplog.at_level(logging.ERROR, logger="esc_edge.safety"):
        result = check.assess(None, "something to think about")
    assert result.crisis and result.category == "unknown"


def test_an_encoder_of_another_width_fails_safe() -> None:
    class Wide(FakeEncoder):
        def encode(self, texts: Sequence[str]) -> np.ndarray:
            return np.zeros((len(texts), WIDTH + 1), dtype=np.float32)

    result = check_with(0.7, Wide()).assess(None, "something to think about")
    assert result.crisis and result.category == "unknown"


def test_the_encoder_is_loaded_once_across_threads() -> None:
    loads: list[int] = []
    gate = threading.Barrier(8)

    def loader() -> FakeEncoder:
        loads.append(1)
        return FakeEncoder()

    layer = EncoderLayer(linear_head(), loader=loader)

    def work() -> None:
        gate.wait()
        layer.probability("hello there")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == [1]


def test_sharing_checks_the_encoder_digest() -> None:
    layer = EncoderLayer(linear_head(encoder_sha256="a" * 64), loader=FakeEncoder)
    assert not layer.share(FakeEncoder(sha="b" * 64))
    assert not layer.share(FakeEncoder())  # declares nothing: could be any encoder
    mine = FakeEncoder(sha="a" * 64)
    assert layer.share(mine) and layer.encoder() is mine


def test_create_can_leave_the_encoder_out_and_survives_a_broken_head(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert LayeredSafetyCheck.create(use_encoder=False).encoder is None

    def broken(cls: object, path: object = None) -> EncoderHead:
        raise OSError("no such file")

    monkeypatch.setattr(detector_module.EncoderHead, "load", classmethod(broken))
    with caplog.at_level(logging.ERROR, logger="esc_edge.safety"):
        check = LayeredSafetyCheck.create()
    assert check.encoder is None and "encoder head unavailable" in caplog.text
    assert check.assess(Conversation(), "I'm going to end my life tonight").crisis


def test_create_uses_a_given_encoder() -> None:
    head = EncoderHead.load()
    encoder = FakeEncoder(sha=head.encoder_sha256)
    check = LayeredSafetyCheck.create(encoder=encoder)
    assert check.encoder is not None and check.encoder.encoder() is encoder


class EncodingPlanner(FakePlanner):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = FakeEncoder()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.encode(texts)


class SharingSafety:
    def __init__(self) -> None:
        self.shared: list[object] = []

    def assess(self, conversation: Conversation, text: str, *, careful: bool = False) -> object:
        from esc_edge.safety.base import SAFE

        return SAFE

    def reply(self, assessment: object, locale: str) -> str:
        return ""

    def share_encoder(self, encoder: object) -> bool:
        self.shared.append(encoder)
        return True


def test_the_supporter_hands_its_planner_to_the_safety_check() -> None:
    safety, planner = SharingSafety(), EncodingPlanner()
    Supporter(
        Settings(planner="none", safety="none"),
        safety=safety,  # type: ignore[arg-type]
        planner=planner,
        generator=FakeGenerator(),
        constraints=NoConstraints(),
        runtime=select_runtime("cpu"),
    )
    assert safety.shared == [planner]
    # a planner without an encoder is not offered
    other = SharingSafety()
    Supporter(
        Settings(planner="none", safety="none"),
        safety=other,  # type: ignore[arg-type]
        planner=FakePlanner(),
        generator=FakeGenerator(),
        constraints=NoConstraints(),
        runtime=select_runtime("cpu"),
    )
    assert other.shared == []
