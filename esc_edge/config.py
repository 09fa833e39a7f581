"""Settings from one source, in one order: defaults < YAML file < environment < flags.

The API and the CLI both build :class:`Settings` with :func:`load_settings`; every value remembers
where it came from, which `esc-edge config` shows.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from esc_edge.errors import ConfigError

ENV_PREFIX = "ESC_EDGE_"
CONFIG_ENV = "ESC_EDGE_CONFIG"


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse_optional(value: Any) -> Any:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
            return None
        return parse(value)

    return parse_optional


def _path(value: Any) -> Path:
    return Path(str(value)).expanduser()


def _positive_int(value: Any) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(f"must be positive, got {number}")
    return number


def _unit_float(value: Any) -> float:
    number = float(value)
    if not 0.0 <= number <= 2.0:
        raise ValueError(f"must be between 0 and 2, got {number}")
    return number


@dataclass(frozen=True)
class Settings:
    """Every knob of the engine. Field metadata: ``parse`` (str|yaml value -> typed) and ``help``."""

    policy: str | None = field(
        default=None,
        metadata={
            "parse": _optional(str),
            "help": "policy model name from the registry (default: the registry's default)",
        },
    )
    model: Path | None = field(
        default=None,
        metadata={"parse": _optional(_path), "help": "a local GGUF file to use instead of a registry policy"},
    )
    lora: Path | None = field(
        default=None,
        metadata={"parse": _optional(_path), "help": "a LoRA GGUF applied to --model at load time"},
    )
    planner: str = field(
        default="hier", metadata={"parse": str, "help": "planner implementation: hier | onnx | none"}
    )
    planner_model: str | None = field(
        default=None,
        metadata={"parse": _optional(str), "help": "planner model name (default: the registry's default)"},
    )
    strategy: str | None = field(
        default=None,
        metadata={"parse": _optional(str), "help": "use this strategy for every turn instead of planning"},
    )
    generator: str = field(default="llama", metadata={"parse": str, "help": "generator backend"})
    safety: str = field(default="layered", metadata={"parse": str, "help": "safety check implementation"})
    locale: str = field(
        default="en-US",
        metadata={"parse": str, "help": "locale for helplines and emergency numbers in safety replies"},
    )
    careful_turns: int = field(
        default=3, metadata={"parse": int, "help": "seeker turns handled in careful mode after a crisis"}
    )
    runtime: str = field(
        default="auto",
        metadata={"parse": str, "help": "hardware profile: auto | cpu | cuda | metal | vulkan"},
    )
    threads: int | None = field(
        default=None,
        metadata={
            "parse": _optional(_positive_int),
            "help": "generation threads (default: chosen by the runtime profile and model size)",
        },
    )
    n_ctx: int = field(default=2048, metadata={"parse": _positive_int, "help": "context window in tokens"})
    max_message_chars: int = field(
        default=4000, metadata={"parse": _positive_int, "help": "longest accepted seeker message"}
    )
    word_budget: int = field(default=30, metadata={"parse": _positive_int, "help": "most words in a reply"})
    min_words: int = field(default=12, metadata={"parse": int, "help": "fewest words before a reply may end"})
    constraints: bool = field(
        default=True,
        metadata={"parse": _to_bool, "help": "steer decoding (length, questions, formulas, role breaks)"},
    )
    candidates: int = field(
        default=1,
        metadata={
            "parse": _positive_int,
            "help": "sample this many replies and keep the one closest to the others (1: no reranking)",
        },
    )
    chooser: str = field(
        default="consensus",
        metadata={
            "parse": str,
            "help": "how to pick among the candidates: consensus (closest to the others) | learned "
            "(a fitted ranker; draws the greedy reply plus candidates - 1 samples)",
        },
    )
    temperature: float | None = field(
        default=None,
        metadata={
            "parse": _optional(_unit_float),
            "help": "sampling temperature for every strategy (overrides decoding.yaml)",
        },
    )
    seed: int | None = field(
        default=None, metadata={"parse": _optional(int), "help": "sampling seed for reproducible replies"}
    )
    models_dir: Path | None = field(
        default=None, metadata={"parse": _optional(_path), "help": "where pulled models are cached"}
    )
    history_path: Path | None = field(
        default=None,
        metadata={"parse": _optional(_path), "help": "SQLite file of saved chats (default: user data dir)"},
    )
    host: str = field(
        default="127.0.0.1",
        metadata={"parse": str, "help": "address `esc-edge serve` listens on (keep loopback unless needed)"},
    )
    port: int = field(default=8765, metadata={"parse": int, "help": "port of `esc-edge serve` (0: any free)"})
    max_body_bytes: int = field(
        default=1_000_000, metadata={"parse": _positive_int, "help": "largest request body the server reads"}
    )
    max_pending: int = field(
        default=16,
        metadata={"parse": _positive_int, "help": "replies waiting or running at once before 'busy' (503)"},
    )
    decoding: Mapping[str, Any] = field(
        default_factory=dict,
        metadata={"parse": dict, "help": "per-strategy decoding settings (YAML only)", "env": False},
    )

    sources: Mapping[str, str] = field(
        default_factory=dict, compare=False, repr=False, metadata={"internal": True}
    )

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def describe(self) -> list[tuple[str, Any, str]]:
        """(name, value, source) for every setting, for `esc-edge config`."""
        return [(f.name, getattr(self, f.name), self.sources.get(f.name, "default")) for f in _fields()]


def _fields() -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(Settings) if not f.metadata.get("internal")]


FIELD_NAMES = tuple(f.name for f in _fields())


def default_config_path() -> Path:
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("esc-edge", appauthor=False)) / "config.yaml"


def _parse(name: str, raw: Any, origin: str) -> Any:
    spec = next(f for f in _fields() if f.name == name)
    try:
        return spec.metadata["parse"](raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{origin}: invalid value for {name!r}: {exc}") from None


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of setting: value")
    unknown = sorted(set(data) - set(FIELD_NAMES))
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown setting(s) {', '.join(unknown)}",
            hint="see `esc-edge config` for the known settings",
        )
    return data


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the YAML file, ``ESC_EDGE_*`` variables and ``flags`` (None = not given)."""
    environ = os.environ if environ is None else environ
    path = config_path if config_path is not None else default_config_path()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, raw in read_config_file(path).items():
        values[name] = _parse(name, raw, f"config file {path}")
        sources[name] = f"file {path}"
    for spec in _fields():
        env_name = ENV_PREFIX + spec.name.upper()
        if spec.metadata.get("env", True) and env_name in environ:
            values[spec.name] = _parse(spec.name, environ[env_name], f"environment {env_name}")
            sources[spec.name] = f"env {env_name}"
    for name, raw in (flags or {}).items():
        if raw is None:
            continue
        if name not in FIELD_NAMES:
            raise ConfigError(f"unknown setting {name!r}")
        values[name] = _parse(name, raw, f"option --{name.replace('_', '-')}")
        sources[name] = "flag"
    return Settings(**values, sources=sources)
