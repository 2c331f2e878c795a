"""Training examples: COCO people transformed and hidden the way a pose detector loses joints (numpy, vectorised).

Each example is mirrored or not (labels swapped), rotated, stretched, framed by a canvas a random margin
around the person (never beyond the real picture), and then loses joints by one pattern: a frame-edge cut
(bottom most often, then sides, at the waist, just below the shoulders, top and corners; the canvas ends at the
cut, everything beyond is missing),
a whole part, random joints, a few limb joints, or one shoulder. Head points drop out now and then, the
neck is present only when both shoulders are (DWPose).

Detector-like noise on top: the visible joints get jitter whose size varies from person to person, and some
examples lose the joints a detector is least sure of (joints close to a canvas edge, wrists and ankles).
People in hard poses (leaning or side-on torsos, seated or crouching) are drawn more often (``draw_weights``).
"""

from __future__ import annotations

import numpy as np

from ..features import fit
from ..skeleton import (
    L_ANKLE,
    L_ELBOW,
    L_HIP,
    L_KNEE,
    L_SHOULDER,
    L_WRIST,
    MIRROR,
    NECK,
    NUM_JOINTS,
    R_ANKLE,
    R_ELBOW,
    R_HIP,
    R_KNEE,
    R_SHOULDER,
    R_WRIST,
)
from .data import People

PATTERNS = ("bottom", "waist", "chest", "side", "top", "corner", "random", "limbs", "part", "shoulder", "none")
PATTERN_P = np.array([0.17, 0.05, 0.05, 0.16, 0.04, 0.06, 0.14, 0.12, 0.08, 0.10, 0.03])
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
JITTER = 0.015
"""Median jitter of the visible joints (in the person's scale, about a torso); per person times exp(N(0, 0.5))."""
UNSURE_P = 0.15
"""Share of examples that also lose the joints a detector is least sure of (see ``unsure``)."""
HARD_WEIGHT = 1.5
"""How much more often a person in a hard pose is drawn (``draw_weights``)."""


def trainable(people: People, min_labelled: int = 6, min_size: float = 40.0) -> People:
    """People with enough labelled joints and a size where the labels are trustworthy."""
    lab = people.labelled
    lo = np.where(lab[..., None], people.xy, np.inf).min(1)
    hi = np.where(lab[..., None], people.xy, -np.inf).max(1)
    size = (hi - lo).max(1)
    return people.subset((lab.sum(1) >= min_labelled) & (size >= min_size))


def hard_poses(people: People) -> np.ndarray:
    """(N,) bool: a torso leaning more than 25 degrees from upright, a side-on torso (shoulders less than 0.3 of
    the torso apart) or a knee less than half a torso below its hip (seated, crouching). Unlabelled joints never
    make a pose hard."""
    xy, lab = people.xy.astype(np.float64), people.labelled
    hips = lab[:, R_HIP] & lab[:, L_HIP]
    mid_hip = (xy[:, R_HIP] + xy[:, L_HIP]) / 2
    torso_v = mid_hip - xy[:, NECK]
    torso = np.maximum(np.linalg.norm(torso_v, axis=1), 1e-6)
    upright = lab[:, NECK] & hips
    lean = upright & (torso_v[:, 1] < np.cos(np.radians(25)) * torso)
    side_on = upright & (np.linalg.norm(xy[:, R_SHOULDER] - xy[:, L_SHOULDER], axis=1) < 0.3 * torso)
    seated = np.zeros(len(xy), bool)
    for hip, knee in ((R_HIP, R_KNEE), (L_HIP, L_KNEE)):
        seated |= upright & lab[:, knee] & (xy[:, knee, 1] - xy[:, hip, 1] < 0.5 * torso)
    return lean | side_on | seated


def draw_weights(people: People) -> np.ndarray:
    """(N,) probabilities of drawing each person: hard poses HARD_WEIGHT times as often as the others."""
    w = np.where(hard_poses(people), HARD_WEIGHT, 1.0)
    return w / w.sum()


def unsure(rng: np.random.Generator, xy: np.ndarray, frame: np.ndarray, ref_scale: np.ndarray) -> np.ndarray:
    """(B, 18) bool: joints a detector would drop for low confidence: within 0.15 of the person's scale of a canvas
    edge (half of them), wrists and ankles (a quarter), elbows and knees (a tenth)."""
    edge = np.minimum(xy - frame[:, None, :2], frame[:, None, 2:] - xy).min(-1)
    p = np.where(edge < 0.15 * ref_scale[:, None], 0.5, 0.0)
    p[:, [R_WRIST, L_WRIST, R_ANKLE, L_ANKLE]] = np.maximum(p[:, [R_WRIST, L_WRIST, R_ANKLE, L_ANKLE]], 0.25)
    p[:, [R_ELBOW, L_ELBOW, R_KNEE, L_KNEE]] = np.maximum(p[:, [R_ELBOW, L_ELBOW, R_KNEE, L_KNEE]], 0.1)
    return rng.random(p.shape) < p


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
    theta = np.where(rng.random(b) < 0.75, rng.normal(0, 0.08, b), rng.uniform(-0.75, 0.75, b))
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
    # at the waist (seated at a table, a half-length portrait): the bottom edge near the hips, else the chest cut
    hip_y = np.where(lab[:, [R_HIP, L_HIP]], xy[:, [R_HIP, L_HIP], 1], -np.inf).max(1)
    waist = np.where(np.isfinite(hip_y), hip_y + ref_scale * rng.uniform(-0.35, 0.25, b), chest)
    frame[is_["waist"], 3] = np.minimum(frame[is_["waist"], 3], waist[is_["waist"]])
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
    hidden |= unsure(rng, xy, frame, ref_scale) & (rng.random(b) < UNSURE_P)[:, None]

    outside = (xy[..., 0] < frame[:, None, 0]) | (xy[..., 0] > frame[:, None, 2])
    outside |= (xy[..., 1] < frame[:, None, 1]) | (xy[..., 1] > frame[:, None, 3])
    present = lab & ~hidden & ~outside
    present[:, NECK] &= present[:, R_SHOULDER] & present[:, L_SHOULDER]

    sigma = JITTER * np.exp(rng.normal(0, 0.5, b)) * ref_scale
    jitter = rng.normal(0, 1, (b, NUM_JOINTS, 2)) * sigma[:, None, None]
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
