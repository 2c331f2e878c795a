"""The training loop: masked COCO examples -> PoseNet, best guess plus winner-takes-all hypotheses."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from ..features import MEAN, encode
from .data import People
from .masks import make_batch
from .net import DEFAULT_CONFIG, PoseNet, split_outputs

log = logging.getLogger("posefill")


@dataclass
class TrainConfig:
    steps: int = 40000
    batch: int = 512
    lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup: int = 300
    seed: int = 0
    relax: float = 0.05
    """Share of the hypothesis loss spread over all hypotheses (relaxed winner-takes-all)."""
    hyp_weight: float = 0.5
    logit_weight: float = 0.1
    net: dict = field(default_factory=lambda: dict(DEFAULT_CONFIG))


def losses(net: PoseNet, batch: dict, relax: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Best-guess error, relaxed winner-takes-all hypothesis error, hypothesis-choice cross-entropy; errors are
    joint distances over the hidden labelled joints in units of the person's scale (about a torso length)."""
    feats, scale, shift = encode(batch["xy"], batch["present"], batch["frame"])
    out = net(torch.from_numpy(feats))
    k = net.config["hypotheses"]
    best, hyps, logits = split_outputs(out, k)
    mean = torch.from_numpy(MEAN)
    s = torch.from_numpy(scale / batch["ref_scale"])[:, None, None]
    target = torch.from_numpy((batch["target"] - shift[:, None]) / batch["ref_scale"][:, None, None])
    mask = torch.from_numpy(batch["loss_mask"] & batch["ok"][:, None]).float()

    def err(offsets: torch.Tensor) -> torch.Tensor:  # (..., 36) -> (..., 18) distances
        pose = (offsets.reshape(*offsets.shape[:-1], 18, 2) + mean) * s.reshape(-1, *([1] * (offsets.dim() - 1)), 1)
        t = target.reshape(-1, *([1] * (offsets.dim() - 2)), 18, 2)
        return torch.sqrt(((pose - t) ** 2).sum(-1) + 1e-8)

    n = mask.sum().clamp(min=1)
    best_loss = (err(best) * mask).sum() / n
    per = (err(hyps) * mask[:, None]).sum(-1) / mask.sum(-1, keepdim=True).clamp(min=1)  # (B, K)
    has = (mask.sum(-1) > 0).float()
    winner = per.detach().argmin(1)
    wta = (1 - relax) * per.gather(1, winner[:, None])[:, 0] + relax * per.mean(1)
    hyp_loss = (wta * has).sum() / has.sum().clamp(min=1)
    ce = (torch.nn.functional.cross_entropy(logits, winner, reduction="none") * has).sum() / has.sum().clamp(min=1)
    return best_loss, hyp_loss, ce


def train(
    people: People,
    cfg: TrainConfig,
    minutes: float | None = None,
    checkpoint: Callable[[PoseNet, int], None] | None = None,
    checkpoint_every: int = 1000,
) -> tuple[PoseNet, dict]:
    """Train a PoseNet; stops after cfg.steps (or ``minutes``, whichever first). Returns the net and a log.
    ``checkpoint(net, step)`` is called every ``checkpoint_every`` steps."""
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    net = PoseNet(cfg.net)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    def lr_at(step: int) -> float:
        if step < cfg.warmup:
            return cfg.lr * (step + 1) / cfg.warmup
        return cfg.lr * 0.5 * (1 + math.cos(math.pi * (step - cfg.warmup) / max(cfg.steps - cfg.warmup, 1)))

    start = time.perf_counter()
    run = {"best": 0.0, "hyp": 0.0, "ce": 0.0}
    step = 0
    for step in range(cfg.steps):
        if minutes is not None and time.perf_counter() - start > 60 * minutes:
            log.warning("time limit: stopped after %d of %d steps", step, cfg.steps)
            break
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        batch = make_batch(rng, people, rng.integers(0, len(people), cfg.batch))
        best, hyp, ce = losses(net, batch, cfg.relax)
        loss = best + cfg.hyp_weight * hyp + cfg.logit_weight * ce
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        for key, value in (("best", best), ("hyp", hyp), ("ce", ce)):
            run[key] = 0.98 * run[key] + 0.02 * float(value.detach())
        if checkpoint and step and step % checkpoint_every == 0:
            checkpoint(net, step)
        if step % 500 == 0 or step == cfg.steps - 1:
            log.warning(
                "step %d  loss best %.4f hyp %.4f ce %.3f  lr %.2e  %.0f s",
                step,
                run["best"],
                run["hyp"],
                run["ce"],
                lr_at(step),
                time.perf_counter() - start,
            )
    net.eval()
    return net, {"steps": step + 1, "seconds": round(time.perf_counter() - start, 1), **run}
