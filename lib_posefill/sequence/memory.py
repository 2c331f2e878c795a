"""Joints seen in other frames of a track, carried to the frames where they are missing, relative to the body.

For a joint missing at step t, the nearest steps of the same track where it was given, before and after, are
aligned to step t on the joints given in both (a scale from all of them, the translation weighted towards
joints near the missing one in the skeleton, so an ankle follows the knee and hip more than the head), and the
joint is carried over. Between a source before and one after, the two estimates are blended linearly in time;
the estimate's weight falls from 1 to 0 as the nearest source gets ``FULL`` to ``REACH`` steps away.
"""

from __future__ import annotations

import numpy as np

from ..skeleton import LIMBS, NUM_JOINTS
from .timeline import nearest

FULL, REACH = 12, 48
"""Steps from the nearest source up to which a carried joint is trusted fully, and beyond which not at all."""
CHUNK = 50_000
"""(step, joint) pairs aligned at once (bounds memory on long sequences)."""
SCALE_LIMITS = (0.8, 1.25)
"""The body may change size between the source and the target step by at most this ratio."""


def _skeleton_weights() -> np.ndarray:
    """(18, 18) weight of joint k when carrying joint j over: 2 ** -(skeleton distance between them)."""
    dist = np.full((NUM_JOINTS, NUM_JOINTS), np.inf)
    np.fill_diagonal(dist, 0)
    for a, b in LIMBS:
        dist[a, b] = dist[b, a] = 1
    for k in range(NUM_JOINTS):  # Floyd-Warshall on 18 nodes
        dist = np.minimum(dist, dist[:, k : k + 1] + dist[k : k + 1, :])
    return 0.5**dist


NEAR = _skeleton_weights()


def _carry(xy: np.ndarray, given: np.ndarray, target: np.ndarray, source: np.ndarray, joint: np.ndarray) -> np.ndarray:
    """Joint ``joint`` of step ``source`` carried to step ``target`` (M pairs) -> (M, 2); NaN without common joints."""
    common = given[target] & given[source]
    count = common.sum(1)
    xt, xs = xy[target], xy[source]
    w = NEAR[joint] * common
    wsum = w.sum(1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        ct = (xt * w[..., None]).sum(1) / wsum
        cs = (xs * w[..., None]).sum(1) / wsum
        mt = (xt * common[..., None]).sum(1) / count[:, None]
        ms = (xs * common[..., None]).sum(1) / count[:, None]
        spread_t = (((xt - mt[:, None]) ** 2).sum(-1) * common).sum(1)
        spread_s = (((xs - ms[:, None]) ** 2).sum(-1) * common).sum(1)
        scale = np.sqrt(spread_t / spread_s)
    scale = np.where((count >= 3) & np.isfinite(scale), np.clip(scale, *SCALE_LIMITS), 1.0)
    return ct + scale[:, None] * (xs[np.arange(len(joint)), joint] - cs)


def carry_over(xy: np.ndarray, given: np.ndarray, track: np.ndarray, wanted: np.ndarray):
    """Estimates (L, 18, 2) of ``wanted`` (L, 18) joints from the steps where they were given, and their
    weights (L, 18) in [0, 1] (0: no estimate). ``xy`` (L, 18, 2), ``given`` (L, 18), ``track`` (L,)."""
    out = np.zeros(xy.shape)
    weight = np.zeros(given.shape)
    before, after = nearest(given, track), nearest(given, track, after=True)
    steps = np.arange(len(xy))[:, None]
    near_b = np.where(before >= 0, steps - before, np.inf)
    near_a = np.where(after >= 0, after - steps, np.inf)
    todo = wanted & (np.minimum(near_b, near_a) < REACH)
    t_idx, j_idx = np.nonzero(todo)
    for lo in range(0, len(t_idx), CHUNK):
        t, j = t_idx[lo : lo + CHUNK], j_idx[lo : lo + CHUNK]
        db, da = near_b[t, j], near_a[t, j]
        est_b = _carry(xy, given, t, np.maximum(before[t, j], 0), j)
        est_a = _carry(xy, given, t, np.maximum(after[t, j], 0), j)
        trust_b = _trust(db) * np.isfinite(est_b).all(1)
        trust_a = _trust(da) * np.isfinite(est_a).all(1)
        wb, wa = trust_b / np.maximum(db, 1), trust_a / np.maximum(da, 1)  # linear in time between two sources
        ok = wb + wa > 0
        total = np.where(ok, wb + wa, 1.0)[:, None]
        blend = (np.nan_to_num(est_b) * wb[:, None] + np.nan_to_num(est_a) * wa[:, None]) / total
        out[t[ok], j[ok]] = blend[ok]
        weight[t[ok], j[ok]] = np.maximum(trust_b, trust_a)[ok]
    return out, weight


def _trust(distance: np.ndarray) -> np.ndarray:
    return np.clip((REACH - distance) / (REACH - FULL), 0.0, 1.0)
