"""The meaning layer: static sentence-encoder vectors and a small MLP head, in numpy.

Word rules and hashed n-grams only know the words they were trained on; blind rounds kept
finding plans, goodbyes and means in words nobody had listed. A sentence encoder knows that
"tablets" and "pills", "the drop from my window" and "the bridge" are near each other, but a
full encoder pass costs more than the whole 5 ms budget on one core. So every WordPiece of the
encoder's vocabulary was passed through it once, on its own (``export/safety/distill_static.py``),
and its output kept as a fixed vector (reduced and stored as int8 rows with one scale each). A
message is the weighted mean of its pieces' vectors: a few hundred microseconds, no ONNX.
The head is one hidden ReLU layer and a logistic output, trained by
``export/safety/train_classifier.py``; the same file holds the vocabulary, so nothing else is
needed at run time.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from esc_edge.safety.classifier import windows

MODEL_FILE = "embedding_head.npz"
MAX_WORD_CHARS = 100
# Cap on pieces per window: bounds the cost of pathological input (one 10k-char "word").
MAX_PIECES = 256


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def basic_words(text: str) -> list[str]:
    """Lowercased, accent-free words with punctuation and CJK characters split off (the
    encoder's own pre-tokenisation, so pieces match the ones its vectors were made from)."""
    text = unicodedata.normalize("NFD", text.lower())
    out: list[str] = []
    word: list[str] = []

    def flush() -> None:
        if word:
            out.append("".join(word))
            word.clear()

    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Mn":
            continue
        if ch.isspace() or cat.startswith("C"):
            flush()
        elif _is_punct(ch) or _is_cjk(ord(ch)):
            flush()
            out.append(ch)
        else:
            word.append(ch)
    flush()
    return out


def pack(values: np.ndarray, bits: int) -> np.ndarray:
    """int8 rows in [-7, 7] as two 4-bit codes per byte (``bits=4``), else unchanged."""
    if bits == 8:
        return values.astype(np.int8)
    if values.shape[1] % 2:
        raise ValueError("4-bit packing needs an even width")
    codes = (values.astype(np.int16) + 8).astype(np.uint8)
    return (codes[:, 0::2] << 4 | codes[:, 1::2]).astype(np.uint8)


def unpack(stored: np.ndarray, bits: int) -> np.ndarray:
    if bits == 8:
        return stored.astype(np.int8)
    if bits != 4:
        raise ValueError(f"embedding vectors: unsupported width {bits} bits")
    out = np.empty((stored.shape[0], stored.shape[1] * 2), dtype=np.int8)
    out[:, 0::2] = (stored >> 4).astype(np.int8) - 8
    out[:, 1::2] = (stored & 0x0F).astype(np.int8) - 8
    return out


@dataclass(frozen=True)
class EmbeddingHead:
    vocab: dict[str, int]
    vectors: np.ndarray  # int8, (pieces, dim)
    scales: np.ndarray  # float32, (pieces,)
    w1: np.ndarray  # (dim, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden,)
    b2: float
    unk: int

    @classmethod
    def from_arrays(
        cls, vocab: list[str], codes: np.ndarray, *, bits: int, scales: np.ndarray | None = None
    ) -> EmbeddingHead:
        """A head with these vectors and an untrained (zero) MLP: for building and training."""
        dim = codes.shape[1]
        zeros = np.zeros(1, dtype=np.float32)
        return cls(
            {p: i for i, p in enumerate(vocab)},
            unpack(pack(codes, bits), bits),
            np.ones(len(vocab), np.float32) if scales is None else scales.astype(np.float32),
            np.zeros((dim, 1), np.float32),
            zeros,
            zeros,
            0.0,
            vocab.index("[UNK]") if "[UNK]" in vocab else 0,
        )

    @classmethod
    def load(cls, path: str | Path | None = None) -> EmbeddingHead:
        if path is None:
            with resources.as_file(resources.files("esc_edge.safety.data") / MODEL_FILE) as p:
                return cls.load(p)
        with np.load(path, allow_pickle=False) as data:
            pieces = bytes(data["vocab"]).decode("utf-8").split("\n")
            vectors = unpack(data["vectors"], int(data["bits"]))
            scales = data["scales"].astype(np.float32)
            w1 = data["w1"].astype(np.float32)
            b1 = data["b1"].astype(np.float32)
            w2 = data["w2"].astype(np.float32).reshape(-1)
            b2 = float(data["b2"])
        if vectors.shape[0] != len(pieces) or scales.shape != (len(pieces),):
            raise ValueError("embedding head: vocabulary, vectors and scales disagree")
        if w1.shape != (vectors.shape[1], w2.shape[0]) or b1.shape != w2.shape:
            raise ValueError("embedding head: layer shapes disagree")
        vocab = {p: i for i, p in enumerate(pieces)}
        return cls(vocab, vectors, scales, w1, b1, w2, b2, vocab.get("[UNK]", 0))

    def pieces(self, text: str) -> list[int]:
        """WordPiece ids: greedy longest match, continuation pieces prefixed with ##."""
        ids: list[int] = []
        vocab = self.vocab
        for word in basic_words(text):
            if len(word) > MAX_WORD_CHARS:
                ids.append(self.unk)
                continue
            start, found = 0, []
            while start < len(word):
                end = len(word)
                piece = None
                while start < end:
                    sub = word[start:end] if start == 0 else "##" + word[start:end]
                    if sub in vocab:
                        piece = vocab[sub]
                        break
                    end -= 1
                if piece is None:
                    found = [self.unk]
                    break
                found.append(piece)
                start = end
            ids.extend(found)
            if len(ids) >= MAX_PIECES:
                break
        return ids[:MAX_PIECES]

    def embed(self, text: str) -> np.ndarray:
        """Unit-length mean vector of the pieces of ``text`` (zeros when it has none)."""
        ids = self.pieces(text)
        if not ids:
            return np.zeros(self.vectors.shape[1], dtype=np.float32)
        idx = np.asarray(ids, dtype=np.int64)
        mean = (self.vectors[idx].astype(np.float32) * self.scales[idx, None]).mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else mean

    def logit(self, vector: np.ndarray) -> float:
        hidden = np.maximum(vector @ self.w1 + self.b1, 0.0)
        return float(hidden @ self.w2 + self.b2)

    def predict(self, text: str) -> float:
        """Probability that ``text`` describes a crisis (the riskiest window of a long text)."""
        best = None
        for window in windows(text):
            z = self.logit(self.embed(window))
            best = z if best is None else max(best, z)
        return 0.0 if best is None else float(1.0 / (1.0 + np.exp(-best)))
