"""Hardware profiles (top-level ``runtimes/*.yaml``, shipped as package data) and their selection.

``auto`` picks the highest-priority profile whose ``detect`` conditions hold on this machine. The
machine is described by a :class:`SystemProbe`, which tests replace with a fake to exercise GPU
selection on a CPU-only box.
"""

from __future__ import annotations

import functools
import os
import platform
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from esc_edge.errors import ConfigError


@dataclass(frozen=True)
class ThreadRule:
    max_params_m: float
    n_threads: int | str  # a number or "physical"
    n_threads_batch: int | str


@dataclass(frozen=True)
class RuntimeProfile:
    name: str
    description: str
    priority: int
    detect: Mapping[str, Any]
    n_gpu_layers: int
    threads: tuple[ThreadRule, ...]
    omp_wait_policy: str
    ort_providers: tuple[str, ...]
    ort_threads: int
    build: Mapping[str, Any] = field(default_factory=dict)

    def llama_threads(self, params_m: float | None, override: int | None = None) -> tuple[int, int]:
        """(n_threads, n_threads_batch) for a model of ``params_m`` million parameters."""
        if override is not None:
            return override, override
        size = params_m if params_m is not None else 0.0
        rule = next((r for r in self.threads if size <= r.max_params_m), self.threads[-1])
        return _threads(rule.n_threads), _threads(rule.n_threads_batch)

    def install_command(self) -> str:
        env = " ".join(f"{k}={v}" for k, v in dict(self.build.get("env") or {}).items())
        args = self.build.get("cmake_args", "")
        pip = "pip install --no-binary llama-cpp-python llama-cpp-python==0.3.36"
        return f'{env} CMAKE_ARGS="{args}" {pip}'.strip()


def _threads(value: int | str) -> int:
    if value == "physical":
        return max(1, (os.cpu_count() or 2) // 2) if (os.cpu_count() or 1) > 2 else (os.cpu_count() or 1)
    return int(value)


@dataclass(frozen=True)
class SystemProbe:
    """What the machine offers; the default reads the real machine."""

    system: str = field(default_factory=lambda: platform.system().lower())
    machine: str = field(default_factory=lambda: platform.machine().lower())
    llama_gpu_offload: bool | None = None  # None: ask llama.cpp lazily
    commands: Sequence[str] | None = None  # None: look on PATH

    def gpu_offload(self) -> bool:
        if self.llama_gpu_offload is not None:
            return self.llama_gpu_offload
        return _llama_supports_gpu_offload()

    def has_command(self, name: str) -> bool:
        if self.commands is not None:
            return name in self.commands
        return shutil.which(name) is not None


@functools.cache
def _llama_supports_gpu_offload() -> bool:
    try:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import llama_cpp

        return bool(llama_cpp.llama_supports_gpu_offload())
    except Exception:
        return False


def _profile(raw: Mapping[str, Any]) -> RuntimeProfile:
    llama = raw.get("llama") or {}
    ort = raw.get("onnxruntime") or {}
    rules = tuple(
        ThreadRule(float(r["max_params_m"]), r["n_threads"], r["n_threads_batch"])
        for r in llama.get("threads") or [{"max_params_m": 1e9, "n_threads": 1, "n_threads_batch": 1}]
    )
    return RuntimeProfile(
        name=str(raw["name"]),
        description=str(raw.get("description", "")),
        priority=int(raw.get("priority", 0)),
        detect=dict(raw.get("detect") or {}),
        n_gpu_layers=int(llama.get("n_gpu_layers", 0)),
        threads=rules,
        omp_wait_policy=str(llama.get("omp_wait_policy", "PASSIVE")),
        ort_providers=tuple(ort.get("providers") or ["CPUExecutionProvider"]),
        ort_threads=int(ort.get("intra_op_threads", 1)),
        build=dict(raw.get("build") or {}),
    )


@functools.cache
def load_profiles() -> dict[str, RuntimeProfile]:
    folder = resources.files("esc_edge.runtimes")
    profiles = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            profile = _profile(yaml.safe_load(entry.read_text("utf-8")))
            profiles[profile.name] = profile
    return profiles


def matches(profile: RuntimeProfile, probe: SystemProbe) -> bool:
    detect = profile.detect
    if "platform" in detect and probe.system != detect["platform"]:
        return False
    if "machine" in detect and probe.machine != detect["machine"]:
        return False
    commands = detect.get("any_of_commands")
    if commands and not any(probe.has_command(c) for c in commands):
        return False
    return not (detect.get("llama_gpu_offload") and not probe.gpu_offload())


def select_runtime(
    name: str = "auto",
    probe: SystemProbe | None = None,
    profiles: Mapping[str, RuntimeProfile] | None = None,
) -> RuntimeProfile:
    profiles = profiles if profiles is not None else load_profiles()
    if name != "auto":
        if name not in profiles:
            known = ", ".join(["auto", *sorted(profiles)])
            raise ConfigError(f"unknown runtime {name!r}", hint=f"choose one of: {known}")
        return profiles[name]
    probe = probe if probe is not None else SystemProbe()
    for profile in sorted(profiles.values(), key=lambda p: -p.priority):
        if matches(profile, probe):
            return profile
    return profiles["cpu"]


def onnx_providers(profile: RuntimeProfile, available: Sequence[str]) -> list[str]:
    """The profile's onnxruntime providers that this onnxruntime build really has, CPU last."""
    chosen = [p for p in profile.ort_providers if p in available]
    return chosen or ["CPUExecutionProvider"]
