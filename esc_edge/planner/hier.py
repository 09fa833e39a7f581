"""The hierarchical planner: each utterance encoded once and cached, a small numpy head over the last few.

A turn only encodes the utterances the planner has not seen yet (normally the supporter's last
reply and the new seeker message), each on its own and short, instead of the whole reversed
dialogue at 256 tokens. The context head runs in numpy over the last ``k`` utterance vectors (plus
speaker, the strategy each supporter utterance used, and ``strategy_features``).

Files, next to the shipped planner's (the encoder and tokenizer are shared): ``hier.json`` (format,
labels, ``k``, token limit, file names, ``strategy_bias``) and ``hier_head.npz`` (the head weights;
several seed members are averaged). Run time needs onnxruntime, tokenizers and numpy only.

Calibration: ``strategy_bias`` in ``hier.json`` maps every strategy label to a number added to the
log of the averaged strategy distribution before the final softmax (absent = all zeros). The
trained head over-predicts the frequent strategies; the exporter fits this bias on valid
(``export/planner/calibrate.py``) so that the predicted mix is closer to the gold one. It is plain
JSON on purpose: a deployment can shift the planner's preferences without retraining.

Thread safety: the session, tokenizer and head are read-only after loading; the utterance cache is
a bounded LRU behind a lock, so :meth:`HierPlanner.plan` may be called from several threads.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from esc_edge.conversation import Turn
from esc_edge.errors import ModelCorruptError
from esc_edge.planner.base import planners
from esc_edge.planner.features import feature_names, strategy_features
from esc_edge.planner.onnx import (
    DEFAULT_MODEL_DIR,
    ProbabilityPlanner,
    _load_session,
    _load_tokenizer,
    _softmax,
    check_compatible,
    check_turns,
    model_files,
    read_config,
)
from esc_edge.planner.strategies import INDEX, NAMES

CONFIG_FILE = "hier.json"
CONFIG_FORMAT = "esc-edge.planner-hier/1"
MAX_CHARS = 600
DEFAULT_CACHE_SIZE = 4096
_REBUILD_HINT = "reinstall esc-edge, or rebuild the hierarchical planner (export/planner/README.md)"
# Speaker ids and strategy ids as the head was trained (0 = padding / no strategy).
_SPEAKER_ID = {"seeker": 1, "supporter": 2}
_NO_STRATEGY_ID = 1 + len(NAMES)
_MEMBER_KEYS = (
    "proj_W", "proj_b", "spk", "strat", "pos", "gru_Wih", "gru_Whh", "gru_bih", "gru_bhh",
    "mix_W", "mix_b", "s_W", "s_b", "e_W", "e_b",
)  # fmt: skip


def utterance_text(turn: Turn) -> str:
    """The text the encoder reads for one utterance (speaker-tagged, whitespace-normalised)."""
    return f"[{turn.speaker}] " + " ".join(turn.text.split())[:MAX_CHARS]


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class UtteranceCache:
    """Bounded LRU of utterance vectors keyed by a hash of the encoded text; thread-safe."""

    def __init__(self, capacity: int = DEFAULT_CACHE_SIZE) -> None:
        if capacity < 1:
            raise ValueError("cache capacity must be at least 1")
        self.capacity = capacity
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            vector = self._data.get(key)
            if vector is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return vector

    def put(self, key: str, vector: np.ndarray) -> None:
        vector.setflags(write=False)
        with self._lock:
            self._data[key] = vector
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)


@dataclass(frozen=True)
class HierConfig:
    labels: tuple[str, ...]
    emotion_labels: tuple[str, ...]
    k: int
    max_tokens: int
    onnx_file: str
    tokenizer_file: str
    head_file: str
    raw: Mapping[str, Any]
    strategy_bias: np.ndarray

    @classmethod
    def load(cls, model_dir: Path) -> HierConfig:
        path = model_dir / CONFIG_FILE
        raw = read_config(path, "hierarchical planner")
        try:
            config = cls(
                labels=tuple(raw["labels"]),
                emotion_labels=tuple(raw["emotion_labels"]),
                k=int(raw["k"]),
                max_tokens=int(raw["max_tokens"]),
                onnx_file=str(raw["onnx_file"]),
                tokenizer_file=str(raw["tokenizer_file"]),
                head_file=str(raw["head_file"]),
                raw=raw,
                strategy_bias=_strategy_bias(raw.get("strategy_bias"), tuple(raw["labels"]), path),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelCorruptError(
                f"hierarchical planner config {path} is unreadable: {exc}", hint=_REBUILD_HINT
            ) from None
        check_compatible(raw, config.labels, "hierarchical planner", CONFIG_FORMAT)
        if not config.emotion_labels or not 1 <= config.k <= 256 or config.max_tokens < 8:
            raise ModelCorruptError("hierarchical planner config has out-of-range values", hint=_REBUILD_HINT)
        return config


# Larger shifts than this would make the head's output irrelevant: a sign of a broken file.
MAX_STRATEGY_BIAS = 10.0


def _strategy_bias(raw: object, labels: tuple[str, ...], path: Path) -> np.ndarray:
    """``strategy_bias`` as an array in label order; every label must be given, each finite."""
    if raw is None:
        return np.zeros(len(labels))
    if not isinstance(raw, Mapping) or set(raw) != set(labels):
        raise ModelCorruptError(
            f"hierarchical planner config {path}: strategy_bias must map every strategy label "
            "(and nothing else) to a number",
            hint=_REBUILD_HINT,
        )
    values = []
    for label in labels:
        value = raw[label]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ModelCorruptError(
                f"hierarchical planner config {path}: strategy_bias[{label!r}] is not a number",
                hint=_REBUILD_HINT,
            )
        values.append(float(value))
    bias = np.asarray(values)
    if not np.isfinite(bias).all() or np.abs(bias).max() > MAX_STRATEGY_BIAS:
        raise ModelCorruptError(
            f"hierarchical planner config {path}: strategy_bias values must be finite and within "
            f"+-{MAX_STRATEGY_BIAS}",
            hint=_REBUILD_HINT,
        )
    return bias


def _sigmoid(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return result


@dataclass(frozen=True)
class HierHead:
    """Seed members of the GRU context head, as float32 arrays (torch's GRU gate order r, z, n)."""

    members: tuple[dict[str, np.ndarray], ...]
    emb_mean: np.ndarray
    emb_std: np.ndarray
    strategy_adjust: np.ndarray
    strategy_bias: np.ndarray

    @classmethod
    def load(cls, path: Path, config: HierConfig, n_features: int) -> HierHead:
        try:
            with np.load(path, allow_pickle=False) as data:
                n = int(data["n_members"])
                members = tuple(
                    {k: np.asarray(data[f"m{i}.{k}"], dtype=np.float32) for k in _MEMBER_KEYS}
                    for i in range(n)
                )
                head = cls(
                    members,
                    np.asarray(data["emb_mean"], dtype=np.float32),
                    np.asarray(data["emb_std"], dtype=np.float32),
                    np.asarray(data["strategy_adjust"], dtype=np.float64),
                    config.strategy_bias,
                )
        except (OSError, ValueError, KeyError, EOFError, TypeError) as exc:
            raise ModelCorruptError(
                f"hierarchical planner head {path} is unreadable: {exc}", hint=_REBUILD_HINT
            ) from None
        head._check(path, config, n_features)
        return head

    def _check(self, path: Path, config: HierConfig, n_features: int) -> None:
        def bad(what: str) -> ModelCorruptError:
            return ModelCorruptError(f"hierarchical planner head {path}: {what}", hint=_REBUILD_HINT)

        if not self.members:
            raise bad("no members")
        width = self.emb_mean.shape[0]
        if self.emb_std.shape != (width,) or self.strategy_adjust.shape != (len(config.labels),):
            raise bad("wrong normalisation or adjustment shape")
        # every member must have the first one's shapes: they run as one stacked batch
        hidden = self.members[0]["proj_W"].shape[1]
        for m in self.members:
            shapes = {
                "proj_W": (width, hidden),
                "proj_b": (hidden,),
                "spk": (3, hidden),
                "strat": (_NO_STRATEGY_ID + 1, hidden),
                "pos": (config.k, hidden),
                "gru_Wih": (3 * hidden, hidden),
                "gru_Whh": (3 * hidden, hidden),
                "gru_bih": (3 * hidden,),
                "gru_bhh": (3 * hidden,),
                "mix_W": (hidden + n_features, hidden),
                "mix_b": (hidden,),
                "s_W": (hidden, len(config.labels)),
                "s_b": (len(config.labels),),
                "e_W": (hidden, len(config.emotion_labels)),
                "e_b": (len(config.emotion_labels),),
            }
            for name, shape in shapes.items():
                if m[name].shape != shape:
                    raise bad(f"{name} has shape {m[name].shape}, expected {shape}")
            if not all(np.isfinite(a).all() for a in m.values()):
                raise bad("non-finite weights")

    @property
    def width(self) -> int:
        return int(self.emb_mean.shape[0])

    @cached_property
    def _stacked(self) -> dict[str, np.ndarray]:
        # All members run as one batch (leading member axis): the GRU's Python loop then costs
        # k steps instead of k * members, which keeps a 5-member, 20-utterance head near 1 ms.
        stacked = {key: np.stack([m[key] for m in self.members]) for key in _MEMBER_KEYS}
        for key in ("gru_Wih", "gru_Whh"):
            stacked[key] = np.ascontiguousarray(stacked[key].transpose(0, 2, 1))
        return stacked

    def probabilities(
        self, vectors: np.ndarray, speakers: np.ndarray, strategies: np.ndarray, features: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Right-aligned window of ``k`` slots (speaker 0 = empty slot) -> (strategy p, emotion p)."""
        m = self._stacked
        filled = speakers > 0
        x = np.where(filled[:, None], (vectors - self.emb_mean) / self.emb_std, 0.0).astype(np.float32)
        tokens = np.tanh(
            x @ m["proj_W"]
            + m["proj_b"][:, None, :]
            + m["spk"][:, speakers]
            + m["strat"][:, strategies]
            + m["pos"]
        )  # (members, k, hidden)
        tokens = tokens * filled[None, :, None]
        gates_x = tokens @ m["gru_Wih"] + m["gru_bih"][:, None, :]
        n_members, _, hidden = tokens.shape
        h = np.zeros((n_members, hidden), dtype=np.float32)
        for t in range(tokens.shape[1]):
            gh = (h[:, None, :] @ m["gru_Whh"])[:, 0] + m["gru_bhh"]
            gx = gates_x[:, t]
            r = _sigmoid(gx[:, :hidden] + gh[:, :hidden])
            z = _sigmoid(gx[:, hidden : 2 * hidden] + gh[:, hidden : 2 * hidden])
            n = np.tanh(gx[:, 2 * hidden :] + r * gh[:, 2 * hidden :])
            h = (1.0 - z) * n + z * h
        joined = np.concatenate([h, np.broadcast_to(features, (n_members, features.shape[0]))], axis=1)
        mixed = np.maximum((joined[:, None, :] @ m["mix_W"])[:, 0] + m["mix_b"], 0.0)
        s_p = _softmax_rows(((mixed[:, None, :] @ m["s_W"])[:, 0] + m["s_b"]).astype(np.float64))
        e_p = _softmax_rows(((mixed[:, None, :] @ m["e_W"])[:, 0] + m["e_b"]).astype(np.float64))
        # Logit adjustment (head file) and calibration bias (hier.json), both tuned on valid.
        log_p = np.log(np.clip(s_p.mean(0), 1e-12, None))
        strategy_p = _softmax(log_p - self.strategy_adjust + self.strategy_bias)
        emotion_p: np.ndarray = e_p.mean(0)
        return strategy_p, emotion_p


def _softmax_rows(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: np.ndarray = shifted / shifted.sum(axis=1, keepdims=True)
    return result


class HierPlanner(ProbabilityPlanner):
    """Strategy and emotion planner that encodes each utterance once (see the module docstring)."""

    config: HierConfig

    def __init__(
        self,
        model_dir: Path,
        config: HierConfig,
        session: Any,
        tokenizer: Any,
        head: HierHead,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.model_dir = model_dir
        self.config = config
        self._session = session
        self._tokenizer = tokenizer
        self._head = head
        self._input_names = frozenset(i.name for i in session.get_inputs())
        self.cache = UtteranceCache(cache_size)

    @classmethod
    def from_dir(
        cls,
        model_dir: Path | str = DEFAULT_MODEL_DIR,
        *,
        threads: int = 1,
        providers: Sequence[str] = ("CPUExecutionProvider",),
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> HierPlanner:
        model_dir, config, paths = model_files(model_dir, HierConfig.load, ("onnx", "tokenizer", "head"))
        _check_encoder(paths["onnx"], config.raw.get("encoder_sha256"))
        head = HierHead.load(paths["head"], config, len(feature_names()))
        tokenizer = _load_tokenizer(paths["tokenizer"], config.max_tokens)
        session = _load_session(paths["onnx"], threads, providers)
        planner = cls(model_dir, config, session, tokenizer, head, cache_size)
        planner._check_width()
        return planner

    # -- public API -----------------------------------------------------------------------------
    def probabilities(self, turns: Sequence[Turn]) -> tuple[np.ndarray, np.ndarray]:
        k = self.config.k
        window = list(turns[-k:])
        pad = k - len(window)
        vectors = np.zeros((k, self._head.width), dtype=np.float32)
        speakers = np.zeros(k, dtype=np.int64)
        strategies = np.zeros(k, dtype=np.int64)
        if window:
            vectors[pad:] = self.encode([utterance_text(t) for t in window])
        for slot, turn in enumerate(window, start=pad):
            speakers[slot] = _SPEAKER_ID[turn.speaker]
            if turn.speaker == "supporter":
                strategies[slot] = 1 + INDEX[turn.strategy] if turn.strategy in INDEX else _NO_STRATEGY_ID
        features = np.asarray(strategy_features(turns), dtype=np.float32)
        return self._head.probabilities(vectors, speakers, strategies, features)

    def remember(self, turns: Sequence[Turn]) -> None:
        """Encode and cache ``turns`` ahead of the next plan (e.g. the reply just sent, while the
        seeker types), so that plan only pays for the seeker's new message."""
        check_turns(turns)
        self.encode([utterance_text(t) for t in list(turns)[-self.config.k :]])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Mean-pooled vectors of ``texts``; cached ones are not encoded again."""
        keys = [_key(t) for t in texts]
        out = np.zeros((len(texts), self._head.width), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            vector = self.cache.get(key)
            if vector is None:
                missing.setdefault(key, []).append(i)
            else:
                out[i] = vector
        if missing:
            todo = list(missing)
            vectors = self._encode_batch([texts[missing[key][0]] for key in todo])
            for key, vector in zip(todo, vectors, strict=True):
                self.cache.put(key, vector)
                out[missing[key]] = vector
        return out

    # -- internals ------------------------------------------------------------------------------
    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(["last_hidden_state"], feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled: np.ndarray = ((hidden * weights).sum(1) / weights.sum(1)).astype(np.float32)
        return pooled

    def _check_width(self) -> None:
        outputs = {o.name: o for o in self._session.get_outputs()}
        if "last_hidden_state" not in outputs:
            raise ModelCorruptError(
                "planner ONNX model has no 'last_hidden_state' output", hint=_REBUILD_HINT
            )
        shape = outputs["last_hidden_state"].shape
        if isinstance(shape[-1], int) and shape[-1] != self._head.width:
            raise ModelCorruptError(
                f"planner head expects width {self._head.width}, the encoder outputs {shape[-1]}",
                hint=_REBUILD_HINT,
            )


def _check_encoder(path: Path, expected: object) -> None:
    # The encoder file is shared with the whole-dialogue planner: a rebuild of that planner
    # replaces it with one of the same size that this head was never trained on.
    if expected is None:
        return
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ModelCorruptError(
            f"planner encoder {path} is not the one the hierarchical head was validated with",
            hint="rebuild the head with export/planner/hier_export.py after rebuilding the encoder",
        )


planners.add("hier", HierPlanner.from_dir)
