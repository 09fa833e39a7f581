"""The planner export's weight-only int8 pass on a tiny graph: int8 storage, fp32-close outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from export.planner.weight_int8 import quantize_file  # noqa: E402


def _tiny_model(path: Path) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    table = rng.normal(size=(300, 64)).astype(np.float32)
    table[7] *= 40.0  # one outlier row must not cost the other rows their precision
    weight = rng.normal(size=(64, 16)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "ids"], ["emb"], axis=0),
            helper.make_node("MatMul", ["emb", "weight"], ["out"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [None])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [None, 16])],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(weight, "weight")],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return table, weight


def _run(path: Path, ids: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    result: np.ndarray = session.run(["out"], {"ids": ids})[0]
    return result


def test_weights_are_stored_as_int8_and_outputs_stay_close(tmp_path: Path) -> None:
    source, target = tmp_path / "fp32.onnx", tmp_path / "int8.onnx"
    table, weight = _tiny_model(source)
    assert quantize_file(str(source), str(target), block=32) == {"tables": 1, "matmuls": 1, "compensated": 0}

    stored = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(target)).graph.initializer}
    assert not any(a.dtype == np.float32 and a.size >= 64 * 16 for a in stored.values())
    assert target.stat().st_size < source.stat().st_size / 3

    ids = np.array([0, 7, 42, 299], dtype=np.int64)
    expected, got = table[ids] @ weight, _run(target, ids)
    assert np.allclose(_run(source, ids), expected, atol=1e-4)
    relative = np.linalg.norm(got - expected, axis=1) / np.linalg.norm(expected, axis=1)
    assert relative.max() < 0.02


def test_small_tables_and_odd_shapes_are_left_alone(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["types", "ids"], ["emb"], axis=0),
            helper.make_node("MatMul", ["emb", "odd"], ["out"]),
        ],
        "small",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [None])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [None, 5])],
        [
            numpy_helper.from_array(rng.normal(size=(2, 33)).astype(np.float32), "types"),
            numpy_helper.from_array(rng.normal(size=(33, 5)).astype(np.float32), "odd"),
        ],
    )
    source, target = tmp_path / "small.onnx", tmp_path / "small8.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(source))
    assert quantize_file(str(source), str(target)) == {"tables": 0, "matmuls": 0, "compensated": 0}
    ids = np.array([1, 0], dtype=np.int64)
    assert np.array_equal(_run(source, ids), _run(target, ids))


def test_compensation_beats_plain_rounding_on_the_calibration_inputs(tmp_path: Path) -> None:
    source = tmp_path / "fp32.onnx"
    table, weight = _tiny_model(source)
    ids = np.arange(0, 300, 3, dtype=np.int64)
    feeds = [{"ids": ids[i : i + 20]} for i in range(0, len(ids), 20)]
    expected = table[ids] @ weight
    errors = {}
    for name, calibration in (("plain", None), ("compensated", feeds)):
        target = tmp_path / f"{name}.onnx"
        counts = quantize_file(str(source), str(target), block=32, calibration=calibration)
        assert counts["compensated"] == int(calibration is not None)
        errors[name] = float(np.linalg.norm(_run(target, ids) - expected))
    assert errors["compensated"] < errors["plain"]
