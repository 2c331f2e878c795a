"""Finishing the network's fill: rules that hold for every pose, applied after the network.

- a hidden limb bone is never drawn much shorter than its visible mirror bone (``keep_limb_lengths``);
- a hidden joint the network says left the canvas is put beyond the edge when its fill is near that edge or its
  parent already left the canvas there (``place_outside``);
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
    LIMBS,
    NECK,
    NUM_JOINTS,
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
REACH = 0.5
"""A joint flagged outside is moved beyond an edge only when its fill lies within this distance of it (in units of
the person's scale, about half a torso): the network's own placement must already be near the edge."""

PARENT = np.full(NUM_JOINTS, -1)
for _parent, _child in LIMBS:
    PARENT[_child] = _parent
"""PARENT[j]: the joint a limb bone hangs ``j`` from (the neck is the root, -1)."""
DEPTHS = (
    np.array([NECK]),
    np.array([0, 2, 5, 8, 11]),
    np.array([3, 6, 9, 12, 14, 15]),
    np.array([4, 7, 10, 13, 16, 17]),
)
"""The joints by their number of bones from the neck: parents come before their children."""


def edge_gaps(xy: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """(N, J, 4): how far inside each edge (left, top, right, bottom) of its person's frame every point lies."""
    f = frame[:, None]
    x, y = xy[..., 0], xy[..., 1]
    return np.stack([x - f[..., 0], y - f[..., 1], f[..., 2] - x, f[..., 3] - y], -1)


def place_outside(pose: np.ndarray, outside: np.ndarray, frame: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Put each joint flagged ``outside`` (N, 18) whose fill lies inside its frame (N, 4) just beyond the nearest
    edge, but only where that is the network's own reading or the cut forces it: the fill is within REACH of that
    edge, or the joint's parent (after this rule) lies at or beyond it. A joint far from every edge with its parent
    inside stays where the network put it, so the fill does not depend on how much empty canvas surrounds the
    person. ``scale`` (N,) is the person's size in pixels (``features.fit``); parents are placed first."""
    out = np.array(pose, dtype=np.float64, copy=True)
    if not outside.any():
        return out
    m = OUTSIDE_MARGIN * scale[:, None]
    reach = REACH * scale[:, None]
    x0, y0, x1, y1 = (frame[:, i : i + 1] for i in range(4))
    for level in DEPTHS:
        if not outside[:, level].any():
            continue
        gaps = edge_gaps(out[:, level], frame)  # (N, L, 4)
        edge = gaps.argmin(-1)
        gap = np.take_along_axis(gaps, edge[..., None], -1)[..., 0]
        parent = PARENT[level]
        pgaps = edge_gaps(out[:, np.maximum(parent, 0)], frame)
        parent_at = (np.take_along_axis(pgaps, edge[..., None], -1)[..., 0] <= m) & (parent >= 0)
        move = outside[:, level] & (gaps > 0).all(-1) & ((gap <= reach) | parent_at)
        if not move.any():
            continue
        target = np.broadcast_to(np.stack([x0 - m, y0 - m, x1 + m, y1 + m], -1), gaps.shape)
        pick = np.take_along_axis(target, edge[..., None], -1)[..., 0]
        horizontal = (edge == 0) | (edge == 2)
        sub = out[:, level]
        sub[..., 0] = np.where(move & horizontal, pick, sub[..., 0])
        sub[..., 1] = np.where(move & ~horizontal, pick, sub[..., 1])
        out[:, level] = sub
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
_PARENT, _CHILD, _MIRROR_PARENT, _MIRROR_CHILD = (np.ascontiguousarray(c) for c in _BONES.T)
_UPPER = np.array([b for b, (_, child, _, _) in enumerate(_BONES) if child in BELOW])
"""The bones (upper arms, thighs) whose lengthening also moves the joint below their child."""
_BELOW_JOINT = np.array([BELOW[_BONES[b, 1]] for b in _UPPER])


def keep_limb_lengths(pose: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Lengthen each limb bone whose child joint is missing and that is shorter than MIN_MIRROR_LENGTH of its
    mirror bone (both of whose joints are given), along its own direction; a missing joint below it moves along.
    Without this an uncertain limb is drawn short: the middle of its plausible places lies nearer its root.
    All bones at once: when an upper bone grows, the missing joint below its child moves with the child, so the
    lower bone is the same before and after."""
    bone = pose[:, _CHILD] - pose[:, _PARENT]  # (N, 8, 2)
    mirror = pose[:, _MIRROR_CHILD] - pose[:, _MIRROR_PARENT]
    length = np.sqrt(bone[..., 0] * bone[..., 0] + bone[..., 1] * bone[..., 1])
    target = MIN_MIRROR_LENGTH * np.sqrt(mirror[..., 0] * mirror[..., 0] + mirror[..., 1] * mirror[..., 1])
    seen = ~(missing[:, _MIRROR_PARENT] | missing[:, _MIRROR_CHILD])
    grow = missing[:, _CHILD] & seen & (length < target) & (length > 1e-9)
    if not grow.any():
        return pose
    shift = np.where(grow[..., None], bone * (target / np.maximum(length, 1e-9) - 1)[..., None], 0.0)
    moved = np.zeros_like(pose)
    moved[:, _CHILD] = shift  # every bone has its own child joint
    moved[:, _BELOW_JOINT] += shift[:, _UPPER]
    return pose + moved * missing[..., None]
