"""A stand-in for ControlNet's OpenPose call function (``OpenposeModel.run_model``), written from reading it.

It follows the real flow: resize so the short side is ``res``, pad bottom/right to a multiple of 64,
"detect" on the padded image, hand the JSON (padded canvas; DWPose in pixels, OpenPose normalised) to
``json_pose_callback``, draw on the padded canvas and crop the pad off. Detection is a fixed scene:
joints outside the real picture are not seen.
"""

from __future__ import annotations

import math

import numpy as np

from lib_posefill.render import render_document

# A standing person in a 512 x 520 picture, in picture pixels; the ankles (y = 565) lie below the
# picture, inside the 64-pixel pad of the detector's canvas (520 -> 576).
STANDING = np.array(
    [
        [256, 22],
        [256, 90],
        [187, 92],
        [154, 185],
        [170, 236],
        [325, 92],
        [360, 185],
        [342, 232],
        [212, 294],
        [199, 412],
        [205, 565],
        [300, 294],
        [313, 414],
        [307, 565],
        [241, 8],
        [271, 8],
        [218, 14],
        [294, 14],
    ],
    dtype=float,
)
LEFT_HAND = np.array([[314 + 3 * math.cos(i), 252 + 4 + i] for i in range(21)], dtype=float)


def pad64(x: int) -> int:
    return int(np.ceil(float(x) / 64.0) * 64 - x)


def person_at(offset_x: float, scale: float = 1.0) -> np.ndarray:
    return STANDING * scale + [offset_x, 0.0]


class FakeOpenpose:
    """``run_model`` for a fixed scene of people (each an (18, 2) array in input-picture pixels)."""

    def __init__(
        self, people: list[np.ndarray], dw: bool = True, hands: bool = True, lost: tuple[int, ...] = ()
    ) -> None:
        self.people = people
        self.dw = dw
        self.hands = hands
        self.lost = lost  # body joints the detector misses even inside the picture

    def run_model(self, img, res=512, json_pose_callback=None, **kwargs):
        h_raw, w_raw = img.shape[:2]
        k = float(res) / float(min(h_raw, w_raw))
        h, w = int(np.round(h_raw * k)), int(np.round(w_raw * k))
        hp, wp = h + pad64(h), w + pad64(w)
        people = []
        for xy in self.people:
            xy = xy * k
            seen = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
            seen[list(self.lost)] = False
            person = {"pose_keypoints_2d": self._triples(xy, seen, wp, hp), "face_keypoints_2d": None}
            hand = (LEFT_HAND - STANDING[7]) * k + xy[7] if self.hands else None
            person["hand_left_keypoints_2d"] = (
                self._triples(hand, np.ones(len(hand), bool), wp, hp) if hand is not None else None
            )
            person["hand_right_keypoints_2d"] = None
            people.append(person)
        doc = {"people": people, "animals": [], "canvas_height": hp, "canvas_width": wp}
        if json_pose_callback:
            json_pose_callback(doc)
        drawn = render_document(doc)
        return np.ascontiguousarray(drawn[:h, :w]).copy(), True

    def _triples(self, xy, seen, wp, hp):
        scale = np.array([1.0, 1.0]) if self.dw else np.array([1.0 / wp, 1.0 / hp])
        out = []
        for (x, y), s in zip(xy * scale, seen):
            out += [float(x), float(y), 1.0] if s else [0.0, 0.0, 0.0]
        return out
