"""`esc-edge bench`: run the benchmark suite of a source checkout (bench/suite.py) on this machine.

The suite is not part of the installed package: it compares against torch/transformers, plots with
matplotlib and keeps its scenario and results in the repository, none of which belongs in the
runtime wheel. This command finds the checkout's ``bench/`` folder and runs it.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from esc_edge.errors import BackendUnavailableError

BENCH_DIR_ENV = "ESC_EDGE_BENCH_DIR"


def find_bench_dir(
    explicit: str | None = None, cwd: Path | None = None, checkout: Path | None = None
) -> Path:
    """The ``bench/`` folder: --bench-dir, $ESC_EDGE_BENCH_DIR, this package's checkout, ./bench."""
    candidates = []
    for given in (explicit, os.environ.get(BENCH_DIR_ENV)):
        if given:
            candidates.append(Path(given).expanduser())
    candidates.append((checkout or Path(__file__).resolve().parents[2]) / "bench")
    candidates.append((cwd or Path.cwd()) / "bench")
    for folder in candidates:
        if (folder / "suite.py").is_file() and (folder / "probes.py").is_file():
            return folder.resolve()
    raise BackendUnavailableError(
        "the benchmark suite (bench/) is not installed with the package",
        hint="clone the esc-edge source, `pip install -e '.[eval]'` in it and run `esc-edge bench` there, "
        f"or set {BENCH_DIR_ENV} to a checkout's bench/ folder",
    )


def _load_suite(bench_dir: Path) -> Any:
    root = str(bench_dir.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module("bench.suite")


@click.command()
@click.option("--quick", is_flag=True, help="Under a minute: one thread setting, few repeats, no peers.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON on stdout.")
@click.option("--out", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Results directory (default: bench/results).")  # fmt: skip
@click.option("--name", default=None, help="Result file name (default: suite, or quick).")
@click.option("--runtime", default=None, help="Hardware profile: auto | cpu | cuda | metal | vulkan.")
@click.option("--model", type=click.Path(dir_okay=False, exists=True, path_type=str), default=None,
              help="Policy GGUF to measure (default: the registry's policy).")  # fmt: skip
@click.option("--lora", type=click.Path(dir_okay=False, exists=True, path_type=str), default=None,
              help="LoRA GGUF applied to --model.")  # fmt: skip
@click.option("--policy", default=None, help="Registry policy to measure (default: the registry's default).")
@click.option("--sections", default=None, help="Comma-separated subset of the suite's sections.")
@click.option("--repeats", type=click.IntRange(1), default=None, help="Repeats per measurement (default 5).")
@click.option(
    "--tokens", type=click.IntRange(2), default=None, help="Tokens decoded per repeat (default 64)."
)
@click.option("--planner-run", type=click.Path(file_okay=False, exists=True, path_type=str), default=None,
              help="A planner training run folder: adds the fp32 ONNX and torch planner rows.")  # fmt: skip
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Where derived quantisations (Q8_0, Q4_K_M, Q4_0) are kept.")  # fmt: skip
@click.option("--no-plot", is_flag=True, help="Skip the PNG.")
@click.option("--bench-dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help=f"The checkout's bench/ folder (default: found, or ${BENCH_DIR_ENV}).")  # fmt: skip
def bench(as_json: bool, bench_dir: str | None, **params: Any) -> None:
    """Measure what a support turn costs here: latency, tokens/s, memory, and the peers."""
    suite = _load_suite(find_bench_dir(bench_dir))
    argv = ["--quick"] if params.pop("quick") else []
    argv += ["--no-plot"] if params.pop("no_plot") else []
    for name, value in params.items():
        if value is not None:
            argv += [f"--{name.replace('_', '-')}", str(value)]
    suite.main(argv, as_json=as_json)
