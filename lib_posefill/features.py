"""The network's view of a person, shared by training and inference (numpy only).

Coordinates are normalised by the visible joints alone: the COCO mean pose is fitted to them by scale
and translation, where the scale is the magnitude of the best similarity fit (so it does not change with
rotation or with which joints are visible, and needs no neck). The network sees the visible joints as
offsets from the fitted mean pose, which joints are visible, and the frame edges in the same units, and
predicts offsets from the mean pose for all 18 joints.
"""

from __future__ import annotations

import numpy as np

from .baselines import COCO_MEAN_POSE
from .skeleton import NUM_JOINTS

MEAN = COCO_MEAN_POSE.astype(np.float32)  # (18, 2), unit RMS radius
EDGE_CLIP = 4.0
"""Frame edges farther than this (in mean-pose units, the body is about 3 tall) look the same."""
IN_DIM = NUM_JOINTS * 3 + 4
_MEAN_HEIGHT = float(np.ptp(MEAN[:, 1]))


def fit(xy: np.ndarray, present: np.ndarray, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale s (N,) and translation t (N, 2) mapping the mean pose onto the present joints.

    With fewer than two distinct present joints the person is assumed a third of the frame tall.
    """
    w = present.astype(np.float32)
    inv = 1.0 / np.maximum(w.sum(1, keepdims=True), 1.0)  # (N, 1)
    wx = w[..., None] * xy
    xm = wx.sum(1) * inv  # (N, 2)
    tm = (w @ MEAN) * inv  # (N, 2)
    tc = (MEAN - tm[:, None]) * w[..., None]
    xc = (xy - xm[:, None]) * w[..., None]
    den = (tc * tc).sum((1, 2))
    dot = (tc * xc).sum((1, 2))
    cross = (tc[..., 0] * xc[..., 1] - tc[..., 1] * xc[..., 0]).sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.sqrt(dot * dot + cross * cross) / den
    bad = ~(den > 1e-6) | ~(scale > 1e-6) | ~np.isfinite(scale)
    if bad.any():
        scale[bad] = np.maximum(frame[bad, 3] - frame[bad, 1], 1.0) / (3.0 * _MEAN_HEIGHT)
    return scale.astype(np.float32), (xm - scale[:, None] * tm).astype(np.float32)


def encode(xy: np.ndarray, present: np.ndarray, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features (N, IN_DIM) float32 plus the scale (N,) and translation (N, 2) to decode with."""
    xy = np.asarray(xy, dtype=np.float32)
    present = np.asarray(present, dtype=bool)
    frame = np.asarray(frame, dtype=np.float32)
    scale, shift = fit(xy, present, frame)
    n = len(xy)
    inv = (1.0 / scale)[:, None]
    feats = np.empty((n, IN_DIM), dtype=np.float32)
    local = feats[:, : 2 * NUM_JOINTS].reshape(n, NUM_JOINTS, 2)
    np.multiply((xy - shift[:, None]) * inv[..., None] - MEAN, present[..., None], out=local)
    feats[:, 2 * NUM_JOINTS : 3 * NUM_JOINTS] = present
    edges = feats[:, 3 * NUM_JOINTS :].reshape(n, 2, 2)
    np.clip((frame.reshape(n, 2, 2) - shift[:, None]) * inv[..., None], -EDGE_CLIP, EDGE_CLIP, out=edges)
    return feats, scale, shift


def decode(offsets: np.ndarray, scale: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Network offsets (N, ..., 36) from the mean pose -> pixel coordinates (N, ..., 18, 2)."""
    pose = offsets.reshape(*offsets.shape[:-1], NUM_JOINTS, 2) + MEAN
    extra = (1,) * (pose.ndim - 3)
    return pose * scale.reshape(-1, *extra, 1, 1) + shift.reshape(-1, *extra, 1, 2)
