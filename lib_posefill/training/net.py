"""The completion network (torch): a residual MLP over the features of ``lib_posefill.features``.

Output per person: a best-guess offset from the mean pose for all 18 joints (36 numbers), K alternative
hypotheses (K x 36, trained winner-takes-all) and K logits saying how likely each hypothesis is.
"""

from __future__ import annotations

import torch
from torch import nn

from ..features import IN_DIM

DEFAULT_CONFIG = {"in_dim": IN_DIM, "width": 256, "hidden": 512, "blocks": 2, "hypotheses": 8}


def out_dim(config: dict) -> int:
    return 36 + 37 * config["hypotheses"]


class Block(nn.Module):
    def __init__(self, width: int, hidden: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fc2(nn.functional.gelu(self.fc1(self.norm(x))))


class PoseNet(nn.Module):
    def __init__(self, config: dict) -> None:
        super().__init__()
        self.config = {**config, "out_dim": out_dim(config)}
        self.inp = nn.Linear(config["in_dim"], config["width"])
        self.blocks = nn.ModuleList(Block(config["width"], config["hidden"]) for _ in range(config["blocks"]))
        self.norm = nn.LayerNorm(config["width"])
        self.head = nn.Linear(config["width"], self.config["out_dim"])
        nn.init.normal_(self.head.weight, std=0.01)  # distinct hypotheses from the start
        nn.init.zeros_(self.head.bias)
        for block in self.blocks:
            nn.init.zeros_(block.fc2.weight)  # every block starts as the identity

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.inp(x)
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))

    def numpy_weights(self) -> dict:
        return {k: v.detach().cpu().numpy() for k, v in self.state_dict().items()}


def split_outputs(out, hypotheses: int):
    """(best (N, 36), hypotheses (N, K, 36), logits (N, K)) from the raw output; works for torch and numpy."""
    k = hypotheses
    return out[:, :36], out[:, 36 : 36 + 36 * k].reshape(-1, k, 36), out[:, 36 + 36 * k :]


def from_onnx(path) -> PoseNet:
    """Rebuild the torch network from the weights stored in an exported ONNX file (for the parity test)."""
    import json

    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    config = json.loads({p.key: p.value for p in model.metadata_props}["posefill_config"])
    arrays = {t.name.removesuffix("_h"): numpy_helper.to_array(t).astype("float32") for t in model.graph.initializer}
    net = PoseNet(config)
    state = {}
    for key in net.state_dict():
        if key.endswith(".weight") and key.rsplit(".", 1)[0] + ".weight_t" in arrays:
            state[key] = torch.from_numpy(arrays[key.rsplit(".", 1)[0] + ".weight_t"].T.copy())
        else:
            state[key] = torch.from_numpy(arrays[key])
    net.load_state_dict(state)
    return net.eval()
