"""Writing the completion network as an ONNX graph from its weights (numpy arrays, no torch needed).

The graph is the residual MLP of ``net.py``: input projection, pre-norm residual blocks
(LayerNorm -> Linear -> GELU -> Linear), a final LayerNorm and one linear head.
"""

from __future__ import annotations

import json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
INPUT, OUTPUT = "features", "outputs"


def build_onnx(weights: dict[str, np.ndarray], config: dict, dtype: str = "float32") -> onnx.ModelProto:
    """An ONNX model computing the network for ``features`` (N, F) float32 -> ``outputs`` (N, O) float32.

    ``dtype="float16"`` stores the matrices in half precision (cast back to float32 when the graph runs).
    """
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []

    def param(name: str, value: np.ndarray, half: bool = False) -> str:
        if half:
            inits.append(numpy_helper.from_array(value.astype(np.float16), name + "_h"))
            nodes.append(helper.make_node("Cast", [name + "_h"], [name], to=TensorProto.FLOAT))
        else:
            inits.append(numpy_helper.from_array(value.astype(np.float32), name))
        return name

    def linear(x: str, name: str) -> str:
        w = param(name + ".weight_t", weights[name + ".weight"].T, half=dtype == "float16")
        b = param(name + ".bias", weights[name + ".bias"])
        nodes.append(helper.make_node("MatMul", [x, w], [name + ".mm"]))
        nodes.append(helper.make_node("Add", [name + ".mm", b], [name + ".out"]))
        return name + ".out"

    def norm(x: str, name: str) -> str:
        g = param(name + ".weight", weights[name + ".weight"])
        b = param(name + ".bias", weights[name + ".bias"])
        nodes.append(helper.make_node("LayerNormalization", [x, g, b], [name + ".out"], axis=-1, epsilon=1e-5))
        return name + ".out"

    def gelu(x: str, name: str) -> str:
        # exact GELU: x * 0.5 * (1 + erf(x / sqrt(2))), the pattern onnxruntime fuses
        c = param(name + ".rsqrt2", np.array(1 / np.sqrt(2), dtype=np.float32))
        one = param(name + ".one", np.array(1.0, dtype=np.float32))
        half = param(name + ".half", np.array(0.5, dtype=np.float32))
        for op, ins, out in (
            ("Mul", [x, c], ".s"),
            ("Erf", [name + ".s"], ".e"),
            ("Add", [name + ".e", one], ".p"),
            ("Mul", [x, name + ".p"], ".m"),
            ("Mul", [name + ".m", half], ".out"),
        ):
            nodes.append(helper.make_node(op, ins, [name + out]))
        return name + ".out"

    x = linear(INPUT, "inp")
    for i in range(config["blocks"]):
        p = f"blocks.{i}"
        h = linear(gelu(linear(norm(x, p + ".norm"), p + ".fc1"), p + ".act"), p + ".fc2")
        nodes.append(helper.make_node("Add", [x, h], [p + ".res"]))
        x = p + ".res"
    out = linear(norm(x, "norm"), "head")
    nodes.append(helper.make_node("Identity", [out], [OUTPUT]))
    graph = helper.make_graph(
        nodes,
        "posefill",
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["N", config["in_dim"]])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["N", config["out_dim"]])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="posefill")
    model.ir_version = 8
    helper.set_model_props(model, {"posefill_config": json.dumps(config, sort_keys=True)})
    onnx.checker.check_model(model)
    return model
