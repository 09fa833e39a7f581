"""The learned layer: a hashed n-gram logistic regression in pure numpy.

It sees what word lists miss: paraphrases, typos and word combinations ("pills" near "tonight",
"bridge" near "goodbye"). Features are hashed word unigrams and bigrams plus character 3-5-grams
(which carry misspellings and the languages without spaces), so the model is one weight vector
and a bias in a small ``.npz`` with no vocabulary file. The feature function here is the single
source for runtime and for ``export/safety/train_classifier.py``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from esc_edge.safety.normalise import fold, words

MODEL_FILE = "classifier.npz"
DEFAULT_BITS = 18
# Long messages are scored on overlapping windows; the riskiest window counts, so a risk
# sentence buried in a long message is not diluted by everything around it.
WINDOW_WORDS = 40
WINDOW_STEP = 20
MAX_WINDOWS = 64


def _hash(feature: str, mask: int) -> int:
    return zlib.crc32(feature.encode("utf-8")) & mask


def features(text: str, bits: int = DEFAULT_BITS) -> dict[int, float]:
    """Hashed, L2-normalised binary features of already-folded word text."""
    mask = (1 << bits) - 1
    tokens = text.split()
    found: set[int] = set()
    for i, token in enumerate(tokens):
        found.add(_hash("w:" + token, mask))
        if i:
            found.add(_hash(f"b:{tokens[i - 1]} {token}", mask))
        padded = f"<{token}>"
        for n in (3, 4, 5):
            for start in range(max(0, len(padded) - n + 1)):
                found.add(_hash("c:" + padded[start : start + n], mask))
    if not found:
        return {}
    value = 1.0 / float(np.sqrt(len(found)))
    return dict.fromkeys(found, value)


def windows(text: str) -> list[str]:
    """Folded word text of ``text``, split into overlapping windows when it is long."""
    tokens = words(fold(text)).split()
    if len(tokens) <= WINDOW_WORDS:
        return [" ".join(tokens)] if tokens else []
    out = []
    for start in range(0, len(tokens) - WINDOW_STEP, WINDOW_STEP):
        out.append(" ".join(tokens[start : start + WINDOW_WORDS]))
        if len(out) >= MAX_WINDOWS:
            break
    return out


@dataclass(frozen=True)
class HashedLogReg:
    weights: np.ndarray  # float32, shape (2**bits,)
    bias: float
    bits: int

    @classmethod
    def load(cls, path: str | Path | None = None) -> HashedLogReg:
        if path is None:
            with resources.as_file(resources.files("esc_edge.safety.data") / MODEL_FILE) as p:
                return cls.load(p)
        with np.load(path) as data:
            weights = data["weights"].astype(np.float32)
            bits = int(data["bits"])
            bias = float(data["bias"])
        if weights.shape != (1 << bits,):
            raise ValueError(f"classifier weights have shape {weights.shape}, expected {1 << bits}")
        return cls(weights, bias, bits)

    def score_words(self, text: str) -> float:
        feats = features(text, self.bits)
        if not feats:
            return 0.0
        idx = np.fromiter(feats.keys(), dtype=np.int64, count=len(feats))
        logit = float(self.weights[idx].sum()) * next(iter(feats.values())) + self.bias
        return float(1.0 / (1.0 + np.exp(-logit)))

    def predict(self, text: str) -> float:
        """Probability that ``text`` describes a crisis (the riskiest window of a long text)."""
        return max((self.score_words(w) for w in windows(text)), default=0.0)
