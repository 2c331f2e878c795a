"""The bundled example poses (``examples/``), built deterministically from the mean pose.

Each example is a pose a detector would produce for a typical picture where joints go missing: legs cut at
the bottom edge, a waist-up portrait, an arm past the side, two people, plus the other JSON flavours
(normalised coordinates, a bare BODY_25 OpenPose file without canvas size).
Regenerate with ``python -m lib_posefill.examples [-o examples]``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from .baselines import COCO_MEAN_POSE
from .resources import shipped_path
from .skeleton import (
    BODY25_TO_18,
    L_ELBOW,
    L_EYE,
    L_SHOULDER,
    L_WRIST,
    NOSE,
    R_ELBOW,
    R_EYE,
    R_WRIST,
)

EXAMPLES_DIR = shipped_path("examples")
BODY25_CANVAS = "640x480"
"""The canvas of ``body25_bare.json`` (bare OpenPose output has none): pass ``--canvas 640x480``."""
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


def _doc(people: list[dict[str, Any]], width: int, height: int) -> dict[str, Any]:
    return {"people": people, "canvas_width": width, "canvas_height": height}


def legs_cut() -> dict[str, Any]:
    """A standing person whose knees and feet are below the bottom edge."""
    w, h = 512, 768
    xy = body(250, 60, 1050, {L_WRIST: (0.03, -0.02)})
    return _doc([{"pose_keypoints_2d": triples(xy, visible(xy, w, h))}], w, h)


def waist_up() -> dict[str, Any]:
    """A waist-up portrait with face and a hand raised to the chest; the hips are just off the bottom."""
    w, h = 768, 768
    xy = body(384, 110, 1500, {R_ELBOW: (-0.03, 0.0), R_WRIST: (0.1, -0.2)})
    seen = visible(xy, w, h)
    person = {
        "pose_keypoints_2d": triples(xy, seen),
        "face_keypoints_2d": triples(face(xy), np.ones(70, bool)),
        "hand_right_keypoints_2d": triples(hand(xy[R_WRIST], xy[R_ELBOW]), np.ones(21, bool)),
        "hand_left_keypoints_2d": None,
    }
    return _doc([person], w, h)


def arm_outside() -> dict[str, Any]:
    """A person near the right edge reaching out: the left elbow and wrist are past the side."""
    w, h = 512, 768
    xy = body(380, 120, 560)
    xy[L_ELBOW] = xy[L_SHOULDER] + (0.2 * 560, -0.02 * 560)
    xy[L_WRIST] = xy[L_ELBOW] + (0.19 * 560, -0.05 * 560)
    return _doc([{"pose_keypoints_2d": triples(xy, visible(xy, w, h))}], w, h)


def two_people() -> dict[str, Any]:
    """Two people: one with an occluded right arm and knee, one cut at the left edge and the bottom."""
    w, h = 768, 512
    a = body(520, 50, 430, {R_WRIST: (-0.05, -0.1)})
    b = body(60, 120, 520)
    people = [
        {"pose_keypoints_2d": triples(a, visible(a, w, h, hidden=(R_ELBOW, R_WRIST, 9))), "person_id": [-1]},
        {"pose_keypoints_2d": triples(b, visible(b, w, h)), "person_id": [-1]},
    ]
    doc = _doc(people, w, h)
    doc["animals"] = []
    return doc


def normalised() -> dict[str, Any]:
    """Legs cut at the bottom, written with normalised [0, 1] coordinates."""
    w, h = 512, 512
    xy = body(300, 40, 700)
    seen = visible(xy, w, h)
    return _doc([{"pose_keypoints_2d": triples(xy / (w, h), seen, digits=5)}], w, h)


def body25_bare() -> dict[str, Any]:
    """Bare OpenPose output (BODY_25, no canvas size): the feet are below the bottom of a 640x480 picture."""
    w, h = 640, 480
    xy = body(320, 30, 560)
    seen = visible(xy, w, h)
    xy25 = np.zeros((25, 2))
    seen25 = np.zeros(25, bool)
    xy25[list(BODY25_TO_18)] = xy
    seen25[list(BODY25_TO_18)] = seen
    xy25[8] = (xy[8] + xy[11]) / 2  # mid-hip
    seen25[8] = seen[8] and seen[11]
    person = {"person_id": [-1], "pose_keypoints_2d": triples(xy25, seen25)}
    for key in ("face_keypoints_2d", "hand_left_keypoints_2d", "hand_right_keypoints_2d"):
        person[key] = []
    return {"version": 1.3, "people": [person]}


EXAMPLES = {
    "legs_cut": legs_cut,
    "waist_up": waist_up,
    "arm_outside": arm_outside,
    "two_people": two_people,
    "normalised": normalised,
    "body25_bare": body25_bare,
}


def example_documents() -> dict[str, dict[str, Any]]:
    """File name -> JSON value of every bundled example."""
    return {f"{name}.json": make() for name, make in EXAMPLES.items()}


def write_examples(folder: str | Path = EXAMPLES_DIR) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, value in example_documents().items():
        path = folder / name
        path.write_text(json.dumps(value, indent=1) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lib_posefill.examples", description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default=str(EXAMPLES_DIR), help="folder to write (default: examples/)")
    for path in write_examples(parser.parse_args(argv).output):
        print(path)


if __name__ == "__main__":
    main()
