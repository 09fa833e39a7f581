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


def _cpu_info() -> dict[str, Any]:
    info: dict[str, Any] = {"logical_cpus": os.cpu_count()}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return info
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and "model" not in info:
            info["model"] = value.strip()
        elif key == "flags" and "flags" not in info:
            wanted = ("avx", "avx2", "avx512f", "fma", "f16c", "bmi2", "sse4_2")
            info["flags"] = [f for f in value.split() if f in wanted]
        elif key == "cache size" and "cache" not in info:
            info["cache"] = value.strip()
    return info


def _versions() -> dict[str, str]:
    from importlib import metadata

    versions = {}
    for dist in (
        "esc-edge",
        "llama-cpp-python",
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
        import llama_cpp

        data["llama_system_info"] = llama_cpp.llama_print_system_info().decode().strip()
    except Exception:  # llama-cpp-python is optional for some benches
        pass
    return data


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
