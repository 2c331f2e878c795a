"""Test poses made with project code: the mean pose, scaled, shifted and jittered."""

from __future__ import annotations

import numpy as np

from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.skeleton import HEAD_JOINTS

HEAD = np.isin(np.arange(18), HEAD_JOINTS)


def body(rng: np.random.Generator, cx: float, cy: float, scale: float, missing=()) -> list[float]:
    """pose_keypoints_2d of a person standing at (cx, cy), about 3 * scale pixels tall."""
    jitter = rng.normal(0, 1, (18, 2)) * scale * np.where(HEAD, 0.015, 0.06)[:, None]
    xy = COCO_MEAN_POSE * scale + jitter + (cx, cy)
    c = np.ones(18)
    c[list(missing)] = 0
    xy[list(missing)] = 0
    return np.c_[xy, c].ravel().tolist()


def document(people: list[list[float]], width: int, height: int) -> dict:
    return {"canvas_width": width, "canvas_height": height, "people": [{"pose_keypoints_2d": p} for p in people]}


def legs_cut(seed: int = 0, width: int = 512, height: int = 512, below: bool = False) -> dict:
    """One person whose knees and ankles are missing (as a waist-up photo gives); with ``below`` the
    person is large enough that the legs belong below the bottom edge."""
    rng = np.random.default_rng(seed)
    cy, scale = (height * 0.6, height * 0.4) if below else (height * 0.45, height * 0.22)
    return document([body(rng, width / 2, cy, scale, missing=(9, 10, 12, 13))], width, height)
