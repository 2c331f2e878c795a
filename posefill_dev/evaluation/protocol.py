"""The evaluation cases: COCO val people with all 13 body joints labelled, hidden by five missing-joint families.

Each person gets an uncut canvas ending a random 8-80 % of their size beyond their box on each side. A cut
family crops the canvas at the cut line and hides every joint beyond it; the occlusion families hide joints
inside the canvas. As with DWPose, the neck is missing whenever a shoulder is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib_posefill.skeleton import (
    L_ANKLE,
    L_HIP,
    L_KNEE,
    L_SHOULDER,
    NECK,
    NUM_JOINTS,
    R_ANKLE,
    R_HIP,
    R_KNEE,
    R_SHOULDER,
)

from ..training.data import People, body_complete

FAMILIES = ("legs cut", "waist-up", "side cut", "occluded", "shoulder")
FAMILY_HELP = {
    "legs cut": "frame bottom between mid-hip and the lowest knee/ankle",
    "waist-up": "frame bottom between 1/3 of shoulders->hips and just below the hips",
    "side cut": "frame side between the outer shoulder and the outermost joint",
    "occluded": "1-4 limb joints hidden inside the frame",
    "shoulder": "one shoulder (hence the neck) plus 0-2 other joints hidden",
}
SCORED = np.arange(R_SHOULDER, L_ANKLE + 1)
"""Joints scored: shoulders .. ankles."""
LIMBS_NO_SHOULDERS = np.array([j for j in SCORED if j not in (R_SHOULDER, L_SHOULDER)])
MIN_VISIBLE = 3
DEFAULT_SEED = 2017
TUNE_SHARE = 0.25
"""A fixed quarter of COCO val people is the tuning split (inference-time thresholds are chosen on it); the other
three quarters are the report split, the only one ``evaluate`` prints."""


def split(val: People, part: str = "report") -> People:
    """The ``tune`` or ``report`` part of the val people: a fixed random quarter / the rest, by row."""
    tune = np.zeros(len(val), bool)
    tune[np.random.default_rng(20180).permutation(len(val))[: round(TUNE_SHARE * len(val))]] = True
    if part not in ("tune", "report"):
        raise ValueError(f"unknown split {part!r}")
    return val.subset(tune if part == "tune" else ~tune)


@dataclass
class Cases:
    """One family's cases: ground truth, what is given, the canvas, and the torso length."""

    family: str
    truth: np.ndarray  # (N, 18, 2) pixels
    labelled: np.ndarray  # (N, 18) bool
    present: np.ndarray  # (N, 18) bool: given to the filler
    frame: np.ndarray  # (N, 4) [x0, y0, x1, y1]
    torso: np.ndarray  # (N,) neck to mid-hip, pixels

    def subset(self, keep) -> Cases:
        """The cases that ``keep`` (a mask, indices or a slice) selects."""
        return Cases(
            self.family, self.truth[keep], self.labelled[keep], self.present[keep], self.frame[keep], self.torso[keep]
        )

    @property
    def scored(self) -> np.ndarray:
        """(N, 18) bool: hidden labelled joints among shoulders .. ankles."""
        mask = np.zeros_like(self.present)
        mask[:, SCORED] = True
        return mask & self.labelled & ~self.present


def _hide(rng: np.random.Generator, xy: np.ndarray, lab: np.ndarray, family: str, canvas: np.ndarray):
    """Hidden joints (18,) bool and the (possibly cut) canvas for one person and family."""
    hidden = np.zeros(NUM_JOINTS, dtype=bool)
    frame = canvas.copy()
    torso = np.linalg.norm(xy[NECK] - (xy[R_HIP] + xy[L_HIP]) / 2)
    if family == "legs cut":
        mid_hip = (xy[R_HIP, 1] + xy[L_HIP, 1]) / 2
        low = xy[[R_KNEE, L_KNEE, R_ANKLE, L_ANKLE], 1].max()
        frame[3] = rng.uniform(min(mid_hip, low), max(mid_hip, low))
    elif family == "waist-up":
        sh = (xy[R_SHOULDER, 1] + xy[L_SHOULDER, 1]) / 2
        hip = (xy[R_HIP, 1] + xy[L_HIP, 1]) / 2
        a, b = sh + (hip - sh) / 3, max(xy[R_HIP, 1], xy[L_HIP, 1]) + 0.1 * torso
        frame[3] = rng.uniform(min(a, b), max(a, b))
    elif family == "side cut":
        sign = rng.choice((-1.0, 1.0))  # +1: the right edge of the picture, -1: the left
        x = np.where(lab, sign * xy[:, 0], -np.inf)
        shoulder = max(x[R_SHOULDER], x[L_SHOULDER])
        cut = rng.uniform(shoulder, max(shoulder, x.max()))
        if sign > 0:
            frame[2] = cut
        else:
            frame[0] = -cut
    elif family == "occluded":
        hidden[rng.choice(SCORED, size=rng.integers(1, 5), replace=False)] = True
    elif family == "shoulder":
        hidden[rng.choice((R_SHOULDER, L_SHOULDER))] = True
        hidden[rng.choice(LIMBS_NO_SHOULDERS, size=rng.integers(0, 3), replace=False)] = True
    else:
        raise ValueError(f"unknown family {family!r}")
    outside = (xy[:, 0] < frame[0]) | (xy[:, 0] > frame[2]) | (xy[:, 1] < frame[1]) | (xy[:, 1] > frame[3])
    hidden |= outside
    hidden[NECK] |= hidden[R_SHOULDER] | hidden[L_SHOULDER]
    return hidden, frame


def make_cases(val: People, family: str, seed: int = DEFAULT_SEED) -> Cases:
    """The cases of one family (fixed seed). People whose draw hides no scored joint or leaves fewer than
    three visible joints are left out (the same people for every filler)."""
    people = val.subset(body_complete(val))
    rng = np.random.default_rng([seed, FAMILIES.index(family)])
    keep, presents, frames = [], [], []
    for i in range(len(people)):
        xy, lab = people.xy[i].astype(np.float64), people.labelled[i]
        pts = xy[lab]
        lo, hi = pts.min(0), pts.max(0)
        size = max(hi[0] - lo[0], hi[1] - lo[1], 1.0)
        margin = rng.uniform(0.08, 0.8, size=4) * size
        canvas = np.array([lo[0] - margin[0], lo[1] - margin[1], hi[0] + margin[2], hi[1] + margin[3]])
        hidden, frame = _hide(rng, xy, lab, family, canvas)
        present = lab & ~hidden
        if (hidden[SCORED] & lab[SCORED]).any() and present.sum() >= MIN_VISIBLE:
            keep.append(i)
            presents.append(present)
            frames.append(frame)
    sel = np.array(keep, dtype=int)
    xy = people.xy[sel].astype(np.float64)
    torso = np.linalg.norm(xy[:, NECK] - (xy[:, R_HIP] + xy[:, L_HIP]) / 2, axis=1)
    return Cases(
        family=family,
        truth=xy,
        labelled=people.labelled[sel],
        present=np.array(presents, dtype=bool).reshape(-1, NUM_JOINTS),
        frame=np.array(frames, dtype=np.float64).reshape(-1, 4),
        torso=np.maximum(torso, 1e-6),
    )
