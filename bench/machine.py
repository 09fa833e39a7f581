"""What a benchmark ran on: CPU, flags, versions and thread settings, recorded beside every result."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


# CPU flags that decide which llama.cpp kernels can run (the build may use fewer).
WANTED_FLAGS = (
    "sse4_2", "avx", "avx2", "fma", "f16c", "bmi2", "avx_vnni",
    "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile",
)  # fmt: skip
# /proc/cpuinfo keys recorded as they are: family/model/stepping identify the core generation
# even when a hypervisor masks the model name (e.g. "AMD EPYC").
CPUINFO_KEYS = {"cpu family": "family", "model": "model_number", "stepping": "stepping",
                "microcode": "microcode", "cpu MHz": "mhz", "bogomips": "bogomips"}  # fmt: skip


def _cache_sizes() -> dict[str, str]:
    sizes = {}
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        name = f"L{level}" + ("d" if kind == "Data" else "i" if kind == "Instruction" else "")
        sizes[name] = size
    return sizes


def _cpu_info() -> dict[str, Any]:
    info: dict[str, Any] = {"logical_cpus": os.cpu_count()}
    if hasattr(os, "sched_getaffinity"):
        info["usable_cpus"] = sorted(os.sched_getaffinity(0))
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        info["model"] = platform.processor() or platform.machine()
        return info
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and "model" not in info:
            info["model"] = value.strip()
        elif key == "flags" and "flags" not in info:
            present = set(value.split())
            info["flags"] = [f for f in WANTED_FLAGS if f in present]
            info["hypervisor"] = "hypervisor" in present
        elif key == "cache size" and "cache" not in info:
            info["cache"] = value.strip()
        elif key in CPUINFO_KEYS and CPUINFO_KEYS[key] not in info:
            info[CPUINFO_KEYS[key]] = value.strip()
    info["caches"] = _cache_sizes()
    governor = Path("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
    if governor.exists():
        info["governor"] = governor.read_text().strip()
    cpu_max = Path("/sys/fs/cgroup/cpu.max")
    if cpu_max.exists():
        info["cgroup_cpu_max"] = cpu_max.read_text().strip()
    return info


def cpu_times() -> dict[str, int]:
    """The machine-wide jiffy counters of /proc/stat (empty where it does not exist)."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return {}
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    return {name: int(v) for name, v in zip(names, first[1:], strict=False)}


def busy_shares(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    """Shares of CPU time between two :func:`cpu_times` snapshots: busy, idle and hypervisor steal.

    Steal is time the hypervisor gave this VM's virtual CPUs to someone else: a host-side
    neighbour that no setting of ours can fix.
    """
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    total = sum(delta.values())
    if total <= 0:
        return {}
    idle = delta.get("idle", 0) + delta.get("iowait", 0)
    return {
        "busy": round(1 - idle / total, 4),
        "idle": round(idle / total, 4),
        "steal": round(delta.get("steal", 0) / total, 4),
    }


def _versions() -> dict[str, str]:
    from importlib import metadata

    versions = {}
    for dist in (
        "esc-edge",
        "llama-cpp-python",
        "matplotlib",
        "onnxruntime-gpu",
        "onnxruntime",
        "numpy",
        "tokenizers",
        "torch",
        "transformers",
    ):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def machine() -> dict[str, Any]:
    data: dict[str, Any] = {
        "cpu": _cpu_info(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "versions": _versions(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import llama_cpp

        data["llama_system_info"] = llama_cpp.llama_print_system_info().decode().strip()
    except Exception:  # llama-cpp-python is optional for some benches
        pass
    return data


def runtime_info(name: str = "auto", probe: Any = None) -> dict[str, Any]:
    """The hardware profile ``name`` resolves to here, and what the installed builds can offload.

    ``probe`` is a :class:`esc_edge.runtime.SystemProbe`; tests pass a fake GPU machine.
    """
    from esc_edge.runtime import SystemProbe, select_runtime

    probe = probe if probe is not None else SystemProbe()
    profile = select_runtime(name, probe)
    info: dict[str, Any] = {
        "requested": name,
        "profile": profile.name,
        "n_gpu_layers": profile.n_gpu_layers,
        "omp_wait_policy": profile.omp_wait_policy,
        "ort_providers_wanted": list(profile.ort_providers),
        "build_cmake_args": profile.build.get("cmake_args", ""),
        "llama_gpu_offload": probe.gpu_offload(),
    }
    try:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import llama_cpp

        info["llama_max_devices"] = int(llama_cpp.llama_max_devices())
        info["llama_mmap"] = bool(llama_cpp.llama_supports_mmap())
    except Exception as exc:  # recorded, never fatal: the bench still runs what it can
        info["llama_error"] = str(exc)
    try:
        import onnxruntime

        available = list(onnxruntime.get_available_providers())
        info["ort_available_providers"] = available
        info["ort_providers_used"] = [p for p in profile.ort_providers if p in available] or [
            "CPUExecutionProvider"
        ]
    except Exception as exc:
        info["ort_error"] = str(exc)
    info["policy_device"] = "gpu" if profile.n_gpu_layers != 0 and info["llama_gpu_offload"] else "cpu"
    return info


def write_result(name: str, data: dict[str, Any], out_dir: Path | None = None) -> Path:
    folder = out_dir if out_dir is not None else RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
