"""Writing the completion network as an ONNX graph from its weights (numpy arrays, no torch needed).

Inputs: ``features`` (N, F), ``noise`` (N, 36) and ``sample`` (a bool). Outputs: ``best`` (N, 36), the best-guess
offsets; ``outside`` (N, 18), the logits that a hidden joint lies beyond a canvas edge; ``uncertainty`` (N, 18), the
best guess's expected error per joint; and ``alternative`` (N, 36): with ``sample`` true, the flow integrated from
``noise`` in the configured number of Euler steps (an ONNX ``If``, so the best guess alone costs no flow steps),
else ``noise`` unchanged.
"""

from __future__ import annotations

import json

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from lib_posefill.features import NUM_JOINTS
from lib_posefill.model import OUTPUTS

OPSET = 17
IR_VERSION = 8
"""The ONNX IR version written: what onnxruntime 1.17 (the oldest PoseFill allows) and AUTOMATIC1111's older ones
read; onnx's own default follows its release (IR 14 with onnx 1.23: 'Unsupported model IR version')."""
INPUTS = ("features", "noise", "sample")


class Graph:
    """Nodes of one ONNX (sub)graph; parameters always go to the shared initializer list."""

    def __init__(self, weights: dict[str, np.ndarray], inits: list[onnx.TensorProto]) -> None:
        self.weights = weights
        self.inits = inits
        self.nodes: list[onnx.NodeProto] = []

    def op(self, kind: str, inputs: list[str], out: str, **attrs) -> str:
        self.nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def const(self, name: str, value: np.ndarray) -> str:
        if not any(t.name == name for t in self.inits):
            self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def linear(self, x: str, name: str, out: str | None = None) -> str:
        w = self.const(name + ".weight_t", self.weights[name + ".weight"].T.astype(np.float32))
        b = self.const(name + ".bias", self.weights[name + ".bias"].astype(np.float32))
        return self.op("Add", [self.op("MatMul", [x, w], (out or name) + ".mm"), b], (out or name) + ".out")

    def norm(self, x: str, name: str, out: str | None = None) -> str:
        g = self.const(name + ".weight", self.weights[name + ".weight"].astype(np.float32))
        b = self.const(name + ".bias", self.weights[name + ".bias"].astype(np.float32))
        return self.op("LayerNormalization", [x, g, b], (out or name) + ".out", axis=-1, epsilon=1e-5)

    def gelu(self, x: str, out: str) -> str:
        # exact GELU: x * 0.5 * (1 + erf(x / sqrt(2))), the pattern onnxruntime fuses
        c = self.const("gelu.rsqrt2", np.array(1 / np.sqrt(2), dtype=np.float32))
        one = self.const("gelu.one", np.array(1.0, dtype=np.float32))
        half = self.const("gelu.half", np.array(0.5, dtype=np.float32))
        e = self.op("Erf", [self.op("Mul", [x, c], out + ".s")], out + ".e")
        m = self.op("Mul", [x, self.op("Add", [e, one], out + ".p")], out + ".m")
        return self.op("Mul", [m, half], out + ".out")

    def block(self, x: str, name: str, out: str | None = None) -> str:
        o = out or name
        h = self.linear(self.norm(x, name + ".norm", o + ".norm"), name + ".fc1", o + ".fc1")
        h = self.linear(self.gelu(h, o + ".act"), name + ".fc2", o + ".fc2")
        return self.op("Add", [x, h], o + ".res")


def time_features(t: float, freqs: int) -> np.ndarray:
    """The numpy twin of ``net.time_features`` for one time."""
    k = np.pi * 2.0 ** np.arange(freqs)
    return np.concatenate([[t], np.sin(t * k), np.cos(t * k)]).astype(np.float32)


def flow_branch(weights: dict, config: dict, inits: list) -> onnx.GraphProto:
    """The ``If`` branch that integrates the flow (outer-scope names: h, noise, given, visible)."""
    g = Graph(weights, inits)
    steps, freqs = config["flow_steps"], config["time_freqs"]
    w_in = g.const("flow_in.weight_t", weights["flow_in.weight"].T.astype(np.float32))  # (36 + time, fw)
    rows = [g.const(f"idx.{k}", np.array([k])) for k in (0, 2 * NUM_JOINTS, 2 * NUM_JOINTS + 1 + 2 * freqs)]
    w_state = g.op("Slice", [w_in, rows[0], rows[1]], "flow_in.state_t")
    w_time = g.op("Slice", [w_in, rows[1], rows[2]], "flow_in.time_t")
    cond = g.linear("h", "cond")
    exact = g.op("Sub", ["given", "noise"], "flow.exact")
    dt = g.const("flow.dt", np.array(1.0 / steps, dtype=np.float32))
    state = "noise"
    for i in range(steps):
        temb = g.const(f"flow.t{i}", time_features(i / steps, freqs)[None])
        bias = g.op("Add", [g.op("MatMul", [temb, w_time], f"flow.{i}.tm"), "flow_in.bias"], f"flow.{i}.tb")
        s = f"flow.{i}"
        x = g.op("MatMul", [state, w_state], s + ".in")
        x = g.op("Add", [g.op("Add", [x, bias], s + ".t"), cond], s + ".x")
        for j in range(config["flow_blocks"]):
            x = g.block(x, f"flow_blocks.{j}", f"{s}.b{j}")
        v = g.linear(g.norm(x, "flow_norm", s + ".norm"), "flow_out", s + ".v")
        v = g.op("Where", ["visible", exact, v], s + ".vv")
        state = g.op("Add", [state, g.op("Mul", [v, dt], s + ".dv")], s + ".state")
    g.op("Identity", [state], "flow.result")
    out = helper.make_tensor_value_info("flow.result", TensorProto.FLOAT, ["N", 2 * NUM_JOINTS])
    return helper.make_graph(g.nodes, "flow", [], [out])


def build_onnx(weights: dict[str, np.ndarray], config: dict) -> onnx.ModelProto:
    """The ONNX model of ``net.PoseNet`` with the weights ``weights`` (see the module docstring)."""
    inits: list[onnx.TensorProto] = []
    g = Graph(weights, inits)
    g.const("flow_in.bias", weights["flow_in.bias"].astype(np.float32))
    x = g.linear("features", "inp")
    for i in range(config["blocks"]):
        x = g.block(x, f"blocks.{i}")
    h = g.op("Identity", [g.norm(x, "norm")], "h")
    for name, head in zip(OUTPUTS[:3], ("head", "outside", "uncertainty"), strict=True):
        g.op("Identity", [g.linear(h, head)], name)
    j = NUM_JOINTS
    g.op(
        "Slice",
        [
            "features",
            g.const("idx.0", np.array([0])),
            g.const("idx.36", np.array([2 * j])),
            g.const("idx.1", np.array([1])),
        ],
        "given",
    )
    present = g.op("Slice", ["features", "idx.36", g.const("idx.54", np.array([3 * j])), "idx.1"], "present")
    twice = g.const("idx.twice", np.repeat(np.arange(j), 2))
    g.op(
        "Greater",
        [g.op("Gather", [present, twice], "present2", axis=1), g.const("half", np.array(0.5, np.float32))],
        "visible",
    )
    branch = flow_branch(weights, config, inits)
    keep = helper.make_graph(
        [helper.make_node("Identity", ["noise"], ["keep.result"])],
        "keep",
        [],
        [helper.make_tensor_value_info("keep.result", TensorProto.FLOAT, ["N", 2 * j])],
    )
    g.nodes.append(helper.make_node("If", ["sample"], ["alternative"], then_branch=branch, else_branch=keep))
    graph = helper.make_graph(
        g.nodes,
        "posefill",
        [
            helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", config["in_dim"]]),
            helper.make_tensor_value_info("noise", TensorProto.FLOAT, ["N", 2 * j]),
            helper.make_tensor_value_info("sample", TensorProto.BOOL, []),
        ],
        [
            helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", size])
            for name, size in zip(OUTPUTS, (2 * j, j, j, 2 * j), strict=True)
        ],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="posefill")
    model.ir_version = IR_VERSION
    helper.set_model_props(model, {"posefill_config": json.dumps(config, sort_keys=True)})
    onnx.checker.check_model(model)
    return model
