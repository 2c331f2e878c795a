"""Synthetic people built from the mean pose, for tests and benchmarks (no dataset rows): a body of any size
anywhere, detector-style [x, y, c] triples, which points a canvas sees, and a hand and a face that sit on a body.
"""

from __future__ import annotations

import math

import numpy as np

from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.skeleton import L_EYE, NOSE, R_EYE

MEAN_HEIGHT = float(np.ptp(COCO_MEAN_POSE[:, 1]))


def body(cx: float, top: float, height: float, tweak: dict[int, tuple[float, float]] | None = None) -> np.ndarray:
    """An (18, 2) pixel pose: the mean pose ``height`` pixels tall, centred on ``cx``, eyes at ``top``.

    ``tweak`` moves joints by a fraction of the height (arms raised, a step to the side).
    """
    s = height / MEAN_HEIGHT
    xy = COCO_MEAN_POSE.astype(np.float64) * s
    xy += (cx, top - xy[:, 1].min())
    for joint, (dx, dy) in (tweak or {}).items():
        xy[joint] += (dx * height, dy * height)
    return xy


def _confidence(i: int) -> float:
    return round(0.55 + 0.4 * ((i * 7) % 10) / 10, 3)


def triples(xy: np.ndarray, seen: np.ndarray, digits: int = 2) -> list[float]:
    """Flat [x, y, c, ...] with missing points as [0, 0, 0], as detectors write them."""
    out: list[float] = []
    for i, ((x, y), ok) in enumerate(zip(xy, seen)):
        out += [round(float(x), digits), round(float(y), digits), _confidence(i)] if ok else [0, 0, 0]
    return out


def visible(xy: np.ndarray, width: float, height: float, hidden: tuple[int, ...] = ()) -> np.ndarray:
    """Points inside the canvas, minus the ``hidden`` (occluded) ones."""
    seen = (xy[:, 0] >= 0) & (xy[:, 1] >= 0) & (xy[:, 0] < width) & (xy[:, 1] < height)
    seen[list(hidden)] = False
    return seen


def hand(wrist: np.ndarray, elbow: np.ndarray) -> np.ndarray:
    """21 hand points (wrist, then four per finger) fanned out along the forearm."""
    d = wrist - elbow
    size = 0.45 * float(np.hypot(*d))
    base = math.atan2(d[1], d[0])
    pts = [wrist]
    for f in range(5):
        angle = base + (f - 2) * 0.28
        direction = np.array([math.cos(angle), math.sin(angle)])
        pts += [wrist + direction * size * (0.35 + 0.22 * k) for k in range(4)]
    return np.array(pts)


def face(xy: np.ndarray) -> np.ndarray:
    """70 face points (jaw, brows, nose, eyes, mouth, pupils) around the body's nose and eyes."""
    nose, r_eye, l_eye = xy[NOSE], xy[R_EYE], xy[L_EYE]
    u = float(np.hypot(*(l_eye - r_eye)))

    def at(p: np.ndarray, dx: float, dy: float) -> np.ndarray:
        return p + np.array([dx, dy]) * u

    def ring(p: np.ndarray, rx: float, ry: float, n: int, start: float = 0.0, stop: float = 2 * math.pi):
        return [at(p, rx * math.cos(a), ry * math.sin(a)) for a in np.linspace(start, stop, n, endpoint=stop < 6)]

    jaw = ring(at(nose, 0, 0.2), 1.1, 1.2, 17, 0.05, math.pi - 0.05)
    brows = [at(eye, dx, -0.45) for eye in (r_eye, l_eye) for dx in np.linspace(-0.35, 0.35, 5)]
    nose_pts = [at(nose, 0, (k - 3) * 0.25) for k in range(4)] + [
        at(nose, dx, 0.15) for dx in np.linspace(-0.3, 0.3, 5)
    ]
    eyes = ring(r_eye, 0.25, 0.12, 6, math.pi, 3 * math.pi) + ring(l_eye, 0.25, 0.12, 6, math.pi, 3 * math.pi)
    mouth = ring(at(nose, 0, 0.6), 0.45, 0.15, 12) + ring(at(nose, 0, 0.6), 0.3, 0.07, 8)
    return np.array(jaw + brows + nose_pts + eyes + mouth + [r_eye, l_eye])
