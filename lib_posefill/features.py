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
from .skeleton import MIRROR, NUM_JOINTS

MEAN = COCO_MEAN_POSE.astype(np.float32)  # (18, 2), unit RMS radius
EDGE_CLIP = 4.0
"""Frame edges farther than this (in mean-pose units, the body is about 3 tall) look the same."""
IN_DIM = NUM_JOINTS * 3 + 4
_MEAN_HEIGHT = float(np.ptp(MEAN[:, 1]))


# Per-joint sums in one product each: w . _T gives n, sum t, sum |t|^2; (w * xy) . _X gives sum x, sum t.x
# and sum t x x (t: the mean pose). The products are einsums, not BLAS calls: OpenBLAS threads spin after a
# call and take the cores onnxruntime needs next (measured: batched throughput 34,000 -> 74,000 people/s).
_T = np.concatenate([np.ones((NUM_JOINTS, 1)), MEAN, (MEAN**2).sum(1, keepdims=True)], 1).astype(np.float32)
_X = np.zeros((NUM_JOINTS, 2, 4), dtype=np.float32)
_X[:, 0, 0] = _X[:, 1, 1] = 1.0
_X[:, :, 2] = MEAN
_X[:, 0, 3], _X[:, 1, 3] = -MEAN[:, 1], MEAN[:, 0]
_X = _X.reshape(2 * NUM_JOINTS, 4)


def fit(xy: np.ndarray, present: np.ndarray, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale s (N,) and translation t (N, 2) mapping the mean pose onto the present joints.

    With fewer than two distinct present joints the person is assumed a third of the frame tall.
    """
    w = present.astype(np.float32)
    sw = np.einsum("nj,jk->nk", w, _T)  # (N, 4): n, sum tx, sum ty, sum |t|^2
    sx = np.einsum("nj,jk->nk", (xy * w[..., None]).reshape(len(w), -1), _X)  # (N, 4): sum x, sum y, sum t.x, sum t x x
    inv = 1.0 / np.maximum(sw[:, :1], 1.0)
    tm, xm = sw[:, 1:3] * inv, sx[:, :2] * inv
    t_sum, x_sum = sw[:, 1:3], sx[:, :2]  # sums of two columns written out (a reduction over two is slow)
    den = sw[:, 3] - (t_sum[:, 0] * tm[:, 0] + t_sum[:, 1] * tm[:, 1])
    dot = sx[:, 2] - (t_sum[:, 0] * xm[:, 0] + t_sum[:, 1] * xm[:, 1])
    cross = sx[:, 3] - (tm[:, 0] * x_sum[:, 1] - tm[:, 1] * x_sum[:, 0])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = np.sqrt(dot * dot + cross * cross) / den
    good = (den > 1e-6) & (scale > 1e-6) & (scale < np.inf)  # NaN compares False
    if not good.all():
        bad = ~good
        scale[bad] = np.maximum(frame[bad, 3] - frame[bad, 1], 1.0) / (3.0 * _MEAN_HEIGHT)
    return scale.astype(np.float32), (xm - scale[:, None] * tm).astype(np.float32)


def encode(xy: np.ndarray, present: np.ndarray, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features (N, IN_DIM) float32 plus the scale (N,) and translation (N, 2) to decode with."""
    xy = np.asarray(xy, dtype=np.float32)
    present = np.asarray(present, dtype=bool)
    frame = np.asarray(frame, dtype=np.float32)
    scale, shift = fit(xy, present, frame)
    return encode_fitted(xy, present, frame, scale, shift), scale, shift


def encode_fitted(xy: np.ndarray, present: np.ndarray, frame: np.ndarray, scale, shift) -> np.ndarray:
    """``encode``'s features (N, IN_DIM) for people already fitted (``fit``: scale, shift)."""
    n = len(xy)
    inv = (1.0 / scale)[:, None]
    feats = np.empty((n, IN_DIM), dtype=np.float32)
    local = feats[:, : 2 * NUM_JOINTS].reshape(n, NUM_JOINTS, 2)
    np.multiply((xy - shift[:, None]) * inv[..., None] - MEAN, present[..., None], out=local)
    feats[:, 2 * NUM_JOINTS : 3 * NUM_JOINTS] = present
    edges = feats[:, 3 * NUM_JOINTS :].reshape(n, 2, 2)
    np.minimum((frame.reshape(n, 2, 2) - shift[:, None]) * inv[..., None], EDGE_CLIP, out=edges)
    np.maximum(edges, -EDGE_CLIP, out=edges)  # clipped (np.clip itself costs several calls)
    return feats


def decode(offsets: np.ndarray, scale: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Network offsets (N, ..., 36) from the mean pose -> pixel coordinates (N, ..., 18, 2)."""
    pose = offsets.reshape(*offsets.shape[:-1], NUM_JOINTS, 2) + MEAN
    extra = (1,) * (pose.ndim - 3)
    return pose * scale.reshape(-1, *extra, 1, 1) + shift.reshape(-1, *extra, 1, 2)


def _mirror_maps() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Index and sign maps that flip features and offsets left-right: joint labels swapped, x negated, the left and
    right canvas edges exchanged. The mean pose is symmetric, so the fit commutes with the flip."""
    joints = np.array(MIRROR)
    off_idx = np.stack([2 * joints, 2 * joints + 1], 1).reshape(-1)
    off_sign = np.tile([-1.0, 1.0], NUM_JOINTS)
    edge_idx = 3 * NUM_JOINTS + np.array([2, 1, 0, 3])
    feat_idx = np.concatenate([off_idx, 2 * NUM_JOINTS + joints, edge_idx])
    feat_sign = np.concatenate([off_sign, np.ones(NUM_JOINTS), [-1.0, 1.0, -1.0, 1.0]])
    return off_idx, off_sign.astype(np.float32), feat_idx, feat_sign.astype(np.float32)


OFFSET_FLIP, OFFSET_SIGN, FEATURE_FLIP, FEATURE_SIGN = _mirror_maps()


def mirror_features(feats: np.ndarray) -> np.ndarray:
    """The features of the left-right mirrored person (N, IN_DIM)."""
    return feats[..., FEATURE_FLIP] * FEATURE_SIGN


def mirror_offsets(offsets: np.ndarray) -> np.ndarray:
    """Offsets (..., 36) of the mirrored pose."""
    return offsets[..., OFFSET_FLIP] * OFFSET_SIGN


MIRROR_JOINTS = np.array(MIRROR)


def mirror_joints(values: np.ndarray) -> np.ndarray:
    """Per-joint values (N, 18) of the mirrored person."""
    return values[:, MIRROR_JOINTS]


CANON_JOINTS = np.isin(np.arange(NUM_JOINTS), (0, 3, 4, 6, 7, 9, 10, 12, 13, 14, 15, 16, 17)).astype(np.float32)
"""Head and limb joints (not neck, shoulders, hips): the joints whose sideways lean orients a person."""
CANON_EDGE_WEIGHT = 0.3
BLEND = 0.1
"""People whose orientation score is within this of zero are filled in both orientations and blended."""


def orientation(feats: np.ndarray) -> np.ndarray:
    """(N,) a score that changes sign, exactly, when the person is mirrored: how far the head and limbs lean to
    one side of the visible joints' centre, plus which side edge of the canvas is nearer."""
    dx = feats[:, : 2 * NUM_JOINTS : 2]
    return np.einsum("nj,j->n", dx, CANON_JOINTS) + CANON_EDGE_WEIGHT * (
        feats[:, 3 * NUM_JOINTS] + feats[:, 3 * NUM_JOINTS + 2]
    )


def blend_weight(score: np.ndarray) -> np.ndarray:
    """Weight of the person as given (1 - weight goes to the mirrored fill): 1 when the score is above BLEND, 0
    below -BLEND, a smooth step between; weight(-s) = 1 - weight(s), which makes the blended fill mirror-exact."""
    u = np.minimum(np.maximum((score + BLEND) / (2 * BLEND), 0.0), 1.0)
    return u * u * (3 - 2 * u)
