"""Int8 weights with fp32 activations for an ONNX encoder, using standard ONNX operators only.

``quantize_dynamic`` also rounds every activation matrix to 8 bits with one scale per tensor. On the
MiniLM planner encoder that moved the mean-pooled output by ~14 % (relative L2 on valid contexts,
per-channel weights), and the word-embedding Gather it quantizes with a single scale for the whole
table adds ~2.6 % on its own. Rounding only the weights, with fine scales, moved it by ~2 %:

* embedding tables (``Gather`` on a large 2-D initializer): int8 rows, one fp32 scale per row;
* ``MatMul`` weights: int8 in blocks of ``block`` along the input dimension, one fp16 scale per
  block and output column.

Each weight becomes ``Cast(int8) * scale`` (+ ``Reshape`` for blocks). For MatMul weights that
subgraph depends on initializers only, so onnxruntime folds it back to fp32 when the session is
created: the file is int8-sized, inference runs the ordinary fp32 kernels. Embedding rows are
dequantized per looked-up token at run time (a few hundred rows, negligible).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MIN_TABLE_ROWS = 256  # word (30k rows) and position (512 rows) tables; not token types (2 rows)


def _int8(values: np.ndarray, scale: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.clip(np.round(values / scale), -127, 127).astype(np.int8)
    return result


def _safe(scale: np.ndarray) -> np.ndarray:
    scale = scale.copy()
    scale[scale == 0] = 1.0
    return scale


def quantize_tables(model: Any) -> int:
    """Replace each float Gather on a large 2-D initializer with int8 rows and row scales."""
    from onnx import TensorProto, helper, numpy_helper

    inits = {i.name: i for i in model.graph.initializer}
    users: dict[str, int] = {}
    for node in model.graph.node:
        for name in node.input:
            users[name] = users.get(name, 0) + 1
    nodes, done = [], 0
    for node in model.graph.node:
        name = node.input[0] if node.op_type == "Gather" and node.input else ""
        table = numpy_helper.to_array(inits[name]) if name in inits else None
        axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
        if (
            table is None
            or table.dtype != np.float32
            or table.ndim != 2
            or table.shape[0] < MIN_TABLE_ROWS
            or axis != 0
            or users[name] != 1
        ):
            nodes.append(node)
            continue
        scale = _safe(np.abs(table).max(axis=1, keepdims=True) / 127.0).astype(np.float32)
        model.graph.initializer.remove(inits[name])
        model.graph.initializer.extend(
            [
                numpy_helper.from_array(_int8(table, scale), f"{name}.int8"),
                numpy_helper.from_array(scale, f"{name}.row_scale"),
            ]
        )
        ids, out = node.input[1], node.output[0]
        nodes += [
            helper.make_node("Gather", [f"{name}.int8", ids], [f"{out}.int8"], axis=0),
            helper.make_node("Cast", [f"{out}.int8"], [f"{out}.f32"], to=TensorProto.FLOAT),
            helper.make_node("Gather", [f"{name}.row_scale", ids], [f"{out}.scale"], axis=0),
            helper.make_node("Mul", [f"{out}.f32", f"{out}.scale"], [out]),
        ]
        done += 1
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return done


def quantize_matmul_weights(model: Any, block: int = 32) -> int:
    """Store each float 2-D MatMul weight initializer as int8 blocks + fp16 block scales."""
    from onnx import TensorProto, helper, numpy_helper

    inits = {i.name: i for i in model.graph.initializer}
    weights = {
        node.input[1]
        for node in model.graph.node
        if node.op_type == "MatMul" and len(node.input) == 2 and node.input[1] in inits
    }
    prologue = []
    for name in sorted(weights):
        weight = numpy_helper.to_array(inits[name])
        if weight.dtype != np.float32 or weight.ndim != 2 or weight.shape[0] % block:
            continue
        rows, cols = weight.shape
        blocks = weight.reshape(rows // block, block, cols)
        # fp16 scales halve their size; the rounding of the scale is part of what is validated.
        scale = _safe(np.abs(blocks).max(axis=1, keepdims=True) / 127.0).astype(np.float16)
        quantized = _int8(blocks, scale.astype(np.float32))
        model.graph.initializer.remove(inits[name])
        model.graph.initializer.extend(
            [
                numpy_helper.from_array(quantized, f"{name}.int8"),
                numpy_helper.from_array(scale, f"{name}.block_scale"),
                numpy_helper.from_array(np.array([rows, cols], dtype=np.int64), f"{name}.shape"),
            ]
        )
        prologue += [
            helper.make_node("Cast", [f"{name}.int8"], [f"{name}.f32"], to=TensorProto.FLOAT),
            helper.make_node("Cast", [f"{name}.block_scale"], [f"{name}.scale"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [f"{name}.f32", f"{name}.scale"], [f"{name}.blocks"]),
            helper.make_node("Reshape", [f"{name}.blocks", f"{name}.shape"], [name]),
        ]
    nodes = prologue + list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return len(prologue) // 4


def quantize_file(source: str, target: str, block: int = 32) -> dict[str, int]:
    import onnx

    model = onnx.load(source)
    counts = {"tables": quantize_tables(model), "matmuls": quantize_matmul_weights(model, block)}
    onnx.checker.check_model(model)
    onnx.save(model, target)
    return counts
