"""COCO 2017 person keypoints -> OpenPose-18 arrays, from the shared CSVs or the official COCO JSON files.

A person is kept with every labelled joint (v > 0); unlabelled joints carry no position and no loss.
The neck is the shoulder midpoint, labelled only when both shoulders are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib_posefill.errors import PoseFillError
from lib_posefill.skeleton import L_SHOULDER, NECK, R_SHOULDER

DATA_HELP = (
    "COCO 2017 keypoints: the official person_keypoints_{train,val}2017.json from annotations_trainval2017.zip "
    "(cocodataset.org), a folder holding them (or annotations/ with them), or the equivalent CSV files"
)
"""What ``--data-dir`` takes (``load_people``), for every command that reads the keypoints."""

COCO_NAMES = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
COCO_TO_OP18 = (0, -1, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3)
"""COCO_TO_OP18[i] is the COCO-17 index of OpenPose-18 joint i (-1: the neck, derived)."""
MIN_SIZE_CONF = 0.99


@dataclass
class People:
    """N people: xy (N, 18, 2) pixels, labelled (N, 18) bool, frame (N, 4) [x0, y0, x1, y1] image rectangle."""

    xy: np.ndarray
    labelled: np.ndarray
    frame: np.ndarray

    def __len__(self) -> int:
        return len(self.xy)

    def subset(self, keep: np.ndarray) -> People:
        return People(self.xy[keep], self.labelled[keep], self.frame[keep])


def from_coco17(kpts: np.ndarray, sizes: np.ndarray) -> People:
    """kpts (N, 17, 3) COCO x, y, v; sizes (N, 2) image width, height -> OpenPose-18 People."""
    kpts = np.asarray(kpts, dtype=np.float64).reshape(-1, 17, 3)
    idx = np.array([max(i, 0) for i in COCO_TO_OP18])
    xy = kpts[:, idx, :2].copy()
    labelled = kpts[:, idx, 2] > 0
    both = labelled[:, R_SHOULDER] & labelled[:, L_SHOULDER]
    xy[:, NECK] = (xy[:, R_SHOULDER] + xy[:, L_SHOULDER]) / 2
    labelled[:, NECK] = both
    xy[~labelled] = 0.0
    sizes = np.asarray(sizes, dtype=np.float64).reshape(-1, 2)
    frame = np.concatenate([np.zeros_like(sizes), sizes], axis=1)
    return People(xy.astype(np.float32), labelled, frame.astype(np.float32))


def read_csv(path: Path) -> People:
    """The shared ``coco2017_person_keypoints_*.csv.gz`` (rows with size_conf >= 0.99)."""
    import pandas as pd

    df = pd.read_csv(path)
    df = df[df["size_conf"] >= MIN_SIZE_CONF]
    cols = [f"{n}_{c}" for n in COCO_NAMES for c in "xyv"]
    return from_coco17(df[cols].to_numpy(np.float64), df[["img_w", "img_h"]].to_numpy(np.float64))


def read_coco_json(path: Path) -> People:
    """An official ``person_keypoints_*2017.json``: non-crowd people with at least one keypoint."""
    doc = json.loads(Path(path).read_text())
    sizes = {im["id"]: (im["width"], im["height"]) for im in doc["images"]}
    anns = [
        a
        for a in doc["annotations"]
        if a.get("category_id", 1) == 1 and not a.get("iscrowd", 0) and a.get("num_keypoints", 0) > 0
    ]
    if not anns:
        return from_coco17(np.zeros((0, 17, 3)), np.zeros((0, 2)))
    kpts = np.array([a["keypoints"] for a in anns], dtype=np.float64)
    wh = np.array([sizes[a["image_id"]] for a in anns], dtype=np.float64)
    return from_coco17(kpts, wh)


def find_split(location: str | Path, split: str) -> Path:
    """The file for ``split`` (train/val) at ``location``: a file, or a folder holding either the official JSON
    (also under ``annotations/``) or the shared CSV."""
    loc = Path(location)
    if loc.is_file():
        return loc
    for cand in (
        loc / f"person_keypoints_{split}2017.json",
        loc / "annotations" / f"person_keypoints_{split}2017.json",
        loc / f"coco2017_person_keypoints_{split}.csv.gz",
        loc / f"coco2017_person_keypoints_{split}.csv",
    ):
        if cand.is_file():
            return cand
    raise PoseFillError(f"{loc}: no COCO {split} keypoints (person_keypoints_{split}2017.json or CSV) found")


def load_people(location: str | Path, split: str) -> People:
    """COCO people of ``split`` from a data folder or file (JSON or CSV by extension)."""
    path = find_split(location, split)
    try:
        return read_coco_json(path) if path.name.endswith(".json") else read_csv(path)
    except (KeyError, TypeError, ValueError, IndexError) as err:  # not the official layout (ValueError: bad JSON/CSV)
        if isinstance(err, PoseFillError):
            raise
        raise PoseFillError(
            f"not COCO keypoints as downloaded ({type(err).__name__}: {str(err)[:80]}); expected the official "
            f"person_keypoints_{split}2017.json or the CSV",
            where=str(path),
        ) from None


def body_complete(people: People) -> np.ndarray:
    """People with all 13 body joints (neck .. ankles) labelled."""
    return people.labelled[:, 1:14].all(1)


CALIBRATION_SHARE = 0.05
"""The fixed share of COCO train people that no learned part is trained on: inference-time thresholds (the
suspicious check's judge) are chosen there, never on val."""


def train_split(train: People, part: str) -> People:
    """The ``fit`` or ``calibrate`` part of the COCO train people (a fixed random CALIBRATION_SHARE is the latter)."""
    held = np.zeros(len(train), bool)
    held[np.random.default_rng(20190).permutation(len(train))[: round(CALIBRATION_SHARE * len(train))]] = True
    if part not in ("fit", "calibrate"):
        raise ValueError(f"unknown part {part!r}")
    return train.subset(held if part == "calibrate" else ~held)
