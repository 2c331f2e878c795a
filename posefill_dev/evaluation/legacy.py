"""Model v2's inference rules (PoseFill 0.2), kept to score them beside today's on the same network and cases:
a joint flagged outside was put beyond the nearest edge however far inside it was filled, and a seed's noise was
``np.random.default_rng(seed)`` normals shared by every person (mirrored with the person)."""

from __future__ import annotations

import numpy as np

from lib_posefill.features import mirror_features, mirror_offsets, orientation
from lib_posefill.model import OnnxFiller, unflip
from lib_posefill.shaping import OUTSIDE_MARGIN, edge_gaps, keep_limb_lengths, limb_uncertainty, settle_factor


def place_outside_unbounded(pose, outside, frame, margin):
    """v2's frame rule: every joint flagged ``outside`` that lies inside goes just beyond the nearest edge."""
    gaps = edge_gaps(pose, frame)
    move = outside & (gaps > 0).all(-1)
    edge = gaps.argmin(-1)
    m = margin[:, None]
    target = np.broadcast_to(
        np.stack([frame[:, :1] - m, frame[:, 1:2] - m, frame[:, 2:3] + m, frame[:, 3:] + m], -1), gaps.shape
    )
    pick = np.take_along_axis(target, edge[..., None], -1)[..., 0]
    out = pose.copy()
    horizontal = (edge == 0) | (edge == 2)
    out[..., 0] = np.where(move & horizontal, pick, pose[..., 0])
    out[..., 1] = np.where(move & ~horizontal, pick, pose[..., 1])
    return out


def shared_noise(seeds: np.ndarray, temperature: float) -> np.ndarray:
    """v2's noise: the same vector for everyone with the same seed."""
    uniq, inverse = np.unique(np.asarray(seeds), return_inverse=True)
    noise = np.stack([np.random.default_rng(int(s)).standard_normal(36) for s in uniq]).astype(np.float32)
    return temperature * noise[inverse.reshape(-1)]


class V2Rules(OnnxFiller):
    """The shipped network with model v2's frame rule and shared seed noise."""

    def alternative(self, feats, seeds):
        flip = orientation(feats) < 0
        canon = np.where(flip[:, None], mirror_features(feats), feats)
        noise = shared_noise(seeds, self.temperature)
        out = self.run(canon, np.where(flip[:, None], mirror_offsets(noise), noise))
        hidden = canon[:, 36:54] < 0.5
        factor = np.repeat(settle_factor(limb_uncertainty(out["uncertainty"], hidden), self.settle), 2, axis=1)
        return unflip(flip, out["best"] + factor * (out["alternative"] - out["best"]), out["outside"])

    def shape(self, pose, missing, outside, frame, scale):
        pose = keep_limb_lengths(pose, missing)
        return place_outside_unbounded(pose, missing & outside, frame, OUTSIDE_MARGIN * scale)
