"""The contextual-meaning layer: a small head on the planner's sentence encoder.

Static word vectors have no context: "I left the spare key under the mat for whoever comes to get
the dog" is everyday words in a goodbye. The planner already passes every seeker message through
its int8 MiniLM encoder (``"[seeker] " + text``, mean-pooled, cached by text); this layer reads the
same vector, so in a chat turn the message is encoded once, by whichever of safety and planner asks
first (safety runs first; the planner then finds the vector in its cache).

The head is one ReLU layer (several seed members side by side, their logits averaged) and a
logistic output, plain numpy, trained by ``export/safety/train_encoder_head.py``. Its logit joins
the learned blend (n-gram model + static-vector head) as a third member with share ``weight``; the
blend's evidence then uses the head file's ``floor`` and ``alone`` levels. Share and levels were
chosen on out-of-fold corpus scores and ESConv validation turns, never on a blind set. The head can
lower the blend too: an n-gram hit that the encoder reads as everyday talk counts less.

Gate: the encoder runs only when the cheap layers (rules + blend) already see a little risk
(score >= ``gate``); below it the message is everyday talk and costs no encoder pass. Standalone
(``esc-edge safety``) the packaged planner's encoder is loaded once, on first use; a
:class:`~esc_edge.supporter.Supporter` hands the check its own planner instead
(:meth:`EncoderLayer.share`), if that planner runs the encoder this head was trained on. If the
encoder cannot be loaded the layer logs it once and the blend stays as it was.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger("esc_edge.safety")

HEAD_FILE = "encoder_head.npz"
FORMAT = "esc-edge.safety-encoder-head/1"
# Cheap-layer score from which the encoder runs (see docs/safety.md: on the leave-one-out sets no
# crisis the encoder adds scores below 0.2; everyday ESConv turns reach 0.02 in about 4 of 100).
DEFAULT_GATE = 0.02


class Encoder(Protocol):
    """Anything that turns texts into the planner encoder's pooled vectors (HierPlanner does)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class EncoderHead:
    w1: np.ndarray  # (width, hidden), standardisation folded in
    b1: np.ndarray  # (hidden,)
    w2: np.ndarray  # (hidden,)
    b2: float
    linear: bool = False  # logistic regression: hidden layer of one unit, no ReLU
    weight: float = 0.5  # share of the blend's logit
    floor: float = 0.5  # the blend's evidence levels when the encoder took part
    alone: float = 0.9
    encoder_sha256: str = ""  # the encoder the head was trained on ("" = not checked)

    @property
    def width(self) -> int:
        return int(self.w1.shape[0])

    @classmethod
    def load(cls, path: str | Path | None = None) -> EncoderHead:
        if path is None:
            with resources.as_file(resources.files("esc_edge.safety.data") / HEAD_FILE) as p:
                return cls.load(p)
        with np.load(path, allow_pickle=False) as data:
            fmt = str(data["format"])
            if fmt != FORMAT:
                raise ValueError(f"encoder head {path}: format {fmt!r}, expected {FORMAT!r}")
            head = cls(
                data["w1"].astype(np.float32),
                data["b1"].astype(np.float32),
                data["w2"].astype(np.float32).reshape(-1),
                float(data["b2"]),
                bool(data["linear"]),
                float(data["weight"]),
                float(data["floor"]),
                float(data["alone"]),
                str(data["encoder_sha256"]),
            )
        head.check()
        return head

    def check(self) -> None:
        hidden = self.w2.shape[0]
        if self.w1.ndim != 2 or self.w1.shape[1] != hidden or self.b1.shape != (hidden,):
            raise ValueError("encoder head: layer shapes disagree")
        if self.linear and hidden != 1:
            raise ValueError("encoder head: a linear head has one unit")
        arrays = (self.w1, self.b1, self.w2, np.array([self.b2, self.weight, self.floor, self.alone]))
        if not all(np.isfinite(a).all() for a in arrays):
            raise ValueError("encoder head: non-finite weights")
        if not 0.0 < self.floor < self.alone < 1.0:
            raise ValueError("encoder head: need 0 < floor < alone < 1")
        if not 0.0 < self.weight < 1.0:
            raise ValueError("encoder head: the blend share must be in (0, 1)")

    def save(self, path: str | Path) -> None:
        np.savez_compressed(
            path,
            format=np.array(FORMAT),
            w1=self.w1.astype(np.float16),
            b1=self.b1.astype(np.float32),
            w2=self.w2.astype(np.float32),
            b2=np.float32(self.b2),
            linear=np.bool_(self.linear),
            weight=np.float32(self.weight),
            floor=np.float32(self.floor),
            alone=np.float32(self.alone),
            encoder_sha256=np.array(self.encoder_sha256),
        )

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        hidden = vectors @ self.w1 + self.b1
        if not self.linear:
            hidden = np.maximum(hidden, 0.0)
        out: np.ndarray = hidden @ self.w2 + self.b2
        return out

    def predict_vectors(self, vectors: np.ndarray) -> np.ndarray:
        """Crisis probability of each row of ``vectors`` (shape (n, width))."""
        out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(self.logits(vectors), -30.0, 30.0)))
        return out


def encoder_text(text: str) -> str:
    """What the planner encodes for a seeker message (so both share one cached vector)."""
    from esc_edge.conversation import Turn
    from esc_edge.planner.hier import utterance_text

    return utterance_text(Turn("seeker", text))


def load_planner_encoder() -> Encoder:
    """The packaged hierarchical planner, one thread: its encoder and cache serve the layer."""
    from esc_edge.planner.hier import HierPlanner

    return HierPlanner.from_dir(threads=1)


def encoder_sha256(encoder: object) -> str | None:
    """The digest a planner declares for its encoder file (None when it declares none)."""
    config = getattr(encoder, "config", None)
    raw = getattr(config, "raw", None)
    value = raw.get("encoder_sha256") if isinstance(raw, Mapping) else None
    return str(value) if value else None


class EncoderLayer:
    """The head with its encoder: the probability of one message. Thread-safe (the planner's
    session and cache are); the encoder is loaded at most once."""

    name = "encoder"

    def __init__(
        self,
        head: EncoderHead,
        encoder: Encoder | None = None,
        *,
        loader: Callable[[], Encoder] = load_planner_encoder,
        gate: float = DEFAULT_GATE,
    ) -> None:
        self.head = head
        self.gate = gate
        self._encoder = encoder
        self._loader = loader
        self._failed = False
        self._lock = threading.Lock()

    def share(self, encoder: Encoder) -> bool:
        """Use ``encoder`` (the chat's planner) instead of loading one: one pass, one cache.
        Refused (False) when it declares an encoder other than the one the head was trained on."""
        declared = encoder_sha256(encoder)
        if self.head.encoder_sha256 and declared != self.head.encoder_sha256:
            log.info("the planner runs another encoder; the safety layer keeps its own")
            return False
        with self._lock:
            self._encoder = encoder
            self._failed = False
        return True

    def encoder(self) -> Encoder | None:
        if self._encoder is not None or self._failed:
            return self._encoder
        with self._lock:
            if self._encoder is None and not self._failed:
                try:
                    self._encoder = self._loader()
                except Exception:
                    log.exception("safety encoder unavailable; continuing without the encoder layer")
                    self._failed = True
        return self._encoder

    def probability(self, text: str) -> float | None:
        """Crisis probability of ``text`` (None when no encoder could be loaded)."""
        encoder = self.encoder()
        if encoder is None:
            return None
        vector = np.asarray(encoder.encode([encoder_text(text)]), dtype=np.float32)
        if vector.shape != (1, self.head.width):
            raise ValueError(f"encoder gave shape {vector.shape}, the head reads width {self.head.width}")
        return float(self.head.predict_vectors(vector)[0])
