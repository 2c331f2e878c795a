"""Synthetic DWPose-style detections (body, hands, face) of people whose legs are cut by the picture's
bottom edge, on a canvas padded to multiples of 64 as ControlNet's OpenPose preprocessors pad it."""

from __future__ import annotations

import math

import numpy as np

from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.skeleton import L_WRIST, NOSE, R_WRIST

# A standing person (mean pose with the arms swung out), unit = the mean pose's RMS radius.
POSE = COCO_MEAN_POSE.astype(np.float64) + np.array(
    [[0, 0]] * 3 + [[-0.12, 0.02], [-0.30, -0.05]] + [[0, 0]] + [[0.10, 0.0], [0.28, 0.02]] + [[0, 0]] * 10
)
HEIGHT_UNITS = float(np.ptp(POSE[:, 1]))


def padded_to_64(x: int) -> int:
    return int(math.ceil(x / 64.0) * 64)


def _inside(xy: np.ndarray, width: int, height: int) -> np.ndarray:
    return (xy[:, 0] >= 0) & (xy[:, 0] < width) & (xy[:, 1] >= 0) & (xy[:, 1] < height)


def _triples(xy: np.ndarray, seen: np.ndarray) -> list[float]:
    out = np.zeros((len(xy), 3))
    out[seen, :2] = xy[seen]
    out[seen, 2] = 1.0
    return out.ravel().tolist()


def _hand(wrist: np.ndarray, size: float, side: float) -> np.ndarray:
    fingers = [wrist]
    for f in range(5):
        angle = math.radians(-30 + 15 * f) * side
        for j in range(1, 5):
            r = size * (0.35 + 0.16 * j)
            fingers.append(wrist + r * np.array([math.sin(angle), math.cos(angle)]))
    return np.array(fingers)


def _face(nose: np.ndarray, size: float) -> np.ndarray:
    t = np.linspace(0, 2 * math.pi, 70, endpoint=False)
    return nose + size * np.stack([0.5 * np.cos(t), 0.65 * np.sin(t) + 0.1], axis=1)


def dwpose_document(people: int, width: int = 512, height: int = 768, cut: float = 0.25) -> dict:
    """A ControlNet pose JSON for ``people`` side by side in a ``width`` x ``height`` picture.

    Each person is scaled so that ``cut`` of their height lies below the picture; joints outside the
    picture are missing, as a detector leaves them. The canvas is padded to multiples of 64.
    """
    scale = 0.9 * height / ((1.0 - cut) * HEIGHT_UNITS)
    if people > 1:  # side by side, each in its own column
        scale = min(scale, width / people / float(np.ptp(POSE[:, 0])))
    top = height - (1.0 - cut) * scale * HEIGHT_UNITS
    doc_people = []
    for i in range(people):
        centre_x = width * (i + 0.5) / people
        xy = (POSE - POSE.min(0) * [0, 1]) * scale + [centre_x, top]
        seen = _inside(xy, width, height)
        hands = [_hand(xy[w], 0.2 * scale, s) for w, s in ((L_WRIST, 1.0), (R_WRIST, -1.0))]
        face = _face(xy[NOSE], 0.2 * scale)
        doc_people.append(
            {
                "pose_keypoints_2d": _triples(xy, seen),
                "face_keypoints_2d": _triples(face, _inside(face, width, height)),
                "hand_left_keypoints_2d": _triples(hands[0], _inside(hands[0], width, height)),
                "hand_right_keypoints_2d": _triples(hands[1], _inside(hands[1], width, height)),
            }
        )
    return {
        "people": doc_people,
        "animals": [],
        "canvas_width": padded_to_64(width),
        "canvas_height": padded_to_64(height),
    }
