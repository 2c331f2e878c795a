"""The bundled example poses (``poses/``), cut from real people of the COCO 2017 val keypoint annotations.

Each example takes one picture's people (COCO image id below, credited in poses/README.md: CC BY 4.0) and
frames them the way its name says: the canvas is a crop of the picture, chosen from the person's own joints so
that its edge cuts the body where the name says, scaled to a Stable Diffusion size. Joints beyond the canvas edge
are removed, as a detector loses them; joints COCO left unlabelled stay missing. COCO has no hand or face
keypoints, so the examples have none. No other dataset rows are kept anywhere in the project.

Regenerate: ``python -m posefill_dev.examples DATA [-o poses]``, DATA being the COCO val keypoints: the shared
``coco2017_person_keypoints_val.csv.gz``, the official ``person_keypoints_val2017.json``, or a folder of either.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lib_posefill.resources import EXAMPLES_DIR
from lib_posefill.skeleton import (
    BODY25_TO_18,
    L_ANKLE,
    L_HIP,
    L_KNEE,
    L_SHOULDER,
    NUM_JOINTS,
    R_ANKLE,
    R_ELBOW,
    R_HIP,
    R_KNEE,
    R_SHOULDER,
    R_WRIST,
)

from .training.data import COCO_NAMES, find_split, from_coco17

MARGIN = 0.08
"""Free space around the kept joints, as a share of their extent (the head and hands need some)."""


@dataclass(frozen=True)
class Example:
    """One example: a COCO picture's people, a canvas, and the cut that frames them (a function of their joints)."""

    image_id: str
    canvas: tuple[int, int]
    cut: Callable[[np.ndarray, np.ndarray], dict[str, float]]  # (xy (N, 18, 2), present) -> fixed crop edges
    write: Callable[[list[np.ndarray], int, int], dict[str, Any]]
    what: str
    people: tuple[int, ...] = (0,)  # which of the picture's annotated people, in annotation order


def _between(a: float, b: float, share: float) -> float:
    return a + share * (b - a)


def _mean(xy: np.ndarray, joints: tuple[int, ...]) -> np.ndarray:
    return xy[0, list(joints)].mean(0)


def legs_below(xy: np.ndarray, present: np.ndarray) -> dict[str, float]:
    """The bottom edge a third of the way from the hips to the knees: knees and feet below it."""
    hips, knees = _mean(xy, (R_HIP, L_HIP)), _mean(xy, (R_KNEE, L_KNEE))
    return {"bottom": _between(hips[1], knees[1], 0.35)}


def waist_down_below(xy: np.ndarray, present: np.ndarray) -> dict[str, float]:
    """The bottom edge just above the hips: a waist-up portrait."""
    shoulders, hips = _mean(xy, (R_SHOULDER, L_SHOULDER)), _mean(xy, (R_HIP, L_HIP))
    return {"bottom": _between(shoulders[1], hips[1], 0.8)}


def hand_past_the_left(xy: np.ndarray, present: np.ndarray) -> dict[str, float]:
    """The left edge a third of the way from the outstretched right elbow to the wrist: the hand is past the side."""
    return {"left": _between(xy[0, R_ELBOW, 0], xy[0, R_WRIST, 0], 0.3)}


def second_person_cut_at_the_left(xy: np.ndarray, present: np.ndarray) -> dict[str, float]:
    """The left edge through the first person's right shoulder: its right arm and foot are past the side
    (the second person's feet are below the picture itself: COCO has no ankles for them)."""
    return {"left": xy[0, R_SHOULDER, 0] + 3, "bottom": float(xy[present].max(0)[1]) + 4}


def feet_below(xy: np.ndarray, present: np.ndarray) -> dict[str, float]:
    """The bottom edge between knees and ankles: the feet are below it."""
    knees, ankles = _mean(xy, (R_KNEE, L_KNEE)), _mean(xy, (R_ANKLE, L_ANKLE))
    return {"bottom": _between(knees[1], ankles[1], 0.45)}


def crop(xy: np.ndarray, present: np.ndarray, fixed: dict[str, float], aspect: float, size: tuple[float, float]):
    """(x0, y0, x1, y1) in picture pixels: the fixed edges, the kept joints with a margin, grown to ``aspect``
    (width / height) on the free sides, and moved into the picture where it fits."""
    keep = present.copy()
    keep &= xy[..., 0] >= fixed.get("left", -np.inf)
    keep &= xy[..., 0] <= fixed.get("right", np.inf)
    keep &= xy[..., 1] >= fixed.get("top", -np.inf)
    keep &= xy[..., 1] <= fixed.get("bottom", np.inf)
    lo, hi = xy[keep].min(0), xy[keep].max(0)
    pad = MARGIN * (hi - lo).max()
    box = {"left": lo[0] - pad, "top": lo[1] - pad, "right": hi[0] + pad, "bottom": hi[1] + pad, **fixed}
    for (a, b), want, length in (
        (("left", "right"), (box["bottom"] - box["top"]) * aspect, size[0]),
        (("top", "bottom"), (box["right"] - box["left"]) / aspect, size[1]),
    ):
        grow = want - (box[b] - box[a])
        if grow <= 0:
            continue
        if a in fixed:
            box[b] += grow
        elif b in fixed:
            box[a] -= grow
        else:
            box[a] -= grow / 2
            box[b] += grow / 2
            if box[b] - box[a] <= length:  # move it into the picture
                shift = -box[a] if box[a] < 0 else min(0.0, length - box[b])
                box[a], box[b] = box[a] + shift, box[b] + shift
    return box["left"], box["top"], box["right"], box["bottom"]


def _triples(xy: np.ndarray, seen: np.ndarray, scale: tuple[float, float] = (1.0, 1.0), digits: int = 2) -> list:
    out: list[float] = []
    for (x, y), ok in zip(xy, seen, strict=True):
        out += [round(float(x) / scale[0], digits), round(float(y) / scale[1], digits), 1.0] if ok else [0, 0, 0]
    return out


def controlnet(people: list[np.ndarray], w: int, h: int, extra: dict | None = None) -> dict[str, Any]:
    """ControlNet's pose JSON (pixel coordinates)."""
    doc = {"people": [{"pose_keypoints_2d": _triples(k[:, :2], k[:, 2] > 0)} for k in people]}
    return {**doc, "canvas_width": w, "canvas_height": h, **(extra or {})}


def with_animals(people: list[np.ndarray], w: int, h: int) -> dict[str, Any]:
    """ControlNet's pose JSON as its editor writes it, with an empty ``animals`` list."""
    return controlnet(people, w, h, {"animals": []})


def normalised(people: list[np.ndarray], w: int, h: int) -> dict[str, Any]:
    """ControlNet's pose JSON with [0, 1] coordinates."""
    doc = {"people": [{"pose_keypoints_2d": _triples(k[:, :2], k[:, 2] > 0, (w, h), 5)} for k in people]}
    return {**doc, "canvas_width": w, "canvas_height": h}


def body25_bare(people: list[np.ndarray], w: int, h: int) -> dict[str, Any]:
    """Bare OpenPose output: BODY_25 bodies (mid-hip from the hips; no foot points in COCO), no canvas size."""
    out = []
    for k in people:
        k25 = np.zeros((25, 3))
        k25[list(BODY25_TO_18)] = k
        if k[R_HIP, 2] > 0 and k[L_HIP, 2] > 0:
            k25[8] = [*((k[R_HIP, :2] + k[L_HIP, :2]) / 2), 1.0]
        person = {"person_id": [-1], "pose_keypoints_2d": _triples(k25[:, :2], k25[:, 2] > 0)}
        person.update({key: [] for key in ("face_keypoints_2d", "hand_left_keypoints_2d", "hand_right_keypoints_2d")})
        out.append(person)
    return {"version": 1.3, "people": out}


EXAMPLES: dict[str, Example] = {
    "legs_cut": Example("000000170191", (512, 768), legs_below, controlnet, "knees and feet below the bottom edge"),
    "waist_up": Example("000000327617", (768, 768), waist_down_below, controlnet, "a waist-up portrait: hips and legs below the bottom edge, one wrist too"),
    "arm_outside": Example("000000052591", (512, 1024), hand_past_the_left, controlnet, "an outstretched arm whose hand is past the left edge"),
    "two_people": Example("000000409475", (768, 576), second_person_cut_at_the_left, with_animals, "two people: one cut at the left edge (arm and foot), one whose feet are below the picture", people=(0, 1)),
    "normalised": Example("000000022705", (512, 512), legs_below, normalised, "knees and feet below the bottom edge, [0, 1] coordinates"),
    "body25_bare": Example("000000017905", (640, 480), feet_below, body25_bare, "bare BODY_25 output of a 640x480 picture, feet below its bottom edge"),
}  # fmt: skip


def read_val_people(data: str | Path, image_ids: set[str]) -> dict[str, tuple[np.ndarray, tuple[int, int]]]:
    """COCO-17 keypoints (N, 17, 3) and the picture size of each wanted image, from the CSV or the official JSON."""
    path = find_split(data, "val")
    found: dict[str, tuple[list, tuple[int, int]]] = {}
    if path.name.endswith(".json"):
        doc = json.loads(path.read_text())
        sizes = {f"{im['id']:012d}": (im["width"], im["height"]) for im in doc["images"]}
        for a in doc["annotations"]:
            iid = f"{a['image_id']:012d}"
            if iid in image_ids and not a.get("iscrowd", 0) and a.get("num_keypoints", 0) > 0:
                found.setdefault(iid, ([], sizes[iid]))[0].append(a["keypoints"])
    else:
        with gzip.open(path, "rt") if path.suffix == ".gz" else open(path) as fh:
            for row in csv.DictReader(fh):
                if row["image_id"] in image_ids:
                    kpts = [float(row[f"{n}_{c}"]) for n in COCO_NAMES for c in "xyv"]
                    found.setdefault(row["image_id"], ([], (int(row["img_w"]), int(row["img_h"]))))[0].append(kpts)
    return {iid: (np.asarray(k, dtype=np.float64).reshape(-1, 17, 3), size) for iid, (k, size) in found.items()}


def make(example: Example, kpts: np.ndarray, size: tuple[int, int]) -> dict[str, Any]:
    """The example's document from its picture's COCO keypoints."""
    people = from_coco17(kpts[list(example.people)], np.tile(size, (len(example.people), 1)))
    xy, present = people.xy.astype(np.float64), people.labelled
    w, h = example.canvas
    x0, y0, x1, y1 = crop(xy, present, example.cut(xy, present), w / h, size)
    scale = w / (x1 - x0)
    out = []
    for p_xy, p_present in zip(xy, present, strict=True):
        k = np.zeros((NUM_JOINTS, 3))
        canvas_xy = (p_xy - (x0, y0)) * scale
        inside = p_present & (canvas_xy >= 0).all(1) & (canvas_xy[:, 0] < w) & (canvas_xy[:, 1] < h)
        k[inside] = np.c_[canvas_xy[inside], np.ones(inside.sum())]
        out.append(k)
    return example.write(out, w, h)


def example_documents(data: str | Path) -> dict[str, dict[str, Any]]:
    """File name -> JSON value of every bundled example, made from the COCO val keypoints at ``data``."""
    wanted = read_val_people(data, {e.image_id for e in EXAMPLES.values()})
    missing = {e.image_id for e in EXAMPLES.values()} - set(wanted)
    if missing:
        raise SystemExit(f"{data}: no COCO val people for image(s) {', '.join(sorted(missing))}")
    return {f"{name}.json": make(e, *wanted[e.image_id]) for name, e in EXAMPLES.items()}


def write_examples(data: str | Path, folder: str | Path = EXAMPLES_DIR) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, value in example_documents(data).items():
        path = folder / name
        path.write_text(json.dumps(value, indent=1) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m posefill_dev.examples", description=__doc__.splitlines()[0])
    parser.add_argument("data", help="COCO val keypoints: the shared CSV, person_keypoints_val2017.json, or a folder")
    parser.add_argument("-o", "--output", default=str(EXAMPLES_DIR), help="folder to write (default: poses/)")
    args = parser.parse_args(argv)
    for path in write_examples(args.data, args.output):
        print(path)


if __name__ == "__main__":
    main()
