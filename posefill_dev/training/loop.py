"""The training loop: masked COCO examples, put in their canonical orientation, -> PoseNet.

Losses, all over hidden labelled joints and in units of the person's scale (about a torso length):
- best: distance of the best guess from the truth;
- bone: how far the completed bones' lengths miss the true lengths (a bone counts when an end was hidden), so an
  uncertain limb is not drawn short;
- frame: a hidden joint whose true place is beyond a canvas edge must be filled beyond it, one inside the canvas
  must stay inside;
- outside: cross-entropy of the outside logits (does the hidden joint lie beyond a canvas edge);
- uncertainty: how far the expected-error head misses the best guess's actual error;
- flow: the rectified-flow velocity error of the alternatives head.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from lib_posefill.features import BLEND, MEAN, NUM_JOINTS, encode, mirror_features, mirror_offsets, orientation
from lib_posefill.skeleton import MIRROR

from .data import People
from .masks import make_batch
from .net import DEFAULT_CONFIG, PoseNet, grown, visible_offsets

log = logging.getLogger("posefill")
BODY_BONES = np.array(
    [(1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11), (11, 12), (12, 13)]
)
FRAME_MARGIN = 0.05
"""How far (mean-pose units, about 1/20 of a torso) a joint must lie beyond the edge, or inside it."""


@dataclass
class TrainConfig:
    steps: int = 70000
    batch: int = 512
    lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup: int = 300
    seed: int = 0
    bone_weight: float = 0.5
    frame_weight: float = 0.5
    flow_weight: float = 1.0
    side_weight: float = 0.1
    net: dict = field(default_factory=lambda: dict(DEFAULT_CONFIG))


def canonical(batch: dict, rng: np.random.Generator) -> dict:
    """Features and targets in the canonical orientation, normalised by the fit to the visible joints.

    People with a negative orientation score are mirrored; those within BLEND of zero are mirrored at random, as
    the filler then blends both orientations. Returns tensors: feats, target offsets (N, 36), frame (N, 4)
    [x0, y0, x1, y1], loss mask (N, 18), the scale to reference units (N, 1), and the present mask (N, 18).
    """
    feats, scale, shift = encode(batch["xy"], batch["present"], batch["frame"])
    inv = (1.0 / scale)[:, None, None]
    target = ((batch["target"] - shift[:, None]) * inv - MEAN).reshape(len(feats), -1)
    frame = ((batch["frame"].reshape(-1, 2, 2) - shift[:, None]) * inv).reshape(-1, 4)
    mask = batch["loss_mask"] & batch["ok"][:, None]
    present = batch["present"]
    score = orientation(feats)
    flip = (score < -BLEND) | ((np.abs(score) <= BLEND) & (rng.random(len(feats)) < 0.5))
    feats[flip] = mirror_features(feats[flip])
    target[flip] = mirror_offsets(target[flip])
    frame[flip] = np.stack([-frame[flip, 2], frame[flip, 1], -frame[flip, 0], frame[flip, 3]], 1)
    mask[flip] = mask[flip][:, list(MIRROR)]
    present = np.where(flip[:, None], present[:, list(MIRROR)], present)
    return {
        "feats": torch.from_numpy(feats),
        "target": torch.from_numpy(target.astype(np.float32)),
        "frame": torch.from_numpy(np.nan_to_num(frame, posinf=1e6, neginf=-1e6).astype(np.float32)),
        "mask": torch.from_numpy(mask),
        "unit": torch.from_numpy((scale / batch["ref_scale"]).astype(np.float32))[:, None],
        "present": torch.from_numpy(present),
    }


def beyond(pose: torch.Tensor, frame: torch.Tensor) -> torch.Tensor:
    """(N, 18, 4) signed distance of each joint beyond the left, top, right, bottom edge (positive = outside)."""
    return torch.stack(
        [
            frame[:, None, 0] - pose[..., 0],
            frame[:, None, 1] - pose[..., 1],
            pose[..., 0] - frame[:, None, 2],
            pose[..., 1] - frame[:, None, 3],
        ],
        -1,
    )


def losses(net: PoseNet, data: dict) -> dict[str, torch.Tensor]:
    """The four losses for one batch in canonical orientation (see the module docstring)."""
    mean = torch.from_numpy(MEAN)
    n = len(data["feats"])
    best, outside_logit, uncertainty, cond = net(data["feats"])
    pose = best.reshape(n, NUM_JOINTS, 2) + mean
    truth = data["target"].reshape(n, NUM_JOINTS, 2) + mean
    mask = data["mask"].float()
    unit = data["unit"]
    count = mask.sum().clamp(min=1)
    dist = torch.sqrt(((pose - truth) ** 2).sum(-1) + 1e-8) * unit
    out = {"best": (dist * mask).sum() / count}

    given = data["feats"][:, : 2 * NUM_JOINTS].reshape(n, NUM_JOINTS, 2) + mean
    done = torch.where(data["present"][..., None], given, pose)
    a, b = BODY_BONES[:, 0], BODY_BONES[:, 1]
    labelled = data["mask"] | data["present"]
    use = (labelled[:, a] & labelled[:, b] & (data["mask"][:, a] | data["mask"][:, b])).float()
    length = torch.sqrt(((done[:, a] - done[:, b]) ** 2).sum(-1) + 1e-8)
    true_length = torch.sqrt(((truth[:, a] - truth[:, b]) ** 2).sum(-1) + 1e-8)
    out["bone"] = ((length - true_length).abs() * unit * use).sum() / use.sum().clamp(min=1)

    true_out = beyond(truth, data["frame"])
    pred_out = beyond(pose, data["frame"])
    outside = true_out > 0
    need_out = torch.clamp(true_out, max=FRAME_MARGIN)  # be beyond the edge the truth crossed
    need_in = torch.clamp(-true_out, max=FRAME_MARGIN)  # stay inside every edge the truth is inside
    miss = torch.where(outside, torch.relu(need_out - pred_out), torch.relu(pred_out + need_in))
    out["frame"] = (miss.sum(-1) * unit * mask).sum() / count
    left = outside.any(-1).float()
    bce = torch.nn.functional.binary_cross_entropy_with_logits(outside_logit, left, reduction="none")
    out["outside"] = (bce * mask).sum() / count
    out["uncertainty"] = ((uncertainty - dist.detach()).abs() * mask).sum() / count

    noise = torch.randn(n, 2 * NUM_JOINTS)
    t = torch.rand(n, 1)
    given_off, visible = visible_offsets(data["feats"])
    hidden = data["mask"].repeat_interleave(2, 1)
    end = torch.where(visible, given_off, torch.where(hidden, data["target"], best.detach()))
    state = (1 - t) * noise + t * end
    v = net.velocity(cond, state, t)
    flow_mask = hidden.float()
    err = ((v - (end - noise)) * unit) ** 2  # in reference units: a badly fitted scale does not dominate
    out["flow"] = (err * flow_mask).sum() / flow_mask.sum().clamp(min=1)
    return out


def train(
    people: People,
    cfg: TrainConfig,
    minutes: float | None = None,
    checkpoint: Callable[[PoseNet, int], None] | None = None,
    checkpoint_every: int = 1000,
    init: PoseNet | None = None,
) -> tuple[PoseNet, dict]:
    """Train a PoseNet; stops after cfg.steps (or ``minutes``, whichever first). Returns the net and a log.
    ``checkpoint(net, step)`` is called every ``checkpoint_every`` steps. With ``init`` the training starts from
    that network's weights (grown to cfg.net's blocks, see ``net.grown``) instead of from scratch."""
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    net = PoseNet(cfg.net) if init is None else grown(init, cfg.net)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    weights = {
        "best": 1.0,
        "bone": cfg.bone_weight,
        "frame": cfg.frame_weight,
        "outside": cfg.side_weight,
        "uncertainty": cfg.side_weight,
        "flow": cfg.flow_weight,
    }

    def lr_at(step: int) -> float:
        if step < cfg.warmup:
            return cfg.lr * (step + 1) / cfg.warmup
        return cfg.lr * 0.5 * (1 + math.cos(math.pi * (step - cfg.warmup) / max(cfg.steps - cfg.warmup, 1)))

    start = time.perf_counter()
    run = dict.fromkeys(weights, 0.0)
    step = 0
    for step in range(cfg.steps):
        if minutes is not None and time.perf_counter() - start > 60 * minutes:
            log.warning("time limit: stopped after %d of %d steps", step, cfg.steps)
            break
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        data = canonical(make_batch(rng, people, rng.integers(0, len(people), cfg.batch)), rng)
        parts = losses(net, data)
        loss = sum(weights[k] * v for k, v in parts.items())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        for key, value in parts.items():
            run[key] = 0.98 * run[key] + 0.02 * float(value.detach())
        if checkpoint and step and step % checkpoint_every == 0:
            checkpoint(net, step)
        if step % 500 == 0 or step == cfg.steps - 1:
            log.warning(
                "step %d  %s  lr %.2e  %.0f s",
                step,
                "  ".join(f"{k} {v:.4f}" for k, v in run.items()),
                lr_at(step),
                time.perf_counter() - start,
            )
    net.eval()
    return net, {"steps": step + 1, "seconds": round(time.perf_counter() - start, 1), **run}
