"""Builds the engine's parts from settings: which implementation, which model files, which threads.

Implementations are looked up by name in their registries; the modules that register them are
imported here, on demand, so `import esc_edge` stays light.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from esc_edge.config import Settings
from esc_edge.errors import ConfigError, ModelNotFoundError
from esc_edge.generation.base import (
    Constraints,
    DecodeOptions,
    Generator,
    GeneratorOptions,
    Vocabulary,
    generators,
)
from esc_edge.models.registry import ModelSpec
from esc_edge.models.store import ModelStore
from esc_edge.planner.base import Planner, planners
from esc_edge.runtime import RuntimeProfile
from esc_edge.safety.base import SafetyCheck, safety_checks

log = logging.getLogger("esc_edge")

# name -> module that registers it (imported only when chosen).
IMPLEMENTATIONS = {
    ("planner", "onnx"): "esc_edge.planner.onnx",
    ("planner", "hier"): "esc_edge.planner.hier",
    ("safety", "layered"): "esc_edge.safety.detector",
    ("generator", "llama"): "esc_edge.generation.llama",
}
# Bytes per parameter of a typical 4–5 bit GGUF, to size a local model file we know nothing about.
BYTES_PER_PARAM_GUESS = 0.72


@dataclass(frozen=True)
class PolicyFiles:
    model: Path
    lora: Path | None
    params_m: float | None
    name: str


def _load_impl(kind: str, name: str) -> None:
    module = IMPLEMENTATIONS.get((kind, name))
    if module is not None:
        importlib.import_module(module)


class Components:
    def __init__(
        self,
        settings: Settings,
        runtime: RuntimeProfile,
        pull: bool | Callable[[list[str]], bool] = False,
        store: ModelStore | None = None,
    ) -> None:
        self.settings = settings
        self.runtime = runtime
        self.pull = pull
        self.store = store if store is not None else ModelStore(cache_dir=settings.models_dir)
        self._decoding_settings: Settings | None = None

    # -- model files ---------------------------------------------------------------------------------
    def missing_models(self) -> list[str]:
        """Registry models this configuration needs that are not installed yet."""
        names = []
        if self.settings.model is None:
            names += self._policy_parts(self._policy_name())
        return [n for n in names if not self.store.is_installed(n)]

    def ensure_models(self) -> None:
        missing = self.missing_models()
        if not missing:
            return
        allowed = self.pull(missing) if callable(self.pull) else self.pull
        if not allowed:
            raise ModelNotFoundError(
                "model(s) not installed: " + ", ".join(missing),
                hint="run `esc-edge pull` (or pass pull=True / --yes)",
            )
        for name in missing:
            self.store.pull(name)

    def _policy_name(self) -> str:
        name = self.settings.policy or self.store.registry.default("policy")
        if not name:
            raise ConfigError("no policy model configured", hint="set policy or pass --model PATH")
        return name

    def _policy_parts(self, name: str) -> list[str]:
        spec = self.store.registry.get(name)
        if spec.adapter:
            return [self._base_of(spec), spec.adapter]
        return [name]

    def _base_of(self, spec: ModelSpec) -> str:
        if not spec.base:
            raise ConfigError(f"policy {spec.name!r} has an adapter but names no base model")
        return spec.base

    def policy_files(self) -> PolicyFiles:
        settings = self.settings
        if settings.model is not None:
            size = settings.model.stat().st_size if settings.model.is_file() else 0
            return PolicyFiles(
                settings.model, settings.lora, size / BYTES_PER_PARAM_GUESS / 1e6, settings.model.name
            )
        self.ensure_models()
        name = self._policy_name()
        spec = self.store.registry.get(name)
        if spec.adapter:
            base = self.store.registry.get(self._base_of(spec))
            return PolicyFiles(self.store.path(base.name), self.store.path(spec.adapter), base.params_m, name)
        return PolicyFiles(self.store.path(name), settings.lora, spec.params_m, name)

    # -- parts ---------------------------------------------------------------------------------------
    def generator(self) -> Generator:
        name = self.settings.generator
        _load_impl("generator", name)
        files = self.policy_files()
        n_threads, n_threads_batch = self.runtime.llama_threads(files.params_m, self.settings.threads)
        options = GeneratorOptions(
            model_path=files.model,
            lora_path=files.lora,
            n_ctx=self.settings.n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads_batch,
            n_gpu_layers=self.runtime.n_gpu_layers,
            seed=self.settings.seed if self.settings.seed is not None else 0,
        )
        generator: Generator = generators.get(name)(options)
        return generator

    def planner(self) -> Planner:
        name = self.settings.planner
        # Both trained planners read the registry's planner directory (they share its encoder).
        if name in ("onnx", "hier"):
            model_name = self.settings.planner_model or self.store.registry.default("planner")
            if model_name is None:
                log.warning("no planner model is registered; replying without a planned strategy")
                name = "none"
            else:
                _load_impl("planner", name)
                import onnxruntime

                from esc_edge.runtime import onnx_providers

                providers = onnx_providers(self.runtime, onnxruntime.get_available_providers())
                factory = planners.get(name)
                planner: Planner = factory(
                    self.store.path(model_name), threads=self.runtime.ort_threads, providers=providers
                )
                return planner
        return planners.get(name)()

    def safety(self) -> SafetyCheck:
        name = self.settings.safety
        _load_impl("safety", name)
        check: SafetyCheck = safety_checks.get(name)(locale=self.settings.locale)
        return check

    def constraints(self, vocabulary: Vocabulary) -> Constraints:
        from esc_edge.generation import constraints

        built: Constraints = constraints.build_constraints(vocabulary, self.decoding_settings())
        return built

    def decode_options(self, strategy: str | None) -> DecodeOptions:
        try:
            from esc_edge.generation import constraints
        except ImportError:
            return DecodeOptions(seed=self.settings.seed)
        options: DecodeOptions = constraints.decode_options(self.decoding_settings(), strategy)
        return options

    def decoding_settings(self) -> Settings:
        """The settings with the registry policy's own decoding under the user's ``decoding:``."""
        if self._decoding_settings is None:
            recommended = self._policy_decoding()
            if recommended:
                from esc_edge.generation.constraints import merge_decoding

                merged = merge_decoding(recommended, self.settings.decoding)
                self._decoding_settings = self.settings.replace(decoding=merged)
            else:
                self._decoding_settings = self.settings
        return self._decoding_settings

    def _policy_decoding(self) -> Mapping[str, Any]:
        # A local --model file is unknown to the registry: it gets the packaged decoding.
        if self.settings.model is not None:
            return {}
        name = self.settings.policy or self.store.registry.default("policy")
        if not name or name not in self.store.registry.models:
            return {}
        return self.store.registry.get(name).decoding
