"""The model registry: known models, their files, checksums, licences and where to fetch them."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from esc_edge.errors import ConfigError, ModelNotFoundError

ROLES = ("policy", "adapter", "planner")
# "composite": a policy made of a base entry plus an adapter entry; it has no file of its own.
SOURCE_TYPES = ("pypi-wheel", "package", "composite")


@dataclass(frozen=True)
class Source:
    type: str  # "pypi-wheel" | "package"
    options: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> str:
        value = self.options.get(key)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"model source of type {self.type!r} needs a {key!r} string")
        return value


@dataclass(frozen=True)
class ModelSpec:
    name: str
    role: str
    description: str
    file: str
    format: str
    sha256: str | None
    size: int | None
    license: str
    source: Source
    params_m: float | None = None
    chat_template: str | None = None
    adapter: str | None = None  # a policy = base GGUF + this adapter entry
    base: str | None = None  # an adapter names the base it was trained on
    # The policy's own decoding settings (the layout of the config file's `decoding:` section),
    # applied over the packaged decoding.yaml and under the user's: what it was measured with.
    decoding: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Registry:
    models: Mapping[str, ModelSpec]
    defaults: Mapping[str, str | None]

    def get(self, name: str) -> ModelSpec:
        try:
            return self.models[name]
        except KeyError:
            known = ", ".join(sorted(self.models))
            raise ModelNotFoundError(
                f"unknown model {name!r}", hint=f"known models: {known}; or pass a local file"
            ) from None

    def default(self, role: str) -> str | None:
        return self.defaults.get(role)

    def by_role(self, role: str) -> list[ModelSpec]:
        return [m for m in self.models.values() if m.role == role]


def _spec(name: str, raw: Mapping[str, Any]) -> ModelSpec:
    role = raw.get("role")
    if role not in ROLES:
        raise ConfigError(f"model {name!r}: role must be one of {ROLES}, not {role!r}")
    source_raw = dict(raw.get("source") or {})
    source_type = source_raw.pop("type", None)
    if source_type is None and raw.get("adapter"):
        source_type = "composite"
    if source_type not in SOURCE_TYPES:
        raise ConfigError(f"model {name!r}: unknown source type {source_type!r}")
    return ModelSpec(
        name=name,
        role=role,
        description=str(raw.get("description", "")),
        file=str(raw.get("file", "")),
        format=str(raw.get("format", "gguf")),
        sha256=raw.get("sha256"),
        size=raw.get("size"),
        license=str(raw.get("license", "unknown")),
        source=Source(source_type, source_raw),
        params_m=raw.get("params_m"),
        chat_template=raw.get("chat_template"),
        adapter=raw.get("adapter"),
        base=raw.get("base"),
        decoding=_decoding(name, raw.get("decoding")),
    )


def _decoding(name: str, raw: Any) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"model {name!r}: decoding must be a mapping like the config's decoding: section")
    return dict(raw)


def parse(data: Mapping[str, Any]) -> Registry:
    models = {name: _spec(name, raw) for name, raw in (data.get("models") or {}).items()}
    defaults = dict(data.get("defaults") or {})
    for spec in models.values():
        if spec.source.type == "composite":
            _check_composite(spec, models)
    for role, name in defaults.items():
        if name is not None and name not in models:
            raise ConfigError(f"default {role} model {name!r} is not in the registry")
    return Registry(models=models, defaults=defaults)


def _check_composite(spec: ModelSpec, models: Mapping[str, ModelSpec]) -> None:
    base, adapter = models.get(spec.base or ""), models.get(spec.adapter or "")
    if base is None or base.role != "policy" or base.source.type == "composite":
        raise ConfigError(f"policy {spec.name!r}: base {spec.base!r} must be a plain policy entry")
    if adapter is None or adapter.role != "adapter":
        raise ConfigError(f"policy {spec.name!r}: adapter {spec.adapter!r} must be an adapter entry")
    if adapter.base and adapter.base != base.name:
        raise ConfigError(
            f"policy {spec.name!r}: adapter {adapter.name!r} was trained on {adapter.base!r}, "
            f"not {base.name!r}"
        )


@functools.cache
def load_registry() -> Registry:
    text = resources.files("esc_edge.models").joinpath("registry.yaml").read_text("utf-8")
    return parse(yaml.safe_load(text))


def package_path(relative: str) -> Path:
    """Absolute path of a file shipped inside the esc_edge package."""
    return Path(str(resources.files("esc_edge").joinpath(relative)))
