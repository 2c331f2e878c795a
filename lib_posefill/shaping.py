"""Finishing the network's fill: rules that hold for every pose, applied after the network.

- a hidden limb bone is never drawn much shorter than its visible mirror bone (``keep_limb_lengths``);
- a hidden joint the network says left the canvas is put beyond the edge (``place_outside``);
- a seeded alternative moves a limb only as far as the limb is uncertain (``settle_factor``, ``limb_uncertainty``).

Each rule treats left and right alike, so the fill stays mirror-exact.
"""

from __future__ import annotations

import numpy as np

from .skeleton import (
    L_ANKLE,
    L_ELBOW,
    L_HIP,
    L_KNEE,
    L_SHOULDER,
    L_WRIST,
    R_ANKLE,
    R_ELBOW,
    R_HIP,
    R_KNEE,
    R_SHOULDER,
    R_WRIST,
)

MIN_SETTLE = 0.05
"""No joint stays perfectly still: every seed gives its own pose, if only a little apart."""


def settle_factor(uncertainty: np.ndarray, settle: tuple[float, float]) -> np.ndarray:
    """How much of the flow's departure from the best guess a joint keeps: MIN_SETTLE below an expected error of
    settle[0] (about a torso length times that), all of it above settle[1], a smooth step between. Joints the
    model is sure of (one occluded elbow) stay put between seeds; uncertain ones (the legs of a waist-up
    portrait) keep the flow's full range."""
    u = np.clip((uncertainty - settle[0]) / (settle[1] - settle[0]), 0.0, 1.0)
    return MIN_SETTLE + (1 - MIN_SETTLE) * u * u * (3 - 2 * u)


LIMB_GROUPS = ((2, 3, 4), (5, 6, 7), (8, 9, 10), (11, 12, 13), (0, 14, 15, 16, 17), (1,))
"""Arms, legs (from the hip), the head, the neck: an alternative moves each as a whole."""


def limb_uncertainty(uncertainty: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """(N, 18): every joint gets the largest expected error among the hidden joints of its limb."""
    out = np.zeros_like(uncertainty)
    masked = np.where(hidden, uncertainty, 0.0)
    for group in LIMB_GROUPS:
        out[:, group] = masked[:, group].max(1, keepdims=True)
    return out


OUTSIDE_MARGIN = 0.03
"""How far beyond the edge (in units of the person's scale, about 1/30 of a torso) a joint the model places outside
the canvas is put when the fill itself landed inside."""


def place_outside(pose: np.ndarray, outside: np.ndarray, frame: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """Move each joint flagged ``outside`` (N, 18) that lies inside its frame (N, 4) just beyond the nearest edge
    (``margin`` (N,) pixels beyond it); other joints are returned unchanged."""
    x0, y0, x1, y1 = (frame[:, i : i + 1] for i in range(4))
    x, y = pose[..., 0], pose[..., 1]
    gaps = np.stack([x - x0, y - y0, x1 - x, y1 - y], -1)  # (N, 18, 4): how far inside of each edge
    move = outside & (gaps > 0).all(-1)
    if not move.any():
        return pose
    edge = gaps.argmin(-1)
    m = margin[:, None]
    target = np.stack([x0 - m, y0 - m, x1 + m, y1 + m], -1)  # (N, 1 or 18, 4) where each edge puts it
    target = np.broadcast_to(target, gaps.shape)
    pick = np.take_along_axis(target, edge[..., None], -1)[..., 0]
    out = pose.copy()
    horizontal = (edge == 0) | (edge == 2)
    out[..., 0] = np.where(move & horizontal, pick, x)
    out[..., 1] = np.where(move & ~horizontal, pick, y)
    return out


LIMB_BONES = (
    ((R_SHOULDER, R_ELBOW), (L_SHOULDER, L_ELBOW)),
    ((R_ELBOW, R_WRIST), (L_ELBOW, L_WRIST)),
    ((R_HIP, R_KNEE), (L_HIP, L_KNEE)),
    ((R_KNEE, R_ANKLE), (L_KNEE, L_ANKLE)),
)
"""Upper arm, forearm, thigh, shin as (right, left) pairs, each bone (parent, child), parents first."""
BELOW = {R_ELBOW: R_WRIST, L_ELBOW: L_WRIST, R_KNEE: R_ANKLE, L_KNEE: L_ANKLE}
MIN_MIRROR_LENGTH = 0.75
"""A hidden bone shorter than this share of its visible mirror bone is lengthened to it."""

_BONES = np.array([(*bone, *mirror) for pair in LIMB_BONES for bone, mirror in (pair, pair[::-1])])
"""(8, 4): parent, child, mirror parent, mirror child of every limb bone."""
_UPPER = np.array([b for b, (_, child, _, _) in enumerate(_BONES) if child in BELOW])
"""The bones (upper arms, thighs) whose lengthening also moves the joint below their child."""
_BELOW_JOINT = np.array([BELOW[_BONES[b, 1]] for b in _UPPER])


def keep_limb_lengths(pose: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Lengthen each limb bone whose child joint is missing and that is shorter than MIN_MIRROR_LENGTH of its
    mirror bone (both of whose joints are given), along its own direction; a missing joint below it moves along.
    Without this an uncertain limb is drawn short: the middle of its plausible places lies nearer its root.
    All bones at once: when an upper bone grows, the missing joint below its child moves with the child, so the
    lower bone is the same before and after."""
    parent, child, mirror_parent, mirror_child = _BONES.T
    bone = pose[:, child] - pose[:, parent]  # (N, 8, 2)
    mirror = pose[:, mirror_child] - pose[:, mirror_parent]
    length = np.sqrt((bone * bone).sum(-1))
    target = MIN_MIRROR_LENGTH * np.sqrt((mirror * mirror).sum(-1))
    seen = ~missing[:, mirror_parent] & ~missing[:, mirror_child]
    grow = missing[:, child] & seen & (length < target) & (length > 1e-9)
    if not grow.any():
        return pose
    shift = np.where(grow[..., None], bone * (target / np.maximum(length, 1e-9) - 1)[..., None], 0.0)
    moved = np.zeros_like(pose)
    moved[:, child] = shift  # every bone has its own child joint
    moved[:, _BELOW_JOINT] += shift[:, _UPPER]
    return pose + moved * missing[..., None]
