"""Training examples: COCO people transformed and hidden the way a pose detector loses joints (numpy, vectorised).

Each example is mirrored or not (labels swapped), rotated, stretched, framed by a canvas a random margin
around the person (never beyond the real picture), and then loses joints by one pattern: a frame-edge cut
(bottom most often, then sides, just below the shoulders, top and corners; the canvas ends at the cut,
everything beyond is missing),
a whole part, random joints, a few limb joints, or one shoulder. Head points drop out now and then, the
neck is present only when both shoulders are (DWPose), and the visible joints get a little jitter.
"""

from __future__ import annotations

import numpy as np

from ..features import fit
from ..skeleton import L_SHOULDER, MIRROR, NECK, NUM_JOINTS, R_SHOULDER
from .data import People

PATTERNS = ("bottom", "chest", "side", "top", "corner", "random", "limbs", "part", "shoulder", "none")
PATTERN_P = np.array([0.22, 0.05, 0.16, 0.04, 0.06, 0.14, 0.12, 0.08, 0.10, 0.03])
PARTS = (
    (3, 4),
    (6, 7),
    (2, 3, 4),
    (5, 6, 7),
    (9, 10),
    (12, 13),
    (9, 10, 12, 13),
    (8, 9, 10, 11, 12, 13),
    (10, 13),
    (4, 7),
    (0, 14, 15, 16, 17),
)
SCORED = np.arange(2, 14)
OTHER_LIMBS = np.array([3, 4, 6, 7, 8, 9, 10, 11, 12, 13])
HEAD = np.array([0, 14, 15, 16, 17])


def trainable(people: People, min_labelled: int = 6, min_size: float = 40.0) -> People:
    """People with enough labelled joints and a size where the labels are trustworthy."""
    lab = people.labelled
    lo = np.where(lab[..., None], people.xy, np.inf).min(1)
    hi = np.where(lab[..., None], people.xy, -np.inf).max(1)
    size = (hi - lo).max(1)
    return people.subset((lab.sum(1) >= min_labelled) & (size >= min_size))


def make_batch(rng: np.random.Generator, people: People, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Examples for people[idx]: input xy/present/frame, target xy, loss mask (hidden labelled joints) and the
    person's reference scale (mean-pose fit to all labelled joints)."""
    b = len(idx)
    xy = people.xy[idx].astype(np.float32)
    lab = people.labelled[idx].copy()
    img = people.frame[idx].astype(np.float32)
    rows = np.arange(b)[:, None]

    # mirror: swap labels, flip x inside the picture
    flip = rng.random(b) < 0.5
    xy[flip] = xy[flip][:, list(MIRROR)]
    lab[flip] = lab[flip][:, list(MIRROR)]
    xy[flip, :, 0] = (img[flip, 0] + img[flip, 2])[:, None] - xy[flip, :, 0]

    # rotation (mostly small) and aspect change about the labelled centroid, applied to the picture too
    w = lab[..., None].astype(np.float32)
    centre = (xy * w).sum(1) / np.maximum(w.sum(1), 1)
    theta = np.where(rng.random(b) < 0.75, rng.normal(0, 0.08, b), rng.uniform(-0.6, 0.6, b))
    aspect = np.exp(rng.normal(0, 0.08, b))
    cos, sin = np.cos(theta), np.sin(theta)

    def move(p):
        d = p - centre[:, None]
        d = d * np.stack([np.ones(b), aspect], -1)[:, None]
        return (
            np.stack(
                [
                    cos[:, None] * d[..., 0] - sin[:, None] * d[..., 1],
                    sin[:, None] * d[..., 0] + cos[:, None] * d[..., 1],
                ],
                -1,
            )
            + centre[:, None]
        )

    xy = move(xy).astype(np.float32)
    corners = move(img[:, [[0, 1], [2, 1], [0, 3], [2, 3]]])
    pic = np.concatenate([corners.min(1), corners.max(1)], 1)

    # canvas: a random margin around the labelled joints, never beyond the picture
    lo = np.where(lab[..., None], xy, np.inf).min(1)
    hi = np.where(lab[..., None], xy, -np.inf).max(1)
    size = np.maximum((hi - lo).max(1), 1.0)
    margin = rng.uniform(0.04, 1.0, (b, 4)) * size[:, None]
    margin[rng.random(b) < 0.3] = np.inf
    frame = np.concatenate([np.maximum(pic[:, :2], lo - margin[:, :2]), np.minimum(pic[:, 2:], hi + margin[:, 2:])], 1)

    # missing-joint pattern
    pattern = rng.choice(len(PATTERNS), size=b, p=PATTERN_P)
    hidden = np.zeros((b, NUM_JOINTS), dtype=bool)
    u = rng.random(b)
    span = hi - lo
    cut_bottom = lo[:, 1] + span[:, 1] * (0.15 + 0.85 * u)
    cut_top = lo[:, 1] + span[:, 1] * 0.5 * u
    side_u = 0.2 + 0.8 * rng.random(b)
    right = rng.random(b) < 0.5
    cut_right = lo[:, 0] + span[:, 0] * side_u
    cut_left = hi[:, 0] - span[:, 0] * side_u
    is_ = {name: pattern == i for i, name in enumerate(PATTERNS)}
    # chest-up portrait: the bottom edge just below the shoulders (or the neck, or the top of the labels)
    shoulders = np.where(lab[:, [R_SHOULDER, L_SHOULDER, NECK]], xy[:, [R_SHOULDER, L_SHOULDER, NECK], 1], -np.inf)
    shoulder_y = np.where(np.isfinite(shoulders.max(1)), shoulders.max(1), lo[:, 1])
    ref_scale, _ = fit(xy, lab, frame)
    chest = shoulder_y + ref_scale * rng.uniform(0.05, 0.6, b)
    frame[is_["chest"], 3] = np.minimum(frame[is_["chest"], 3], chest[is_["chest"]])
    bottom = is_["bottom"] | is_["corner"]
    side = is_["side"] | is_["corner"]
    frame[bottom, 3] = np.minimum(frame[bottom, 3], cut_bottom[bottom])
    frame[is_["top"], 1] = np.maximum(frame[is_["top"], 1], cut_top[is_["top"]])
    sr, sl = side & right, side & ~right
    frame[sr, 2] = np.minimum(frame[sr, 2], cut_right[sr])
    frame[sl, 0] = np.maximum(frame[sl, 0], cut_left[sl])

    p_random = np.where(is_["random"], rng.uniform(0.1, 0.6, b), 0.0)
    hidden |= rng.random((b, NUM_JOINTS)) < p_random[:, None]
    # a few limb joints: 1-4 of shoulders .. ankles
    k = rng.integers(1, 5, b)
    order = np.argsort(rng.random((b, len(SCORED))), 1)
    hidden[rows, SCORED[order]] |= (np.arange(len(SCORED))[None] < k[:, None]) & is_["limbs"][:, None]
    # one shoulder plus 0-2 other limb joints
    sh = np.where(rng.random(b) < 0.5, R_SHOULDER, L_SHOULDER)
    hidden[np.flatnonzero(is_["shoulder"]), sh[is_["shoulder"]]] = True
    k = rng.integers(0, 3, b)
    order = np.argsort(rng.random((b, len(OTHER_LIMBS))), 1)
    hidden[rows, OTHER_LIMBS[order]] |= (np.arange(len(OTHER_LIMBS))[None] < k[:, None]) & is_["shoulder"][:, None]
    # a whole part
    part = rng.integers(0, len(PARTS), b)
    for i, joints in enumerate(PARTS):
        sel = is_["part"] & (part == i)
        hidden[np.ix_(sel, joints)] = True
    # extras on top of any pattern: a stray limb joint, head points
    extra = rng.random(b) < 0.2
    hidden[np.flatnonzero(extra), rng.choice(SCORED, b)[extra]] = True
    hidden[:, HEAD] |= rng.random((b, len(HEAD))) < 0.1

    outside = (xy[..., 0] < frame[:, None, 0]) | (xy[..., 0] > frame[:, None, 2])
    outside |= (xy[..., 1] < frame[:, None, 1]) | (xy[..., 1] > frame[:, None, 3])
    present = lab & ~hidden & ~outside
    present[:, NECK] &= present[:, R_SHOULDER] & present[:, L_SHOULDER]

    jitter = rng.normal(0, 0.015, (b, NUM_JOINTS, 2)) * ref_scale[:, None, None]
    given = np.where(present[..., None], xy + jitter, 0.0).astype(np.float32)
    return {
        "xy": given,
        "present": present,
        "frame": frame.astype(np.float32),
        "target": xy,
        "loss_mask": lab & ~present,
        "ref_scale": ref_scale,
        "ok": present.sum(1) >= 3,
    }
