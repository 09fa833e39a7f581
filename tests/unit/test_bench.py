"""The benchmark suite's plumbing on fakes: no model, no timing assertions."""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bench import report, suite, weights
from bench.suite import Context, SuiteOptions, run_suite, targets
from esc_edge.errors import BackendUnavailableError
from esc_edge.runtime import SystemProbe

REPO = Path(__file__).resolve().parents[2]


# -- a tiny GGUF written by hand ---------------------------------------------------------------------------
def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def write_gguf(path: Path, tensors: dict[str, int], alignment: int = 32) -> Path:
    """A GGUF v3 whose tensors have the given byte sizes (dims/types are dummies)."""
    kv = _string("general.alignment") + struct.pack("<II", 4, alignment)
    kv += _string("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 2) + _string("a") + _string("bc")
    kv += _string("general.name") + struct.pack("<I", 8) + _string("tiny")
    infos, offset = b"", 0
    for name, size in tensors.items():
        infos += _string(name) + struct.pack("<I", 1) + struct.pack("<Q", size) + struct.pack("<I", 0)
        infos += struct.pack("<Q", offset)
        offset += -(-size // alignment) * alignment
    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), 3) + kv + infos
    header += b"\0" * (-len(header) % alignment)
    data = b"".join(b"\1" * size + b"\0" * (-size % alignment) for size in tensors.values())
    path.write_bytes(header + data)
    return path


@pytest.fixture
def tiny_gguf(tmp_path: Path) -> Path:
    return write_gguf(tmp_path / "tiny.Q4_1.gguf", {"token_embd.weight": 640, "blk.0.attn_q.weight": 96})


def test_gguf_sizes_and_tied_output_counts_the_embedding(tiny_gguf: Path) -> None:
    sizes = weights.tensor_sizes(tiny_gguf)
    assert sizes == {"token_embd.weight": 640, "blk.0.attn_q.weight": 96}
    counted = weights.weight_bytes(tiny_gguf)
    # No output.weight: the embedding table is the output projection, read in full per token.
    assert counted.tied_output and counted.per_token == 736


def test_gguf_with_output_matrix_skips_the_embedding_table(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "untied.gguf", {"token_embd.weight": 640, "output.weight": 640, "w": 64})
    counted = weights.weight_bytes(path)
    assert not counted.tied_output and counted.per_token == 704


def test_not_a_gguf_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.gguf"
    bad.write_bytes(b"GGML" + b"\0" * 64)
    with pytest.raises(weights.GGUFError):
        weights.tensor_sizes(bad)


# -- the suite on a fake probe runner ---------------------------------------------------------------------
def _turns(n: int) -> list[dict[str, Any]]:
    return [
        {"turn": i, "repeat": 0, "total_ms": 900.0 + i, "ttft_ms": 200.0, "safety_ms": 0.2, "plan_ms": 8.0,
         "tokens": 30, "prompt_tokens": 50 * i, "reused_tokens": 40 * i, "words": 24, "crisis": False}
        for i in range(1, n + 1)
    ]  # fmt: skip


class FakeProbes:
    """Canned probe results; records every call (name, args, env)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], dict[str, str]]] = []

    def __call__(
        self, name: str, args: dict[str, Any], env: dict[str, str] | None = None, timeout: float = 900
    ) -> dict[str, Any]:
        self.calls.append((name, args, env or {}))
        return getattr(self, name)(args)

    def bandwidth(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "read_gb_s": [10.0, 11.0],
            "read_gb_s_best": 11.0,
            "matmul_gflops_median": 50.0,
            "buffer_mb": 512,
        }

    def decode(self, args: dict[str, Any]) -> dict[str, Any]:
        contexts = {str(50 + 40 * n): {"exchanges": n, "ttft_ms": [300.0, 320.0], "llama_prompt_ms": [290.0]}
                    for n in args["contexts"]}  # fmt: skip
        return {"load_s": 0.1, "contexts": contexts, "decode_tok_s": [100.0, 90.0], "produced": [64, 64],
                "llama_eval_tok_s": [105.0], "omp_wait_policy": "PASSIVE", "maxrss_mb": 200.0}  # fmt: skip

    def e2e(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"import_s": 0.3, "load_s": 0.9, "ready_wall_s": 1.4, "turns": _turns(12), "maxrss_mb": 260.0,
                "components": {"constraints": "ReplyConstraints" if args["constraints"] else "NoConstraints"},
                "last_replies": ["I hear you."]}  # fmt: skip

    def cold(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"import_s": 0.3, "load_s": 0.9, "ready_wall_s": 1.5, "maxrss_mb": 240.0, "components": {}}

    def overhead(self, args: dict[str, Any]) -> dict[str, Any]:
        side = {"decode_tok_s_median": 100.0, "ttft_ms_median": 300.0}
        return {
            "overhead": {"ours": side, "bare": side, "overhead_pct": 1.0, "ttft_ratio_ours_over_bare": 1.0}
        }

    def planner(self, args: dict[str, Any]) -> dict[str, Any]:
        rows = {"onnx_int8": {"64": {"p50_ms": 9.0, "p95_ms": 11.0}, "256": {"p50_ms": 30.0, "p95_ms": 33.0}}}
        return {"context_tokens": {"64": 64, "256": 250}, "rows": rows, "ratios": {}, "sizes_mb": {},
                "notes": ["fp32 ONNX row skipped"]}  # fmt: skip

    def transformers(self, args: dict[str, Any]) -> dict[str, Any]:
        run = {"ttft_ms": [500.0], "decode_tok_s": [25.0]}
        return {"load_s": 20.0, "prompt_tokens": 55, "threads": {str(t): run for t in args["threads"]}}


@pytest.fixture(autouse=True)
def no_registered_adapters(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real registry's adapters stay out of runs on fakes (a test may set its own)."""
    monkeypatch.setattr(suite, "registered_adapters", lambda base: [])


@pytest.fixture
def no_gpu() -> SystemProbe:
    return SystemProbe(system="linux", machine="x86_64", llama_gpu_offload=False, commands=[])


def _run(options: SuiteOptions, probes: FakeProbes, no_gpu: SystemProbe) -> dict[str, Any]:
    return run_suite(options, run_probe=probes, log=lambda message: None, system_probe=no_gpu)


def test_quick_runs_one_thread_setting_and_skips_the_peers(
    tiny_gguf: Path, tmp_path: Path, no_gpu: SystemProbe
) -> None:
    probes = FakeProbes()
    result = _run(SuiteOptions(quick=True, model=tiny_gguf, out_dir=tmp_path), probes, no_gpu)
    assert result["schema"] == suite.SCHEMA and result["quick"] and result["name"] == "quick"
    assert set(suite.SECTIONS) <= set(result["sections"])
    for name in ("overhead", "transformers", "constraints", "spread"):
        assert "quick" in result["sections"][name]["skipped"]
    decode_calls = [args for name, args, _ in probes.calls if name == "decode"]
    assert [a["threads"] for a in decode_calls] == [1]
    assert all(env.get("OMP_WAIT_POLICY") == "PASSIVE" for name, _, env in probes.calls if name == "decode")
    cells = result["sections"]["policy"]["cells"]
    assert cells[0]["quant"] == "Q4_1" and cells[0]["bytes_read_per_token"] == 736
    # bandwidth 10.5 GB/s over 736 bytes per token -> the bound; 95 tok/s is a tiny share of it.
    assert cells[0]["bandwidth_bound_tok_s"] == pytest.approx(10.5e9 / 736, rel=1e-3)
    assert result["sections"]["cold_start"]["method"].startswith("one sample")
    json.dumps(result)  # the whole result is JSON-serialisable


def test_full_run_covers_threads_peers_and_the_spread(
    tiny_gguf: Path, tmp_path: Path, no_gpu: SystemProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suite, "_variant", lambda ctx, quant: ctx.model)  # no requantisation here
    monkeypatch.setattr(suite, "missing_modules", lambda names: [])  # as if torch were installed
    probes = FakeProbes()
    options = SuiteOptions(model=tiny_gguf, out_dir=tmp_path, quants=("Q4_1", "Q8_0"), cold_repeats=2)
    result = _run(options, probes, no_gpu)
    cells = result["sections"]["policy"]["cells"]
    assert [(c["quant"], c["threads"]) for c in cells] == [("Q4_1", 1), ("Q4_1", 2), ("Q8_0", 1), ("Q8_0", 2)]
    spread_envs = {env["OMP_WAIT_POLICY"] for name, _, env in probes.calls if name == "decode"}
    assert spread_envs == {"PASSIVE", "ACTIVE"}
    assert sum(1 for name, _, _ in probes.calls if name == "cold") == 3  # one warm-up + 2 counted
    verdicts = {t["target"]: t for t in result["targets"]}
    assert verdicts["end-to-end turn p50"]["met"] is True
    assert verdicts["decode speed vs transformers (CPU)"]["value"] == pytest.approx(95 / 25, rel=1e-3)
    assert verdicts["peak RSS"]["value"] == 260.0
    assert result["sections"]["constraints"]["decode_speed_ratio_constrained_over_unconstrained"] == 1.0


def test_a_gpu_profile_is_recorded_and_offloads_the_policy(
    tiny_gguf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gpu = SystemProbe(system="linux", machine="x86_64", llama_gpu_offload=True, commands=["nvidia-smi"])
    probes = FakeProbes()
    result = run_suite(
        SuiteOptions(quick=True, model=tiny_gguf, out_dir=tmp_path), probes, lambda m: None, gpu
    )
    runtime = result["sections"]["runtime"]
    assert runtime["profile"] == "cuda" and runtime["policy_device"] == "gpu"
    assert "GGML_CUDA" in runtime["build_cmake_args"]
    assert all(args["n_gpu_layers"] == -1 for name, args, _ in probes.calls if name == "decode")


def test_sections_without_their_component_are_skipped_with_a_reason(
    tmp_path: Path, no_gpu: SystemProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suite, "resolve_policy", lambda options: (None, None, "no policy model: test"))
    result = _run(SuiteOptions(quick=True, out_dir=tmp_path), FakeProbes(), no_gpu)
    assert "no policy GGUF" in result["sections"]["policy"]["skipped"]
    verdicts = {t["target"]: t["met"] for t in result["targets"]}
    assert verdicts["decode speed vs transformers (CPU)"] is None
    assert verdicts["overhead vs bare llama-cpp-python"] is None


def test_constraints_section_skips_when_the_layer_is_missing(tiny_gguf: Path) -> None:
    ctx = Context(SuiteOptions(model=tiny_gguf), FakeProbes(), tiny_gguf, None)
    ctx.sections["e2e"] = {"turn_ms": {}, "components": {"constraints": "skipped: No module named x"}}
    with pytest.raises(suite.Skip, match="not available"):
        suite.section_constraints(ctx)


def test_targets_report_values_not_just_verdicts() -> None:
    sections = {
        "e2e": {"turn_ms": {"p50": 1250.0}, "reply_words": {"p50": 28}, "maxrss_mb": 310.0},
        "overhead": {"overhead_pct": 3.2},
        "cold_start": {"ready_wall_s": {"p50": 2.4}, "maxrss_mb": 280.0},
    }
    rows = {t["target"]: t for t in targets(sections)}
    assert rows["end-to-end turn p50"]["value"] == 1250.0 and rows["end-to-end turn p50"]["met"] is False
    assert "28 words" in rows["end-to-end turn p50"]["note"]
    assert rows["overhead vs bare llama-cpp-python"]["met"] is True
    assert rows["cold start (warm disk cache)"]["met"] is False
    assert rows["decode speed vs transformers (CPU)"]["met"] is None
    assert rows["peak RSS"]["value"] == 310.0


def test_rates_report_the_slow_tail_as_p95() -> None:
    assert suite.rate([10.0, 20.0, 30.0])["p95"] < 20.0
    assert suite.latency([10.0, 20.0, 30.0])["p95"] > 20.0
    assert suite.latency([])["p50"] is None


def test_outputs_json_markdown_and_plot(tiny_gguf: Path, tmp_path: Path, no_gpu: SystemProbe) -> None:
    result = _run(SuiteOptions(quick=True, model=tiny_gguf, out_dir=tmp_path, name="t"), FakeProbes(), no_gpu)
    paths = suite.write_outputs(result, tmp_path)
    assert json.loads(Path(paths["json"]).read_text())["schema"] == suite.SCHEMA
    md = Path(paths["md"]).read_text()
    assert "| end-to-end turn p50 |" in md and "skipped" in md
    if "png" in paths:
        assert Path(paths["png"]).read_bytes()[:4] == b"\x89PNG"
    else:
        assert any("plot skipped" in n for n in json.loads(Path(paths["json"]).read_text())["notes"])
    assert "end-to-end turn p50" in report.summary(result)


# -- options, scenario, subprocess protocol, CLI -------------------------------------------------------------
def test_parse_args_rejects_unknown_sections() -> None:
    with pytest.raises(SystemExit):
        suite.parse_args(["--sections", "policy,warp"])
    assert suite.parse_args(["--sections", "e2e"]).sections == ("e2e",)


def test_scenario_is_a_fixed_multi_turn_conversation() -> None:
    data = yaml.safe_load((REPO / "bench" / "scenario.yaml").read_text())
    assert len(data["turns"]) >= 10 and isinstance(data["seed"], int)
    assert all(t["seeker"].strip() and t["reply"].strip() for t in data["turns"])
    assert data["decode_prompt"].strip()


def test_subprocess_runner_reads_the_result_line_and_reports_failures() -> None:
    runner = suite.SubprocessRunner(python=sys.executable)
    result = runner("bandwidth", {"mb": 8, "repeats": 1}, timeout=120)
    assert result["buffer_mb"] == 8 and result["read_gb_s_median"] > 0
    with pytest.raises(suite.ProbeFailed, match="failed"):
        runner("no-such-probe", {}, timeout=60)


def test_cli_finds_no_suite_outside_a_checkout(tmp_path: Path) -> None:
    from esc_edge.cli.bench import find_bench_dir

    with pytest.raises(BackendUnavailableError, match="not installed with the package"):
        find_bench_dir(None, cwd=tmp_path, checkout=tmp_path)
    assert find_bench_dir(str(REPO / "bench"), cwd=tmp_path, checkout=tmp_path) == (REPO / "bench").resolve()


def test_cli_passes_its_options_to_the_suite(monkeypatch: pytest.MonkeyPatch, tiny_gguf: Path) -> None:
    from esc_edge.cli import bench as cli_bench

    seen: dict[str, Any] = {}

    class FakeSuite:
        @staticmethod
        def main(argv: list[str], as_json: bool = False) -> int:
            seen.update(argv=argv, as_json=as_json)
            return 0

    monkeypatch.setattr(cli_bench, "_load_suite", lambda folder: FakeSuite)
    outcome = CliRunner().invoke(
        cli_bench.bench,
        ["--quick", "--json", "--out", "/tmp/x", "--model", str(tiny_gguf), "--runtime", "cpu",
         "--no-plot", "--repeats", "7", "--planner-run", str(tiny_gguf.parent)],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    assert seen["as_json"] is True
    assert seen["argv"][:2] == ["--quick", "--no-plot"]
    pairs = dict(zip(seen["argv"][2::2], seen["argv"][3::2], strict=True))
    assert pairs == {"--out": "/tmp/x", "--runtime": "cpu", "--model": str(tiny_gguf), "--repeats": "7",
                     "--planner-run": str(tiny_gguf.parent)}  # fmt: skip
    # Every flag the command passes on is one the suite accepts.
    assert suite.parse_args(seen["argv"]).repeats == 7


def test_missing_variant_is_derived_in_its_own_probe_once(tiny_gguf: Path, tmp_path: Path) -> None:
    class Quantizing(FakeProbes):
        def quantize(self, args: dict[str, Any]) -> dict[str, Any]:
            out = weights.variant_path(Path(args["model"]), args["ftype"], Path(args["cache_dir"]))
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(b"GGUF")
            return {"path": str(out), "seconds": 0.1, "bytes": 4}

    probes = Quantizing()
    ctx = Context(SuiteOptions(model=tiny_gguf, cache_dir=tmp_path / "cache"), probes, tiny_gguf, None)
    ctx.log = lambda message: None
    assert suite._variant(ctx, "Q4_1") == tiny_gguf  # the shipped base is not requantised
    first = suite._variant(ctx, "Q8_0")
    assert first.name.endswith(".Q8_0.gguf") and first.parent == tmp_path / "cache"
    assert suite._variant(ctx, "Q8_0") == first  # cached: no second quantisation
    assert [(n, a["ftype"]) for n, a, _ in probes.calls] == [("quantize", "Q8_0")]
    with pytest.raises(ValueError, match="unknown quantisation"):
        weights.variant_path(tiny_gguf, "Q3_X", tmp_path)


def test_spread_varies_threads_policy_pinning_and_a_neighbour(
    tiny_gguf: Path, tmp_path: Path, no_gpu: SystemProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suite, "_variant", lambda ctx, quant: ctx.model)
    probes = FakeProbes()
    options = SuiteOptions(model=tiny_gguf, out_dir=tmp_path, sections=("bandwidth", "spread"))
    result = _run(options, probes, no_gpu)
    rows = result["sections"]["spread"]["rows"]
    decode = [(args, env) for name, args, env in probes.calls if name == "decode"]
    assert len(rows) == len(decode)
    loads = {a.get("neighbour") for a, _ in decode}
    assert loads == {None, "stream", "compute"}
    # With a neighbour: pinned away from it (memory vs compute), or left to the scheduler (what users get).
    with_neighbour = [a for a, _ in decode if a.get("neighbour")]
    assert {tuple(a.get("cpus") or ()) for a in with_neighbour} == {(0,), ()}
    assert {a["neighbour"] for a in with_neighbour if a.get("cpus")} == {"stream", "compute"}
    assert any(a.get("threads_batch") == 2 and a["threads"] == 1 for a, _ in decode)
    assert rows[0]["decode_vs_baseline"] == 1.0
    bandwidth_args = next(a for name, a, _ in probes.calls if name == "bandwidth")
    assert bandwidth_args["with_stream_neighbour"] is True


def test_bandwidth_reports_the_share_a_streaming_neighbour_leaves(
    tmp_path: Path, no_gpu: SystemProbe
) -> None:
    class Shared(FakeProbes):
        def bandwidth(self, args: dict[str, Any]) -> dict[str, Any]:
            return {**super().bandwidth(args), "read_gb_s_with_stream_neighbour": [5.0, 5.5]}

    ctx = Context(SuiteOptions(), Shared(), None, None)
    section = suite.section_bandwidth(ctx)
    assert section["share_left_by_neighbour"] == pytest.approx(5.25 / 10.5, abs=1e-3)


def test_neighbour_runs_pinned_for_the_block_and_is_gone_after() -> None:
    import os

    from bench import probes

    assert probes.neighbour_cpu([0], [0, 1]) == 1
    assert probes.neighbour_cpu(None, [0, 1]) == 1
    assert probes.neighbour_cpu([0], [0]) is None
    with probes.neighbour(None, None) as info:
        assert info["kind"] is None and "pid" not in info
    with pytest.raises(ValueError, match="unknown neighbour"), probes.neighbour("disk", 0):
        pass
    cpu = sorted(os.sched_getaffinity(0))[-1]
    with probes.neighbour("compute", cpu) as info:
        pid = info["pid"]
        assert os.sched_getaffinity(pid) == {cpu}
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_planner_peers_are_found_in_a_training_run(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / "export").mkdir(parents=True)
    (run / "export" / "planner.fp32.onnx").write_bytes(b"onnx")
    (run / "best" / "encoder").mkdir(parents=True)
    (run / "best" / "encoder" / "config.json").write_text("{}")
    fp32, encoder = suite.planner_peers(SuiteOptions(planner_run=run))
    assert fp32 == run / "export" / "planner.fp32.onnx" and encoder == run / "best" / "encoder"
    given = tmp_path / "mine.onnx"
    assert suite.planner_peers(SuiteOptions(planner_run=run, planner_fp32=given))[0] == given
    assert suite.planner_peers(SuiteOptions(planner_run=tmp_path / "empty")) == (None, None)
    assert suite.parse_args(["--planner-run", str(run)]).planner_run == run


def test_turn_latency_is_also_scaled_to_a_30_word_reply() -> None:
    # 200 ms to the first token, then 29 tokens in 290 ms (10 ms each), 20 words: 1.5 tokens/word.
    row = {"ttft_ms": 200.0, "total_ms": 490.0, "tokens": 30, "words": 20}
    assert suite.turn_ms_at_words(row, 30) == pytest.approx(200 + 10 * (45 - 1))
    assert suite.turn_ms_at_words({**row, "tokens": 1}) is None
    summary = suite.summarise_turns({"turns": [{**r, "turn": 1, "safety_ms": 0.1, "plan_ms": 1.0,
                                                "prompt_tokens": 9, "reused_tokens": 0} for r in [row]],
                                     "import_s": 0.1, "load_s": 0.2, "ready_wall_s": 0.5})  # fmt: skip
    assert summary["turn_ms_at_30_words"]["p50"] == pytest.approx(640.0)
    rows = {t["target"]: t for t in targets({"e2e": {**summary, "components": {"planner": "skipped: none"}}})}
    note = rows["end-to-end turn p50"]["note"]
    assert "scaled to 30 words: p50 640.0 ms" in note and "without planner" in note


def test_registered_adapters_get_a_decode_cell_beside_the_base(
    tiny_gguf: Path, tmp_path: Path, no_gpu: SystemProbe, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = tmp_path / "a.gguf"
    monkeypatch.setattr(suite, "_variant", lambda ctx, quant: ctx.model)
    monkeypatch.setattr(suite, "registered_adapters", lambda base: [("esc", adapter)] if base else [])
    probes = FakeProbes()
    result = _run(SuiteOptions(model=tiny_gguf, out_dir=tmp_path, sections=("policy",), quants=("Q4_1",)),
                  probes, no_gpu)  # fmt: skip
    cells = {c["quant"]: c for c in result["sections"]["policy"]["cells"]}
    assert set(cells) == {"Q4_1", "Q4_1+esc"} and cells["Q4_1+esc"]["lora"] == str(adapter)
    quick = FakeProbes()
    _run(SuiteOptions(quick=True, model=tiny_gguf, out_dir=tmp_path, sections=("policy",)), quick, no_gpu)
    assert all("lora" not in args for name, args, _ in quick.calls if name == "decode")
    assert suite.parse_args(["--policy", "esc"]).policy == "esc"
