"""The shipped strategy planner: a MiniLM encoder in int8 ONNX plus two small numpy heads.

Run time needs onnxruntime, tokenizers and numpy only. The model directory holds
``config.json`` (labels, max_length, feature layout, file names), ``tokenizer.json``, the encoder
(``planner.int8.onnx``, output ``last_hidden_state``) and ``heads.npz`` (strategy and emotion heads
as ``x @ W + b`` over ``[mean-pooled encoder output ; strategy_features(turns)]``).

The session, tokenizer and heads are loaded once and never mutated afterwards, so :meth:`plan`
may be called from several threads at once (onnxruntime sessions allow concurrent ``run``).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from esc_edge.conversation import SPEAKERS, Conversation, Turn
from esc_edge.errors import (
    BackendUnavailableError,
    InputError,
    ModelCorruptError,
    ModelNotFoundError,
)
from esc_edge.planner.base import Plan, planners
from esc_edge.planner.features import (
    FEATURES_VERSION,
    feature_names,
    planner_text,
    strategy_features,
)
from esc_edge.planner.strategies import NAMES

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"
CONFIG_FILE = "config.json"
CONFIG_FORMAT = "esc-edge.planner/1"
_REBUILD_HINT = "reinstall esc-edge, or rebuild the planner with export/planner (see its README)"


def read_config(path: Path, what: str) -> dict[str, Any]:
    """A planner directory's JSON config: missing -> ModelNotFoundError, unreadable -> ModelCorruptError.

    ``what`` names the planner in messages ("planner", "hierarchical planner").
    """
    if not path.is_file():
        raise ModelNotFoundError(f"no {what} in {path.parent} ({path.name} missing)", hint=_REBUILD_HINT)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelCorruptError(f"{what} config {path} is unreadable: {exc}", hint=_REBUILD_HINT) from None
    if not isinstance(raw, dict):
        raise ModelCorruptError(f"{what} config {path} is unreadable: not a JSON object", hint=_REBUILD_HINT)
    return raw


def check_compatible(raw: Mapping[str, Any], labels: Sequence[str], what: str, config_format: str) -> None:
    """Refuse a planner built for another config format, strategy list or feature layout."""
    if raw.get("format") != config_format:
        raise ModelCorruptError(
            f"{what} config format {raw.get('format')!r} is not {config_format!r}", hint=_REBUILD_HINT
        )
    if tuple(labels) != NAMES:
        raise ModelCorruptError(
            "the planner's strategy labels differ from this esc-edge version's strategies",
            hint=_REBUILD_HINT,
        )
    if raw.get("features_version") != FEATURES_VERSION:
        raise ModelCorruptError(
            f"the planner was trained on features v{raw.get('features_version')}"
            f", this esc-edge computes v{FEATURES_VERSION}",
            hint=_REBUILD_HINT,
        )


def check_plannable(turns: Sequence[Turn]) -> None:
    """A dialogue the planner can answer: valid turns, at least one of them the seeker's."""
    check_turns(turns)
    if not turns:
        raise InputError("cannot plan for an empty dialogue", hint="add the seeker's message first")
    if not any(t.speaker == "seeker" for t in turns):
        raise InputError(
            "the dialogue has no seeker turn",
            hint="the planner answers a seeker; add the seeker's message first",
        )


def plan_from(
    labels: Sequence[str], emotion_labels: Sequence[str], strategy_p: np.ndarray, emotion_p: np.ndarray
) -> Plan:
    """The Plan of two probability vectors in label order (argmax picks)."""
    return Plan(
        strategy=labels[int(strategy_p.argmax())],
        probs={n: float(p) for n, p in zip(labels, strategy_p, strict=True)},
        emotion=emotion_labels[int(emotion_p.argmax())],
        emotion_probs={n: float(p) for n, p in zip(emotion_labels, emotion_p, strict=True)},
    )


ConfigT = TypeVar("ConfigT")


def model_files(
    model_dir: Path | str, load_config: Callable[[Path], ConfigT], names: Sequence[str]
) -> tuple[Path, ConfigT, dict[str, Path]]:
    """(model dir, its loaded config, the files the config names as ``<name>_file``), each checked to
    exist: the first step of loading either planner."""
    model_dir = Path(model_dir).expanduser()
    if not model_dir.is_dir():
        raise ModelNotFoundError(f"planner model directory {model_dir} does not exist", hint=_REBUILD_HINT)
    config = load_config(model_dir)
    paths = {name: model_dir / getattr(config, f"{name}_file") for name in names}
    for name, path in paths.items():
        if not path.is_file():
            raise ModelNotFoundError(f"planner {name} file {path} is missing", hint=_REBUILD_HINT)
    return model_dir, config, paths


class LabelledConfig(Protocol):
    @property
    def labels(self) -> tuple[str, ...]: ...

    @property
    def emotion_labels(self) -> tuple[str, ...]: ...


class ProbabilityPlanner(ABC):
    """What both planners share: checks on the dialogue and probabilities -> :class:`Plan`.
    Subclasses provide ``config`` (the label orders) and :meth:`probabilities`."""

    config: LabelledConfig

    @abstractmethod
    def probabilities(self, turns: Sequence[Turn]) -> tuple[np.ndarray, np.ndarray]:
        """(strategy probabilities, emotion probabilities) as float64 arrays in label order."""

    def plan(self, conversation: Conversation) -> Plan:
        """Plan the supporter's next turn; the dialogue must contain at least one seeker turn."""
        turns = conversation.snapshot()
        check_plannable(turns)
        return self.predict(turns)

    def predict(self, turns: Sequence[Turn]) -> Plan:
        """Plan from any context, including an empty one (a supporter opening the dialogue).

        Evaluation uses this to score every gold supporter turn, exactly as the model was trained.
        """
        check_turns(turns)
        strategy_p, emotion_p = self.probabilities(turns)
        return plan_from(self.config.labels, self.config.emotion_labels, strategy_p, emotion_p)


@dataclass(frozen=True)
class PlannerConfig:
    labels: tuple[str, ...]
    emotion_labels: tuple[str, ...]
    max_length: int
    onnx_file: str
    tokenizer_file: str
    heads_file: str
    features_version: int
    raw: Mapping[str, Any]

    @classmethod
    def load(cls, model_dir: Path) -> PlannerConfig:
        path = model_dir / CONFIG_FILE
        raw = read_config(path, "planner")
        try:
            config = cls(
                labels=tuple(raw["labels"]),
                emotion_labels=tuple(raw["emotion_labels"]),
                max_length=int(raw["max_length"]),
                onnx_file=str(raw["onnx_file"]),
                tokenizer_file=str(raw["tokenizer_file"]),
                heads_file=str(raw["heads_file"]),
                features_version=int(raw["features_version"]),
                raw=raw,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelCorruptError(
                f"planner config {path} is unreadable: {exc}", hint=_REBUILD_HINT
            ) from None
        config.check()
        return config

    def check(self) -> None:
        check_compatible(self.raw, self.labels, "planner", CONFIG_FORMAT)
        if not self.emotion_labels or self.max_length < 8:
            raise ModelCorruptError(
                "planner config has no emotion labels or a tiny max_length", hint=_REBUILD_HINT
            )


@dataclass(frozen=True)
class Heads:
    strategy_w: np.ndarray
    strategy_b: np.ndarray
    emotion_w: np.ndarray
    emotion_b: np.ndarray

    @classmethod
    def load(cls, path: Path, in_dim_features: int, config: PlannerConfig) -> Heads:
        try:
            with np.load(path, allow_pickle=False) as data:
                heads = cls(
                    *(
                        np.asarray(data[k], dtype=np.float32)
                        for k in ("strategy_W", "strategy_b", "emotion_W", "emotion_b")
                    )
                )
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise ModelCorruptError(
                f"planner heads {path} are unreadable: {exc}", hint=_REBUILD_HINT
            ) from None
        expected = {
            "strategy": (len(config.labels), heads.strategy_w, heads.strategy_b),
            "emotion": (len(config.emotion_labels), heads.emotion_w, heads.emotion_b),
        }
        for name, (n_out, weight, bias) in expected.items():
            if (
                weight.ndim != 2
                or weight.shape[1] != n_out
                or bias.shape != (n_out,)
                or weight.shape[0] <= in_dim_features
            ):
                raise ModelCorruptError(
                    f"planner {name} head in {path} has the wrong shape {weight.shape}", hint=_REBUILD_HINT
                )
        for array in (heads.strategy_w, heads.emotion_w):
            array.setflags(write=False)
        return heads

    @property
    def hidden_size(self) -> int:
        return int(self.strategy_w.shape[0])


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max())
    result: np.ndarray = shifted / shifted.sum()
    return result


class OnnxPlanner(ProbabilityPlanner):
    """Predicts the next supporter strategy and the seeker's emotion with onnxruntime."""

    config: PlannerConfig

    def __init__(
        self, model_dir: Path, config: PlannerConfig, session: Any, tokenizer: Any, heads: Heads
    ) -> None:
        self.model_dir = model_dir
        self.config = config
        self._session = session
        self._tokenizer = tokenizer
        self._heads = heads
        self._input_names = frozenset(i.name for i in session.get_inputs())
        self._n_features = len(feature_names())

    @classmethod
    def from_dir(
        cls,
        model_dir: Path | str = DEFAULT_MODEL_DIR,
        *,
        threads: int = 1,
        providers: Sequence[str] = ("CPUExecutionProvider",),
    ) -> OnnxPlanner:
        model_dir, config, paths = model_files(model_dir, PlannerConfig.load, ("onnx", "tokenizer", "heads"))
        heads = Heads.load(paths["heads"], len(feature_names()), config)
        tokenizer = _load_tokenizer(paths["tokenizer"], config.max_length)
        session = _load_session(paths["onnx"], threads, providers)
        planner = cls(model_dir, config, session, tokenizer, heads)
        planner._check_hidden_size()
        return planner

    # -- public API -----------------------------------------------------------------------------
    def probabilities(self, turns: Sequence[Turn]) -> tuple[np.ndarray, np.ndarray]:
        """(strategy probabilities, emotion probabilities) as float64 arrays in label order."""
        pooled = self._pooled(planner_text(turns))
        features = np.asarray(strategy_features(turns), dtype=np.float32)
        joined = np.concatenate([pooled, features])
        heads = self._heads
        strategy_logits = joined @ heads.strategy_w + heads.strategy_b
        emotion_logits = joined @ heads.emotion_w + heads.emotion_b
        return (_softmax(strategy_logits.astype(np.float64)), _softmax(emotion_logits.astype(np.float64)))

    # -- internals ------------------------------------------------------------------------------
    def _pooled(self, text: str) -> np.ndarray:
        encoding = self._tokenizer.encode(text)
        ids = np.asarray([encoding.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(["last_hidden_state"], feeds)[0]
        # Batch of one with no padding: the mean over all tokens is the masked mean.
        pooled: np.ndarray = hidden[0].mean(axis=0).astype(np.float32)
        return pooled

    def _check_hidden_size(self) -> None:
        encoder_width = self._heads.hidden_size - self._n_features
        outputs = {o.name: o for o in self._session.get_outputs()}
        if "last_hidden_state" not in outputs:
            raise ModelCorruptError(
                "planner ONNX model has no 'last_hidden_state' output", hint=_REBUILD_HINT
            )
        shape = outputs["last_hidden_state"].shape
        if isinstance(shape[-1], int) and shape[-1] != encoder_width:
            raise ModelCorruptError(
                f"planner heads expect width {encoder_width}, the encoder outputs {shape[-1]}",
                hint=_REBUILD_HINT,
            )


def check_turns(turns: Sequence[Turn]) -> None:
    for index, turn in enumerate(turns):
        if turn.speaker not in SPEAKERS:
            raise InputError(
                f"turn {index}: unknown speaker {turn.speaker!r}", hint="turns use 'seeker' or 'supporter'"
            )
        if not isinstance(turn.text, str):
            raise InputError(f"turn {index}: 'text' must be a string")


def _load_tokenizer(path: Path, max_length: int) -> Any:
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise BackendUnavailableError(
            "the planner needs the 'tokenizers' package", hint="pip install tokenizers"
        ) from None
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # the Rust side raises plain Exception for bad files
        raise ModelCorruptError(
            f"planner tokenizer {path} is unreadable: {exc}", hint=_REBUILD_HINT
        ) from None
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


def _load_session(path: Path, threads: int, providers: Sequence[str]) -> Any:
    try:
        import onnxruntime as ort
    except ImportError:
        raise BackendUnavailableError(
            "the planner needs the 'onnxruntime' package", hint="pip install onnxruntime"
        ) from None
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, int(threads))
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=list(providers))
    except Exception as exc:  # onnxruntime raises its own unrelated exception types
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelCorruptError(
            f"planner ONNX file {path} cannot be loaded: {first_line[:200]}", hint=_REBUILD_HINT
        ) from None


planners.add("onnx", OnnxPlanner.from_dir)
