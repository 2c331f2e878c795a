"""The completion network (torch): a residual MLP over the features of ``lib_posefill.features`` with two heads.

- best guess: offsets from the mean pose for all 18 joints (36 numbers), one pass, with two small side heads: per
  joint, the logit that a hidden joint lies outside the canvas, and the expected error of the best guess (the
  filler keeps alternatives close to the best guess where that error is small);
- alternatives: a conditional rectified flow. A small velocity network, conditioned on the trunk, carries a noise
  pose to a plausible completion in a few Euler steps; the seed picks the noise. Joints that are visible follow
  their exact straight path, so only the hidden ones are generated.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from lib_posefill.features import IN_DIM

DEFAULT_CONFIG = {
    "in_dim": IN_DIM,
    "width": 256,
    "hidden": 512,
    "blocks": 2,
    "flow_width": 192,
    "flow_blocks": 2,
    "flow_steps": 8,
    "time_freqs": 4,
    "temperature": 1.0,
    "settle": [0.2, 0.35],
}
OUT = 36


def time_features(t: torch.Tensor, freqs: int) -> torch.Tensor:
    """(N, 1) times in [0, 1] -> (N, 1 + 2 * freqs): t and sin/cos of t at octave frequencies."""
    k = torch.pi * 2.0 ** torch.arange(freqs, dtype=t.dtype)
    return torch.cat([t, torch.sin(t * k), torch.cos(t * k)], -1)


class Block(nn.Module):
    def __init__(self, width: int, hidden: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)
        nn.init.zeros_(self.fc2.weight)  # every block starts as the identity

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fc2(nn.functional.gelu(self.fc1(self.norm(x))))


class PoseNet(nn.Module):
    def __init__(self, config: dict) -> None:
        super().__init__()
        self.config = {**DEFAULT_CONFIG, **config, "out_dim": OUT}
        c = self.config
        self.inp = nn.Linear(c["in_dim"], c["width"])
        self.blocks = nn.ModuleList(Block(c["width"], c["hidden"]) for _ in range(c["blocks"]))
        self.norm = nn.LayerNorm(c["width"])
        self.head = nn.Linear(c["width"], OUT)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        self.outside = nn.Linear(c["width"], OUT // 2)
        self.uncertainty = nn.Linear(c["width"], OUT // 2)
        fw = c["flow_width"]
        self.cond = nn.Linear(c["width"], fw)
        self.flow_in = nn.Linear(OUT + 1 + 2 * c["time_freqs"], fw)
        self.flow_blocks = nn.ModuleList(Block(fw, 2 * fw) for _ in range(c["flow_blocks"]))
        self.flow_norm = nn.LayerNorm(fw)
        self.flow_out = nn.Linear(fw, OUT)

    def trunk(self, feats: torch.Tensor) -> torch.Tensor:
        x = self.inp(feats)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)

    def forward(self, feats: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Best-guess offsets (N, 36), outside logits (N, 18), expected errors (N, 18) and the flow's conditioning
        (N, flow_width; the flow does not train the trunk)."""
        h = self.trunk(feats)
        return self.head(h), self.outside(h), self.uncertainty(h), self.cond(h.detach())

    def velocity(self, cond: torch.Tensor, state: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """The flow's velocity (N, 36) at ``state`` (N, 36) and time ``t`` (N, 1)."""
        x = cond + self.flow_in(torch.cat([state, time_features(t, self.config["time_freqs"])], -1))
        for block in self.flow_blocks:
            x = block(x)
        return self.flow_out(self.flow_norm(x))

    def sample(self, feats: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """Integrate the flow from ``noise`` (N, 36) in ``flow_steps`` Euler steps; visible joints follow their
        exact path from the noise to their given offsets."""
        cond = self.forward(feats)[-1]
        given, visible = visible_offsets(feats)
        steps = self.config["flow_steps"]
        state = noise
        for i in range(steps):
            t = torch.full((len(feats), 1), i / steps)
            v = torch.where(visible, given - noise, self.velocity(cond, state, t))
            state = state + v / steps
        return state

    def numpy_weights(self) -> dict:
        return {k: v.detach().cpu().numpy() for k, v in self.state_dict().items()}


def grown(init: PoseNet, config: dict) -> PoseNet:
    """A PoseNet of ``config`` that starts as ``init``: the same layers copied, and any extra trunk blocks added
    after init's as the identity (their last layer is zero), so it computes exactly what ``init`` does."""
    net = PoseNet(config)
    c, i = net.config, init.config
    same = ("in_dim", "width", "hidden", "flow_width", "flow_blocks", "time_freqs")
    if any(c[k] != i[k] for k in same) or c["blocks"] < i["blocks"]:
        raise ValueError(f"cannot grow {i} into {c}: only more trunk blocks can be added")
    missing, unexpected = net.load_state_dict(init.state_dict(), strict=False)
    new = {f"blocks.{b}." for b in range(i["blocks"], c["blocks"])}
    if unexpected or any(k[: k.index(".", 7) + 1] not in new for k in missing):
        raise ValueError(f"init does not fit: missing {missing}, unexpected {unexpected}")
    for b in range(i["blocks"], c["blocks"]):
        nn.init.zeros_(net.blocks[b].fc2.bias)
    return net


def visible_offsets(feats: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The given joints' offsets (N, 36) and which of the 36 numbers belong to a visible joint (N, 36) bool."""
    present = feats[:, OUT : OUT + OUT // 2] > 0.5
    return feats[:, :OUT], present.repeat_interleave(2, dim=1)


def parameter_count(net: nn.Module) -> int:
    return sum(math.prod(p.shape) for p in net.parameters())


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
        base = key.rsplit(".", 1)[0]
        if key.endswith(".weight") and base + ".weight_t" in arrays:
            state[key] = torch.from_numpy(arrays[base + ".weight_t"].T.copy())
        else:
            state[key] = torch.from_numpy(arrays[key])
    net.load_state_dict(state)
    return net.eval()
