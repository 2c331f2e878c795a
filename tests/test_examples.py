"""The bundled examples: real COCO val people, cut the way each file's name says, credited, and (when the COCO
val keypoints are at $POSEFILL_COCO_DATA) exactly what the generator writes."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from conftest import REPO

from lib_posefill.document import parse_documents
from lib_posefill.options import Options
from lib_posefill.resources import BODY25_CANVAS
from lib_posefill.skeleton import JOINT_INDEX
from posefill_dev.examples import EXAMPLES, example_documents

FOLDER = REPO / "poses"
R_SHOULDER, R_ELBOW, R_WRIST, L_SHOULDER, L_ELBOW, L_WRIST = (
    JOINT_INDEX[n] for n in ("r_shoulder", "r_elbow", "r_wrist", "l_shoulder", "l_elbow", "l_wrist")
)
R_HIP, R_KNEE, R_ANKLE, L_HIP, L_KNEE, L_ANKLE = (
    JOINT_INDEX[n] for n in ("r_hip", "r_knee", "r_ankle", "l_hip", "l_knee", "l_ankle")
)
MAX_PEOPLE = 12


def bodies(name: str) -> tuple[list[np.ndarray], list[np.ndarray], float, float]:
    value = json.loads((FOLDER / name).read_text())
    doc = parse_documents(value, Options.from_mapping({"canvas": BODY25_CANVAS}))[0][0]
    return [p.body.xy for p in doc.people], [p.body.present for p in doc.people], doc.width, doc.height


def inside(xy: np.ndarray, present: np.ndarray, w: float, h: float) -> bool:
    pts = xy[present]
    return bool(((pts >= 0) & (pts <= (w, h))).all())


def test_every_example_is_there_and_few_people_in_all():
    assert sorted(p.name for p in FOLDER.glob("*.json")) == sorted(f"{n}.json" for n in EXAMPLES)
    assert sum(len(bodies(f"{n}.json")[0]) for n in EXAMPLES) <= MAX_PEOPLE


@pytest.mark.parametrize("name", ["legs_cut.json", "normalised.json"])
def test_legs_are_below_the_bottom_edge(name):
    (xy,), (present,), w, h = bodies(name)
    assert not present[[R_KNEE, L_KNEE, R_ANKLE, L_ANKLE]].any() and present[[R_HIP, L_HIP]].all()
    assert xy[[R_HIP, L_HIP], 1].min() > 0.7 * h  # the hips sit just above the cut
    assert inside(xy, present, w, h) and present.sum() >= 10


def test_waist_up_is_a_portrait_cut_above_the_hips():
    (xy,), (present,), w, h = bodies("waist_up.json")
    assert not present[[R_HIP, L_HIP, R_KNEE, L_KNEE]].any() and present[[R_SHOULDER, L_SHOULDER]].all()
    assert present[[0, 14, 15]].all() and xy[0, 1] < 0.3 * h  # the head near the top


def test_arm_outside_reaches_past_a_side_edge():
    (xy,), (present,), w, h = bodies("arm_outside.json")
    cut = [(e, wr) for e, wr in ((R_ELBOW, R_WRIST), (L_ELBOW, L_WRIST)) if present[e] and not present[wr]]
    assert len(cut) == 1
    elbow = xy[cut[0][0]]
    assert min(elbow[0], w - elbow[0]) < 0.15 * w  # the elbow is near a side edge, the hand beyond it
    assert present[[R_KNEE, L_KNEE, R_ANKLE, L_ANKLE]].all() and inside(xy, present, w, h)


def test_two_people():
    xys, presents, w, h = bodies("two_people.json")
    assert len(xys) == 2 and all(inside(xy, p, w, h) for xy, p in zip(xys, presents, strict=True))
    assert all(3 <= p.sum() < 18 for p in presents)  # each has something to fill


def test_normalised_and_bare_flavours():
    raw = json.loads((FOLDER / "normalised.json").read_text())
    values = np.asarray(raw["people"][0]["pose_keypoints_2d"]).reshape(-1, 3)
    assert values[values[:, 2] > 0, :2].max() <= 1.0
    bare = json.loads((FOLDER / "body25_bare.json").read_text())
    assert "canvas_width" not in bare and len(bare["people"][0]["pose_keypoints_2d"]) == 75
    (xy,), (present,), w, h = bodies("body25_bare.json")
    assert not present[[R_ANKLE, L_ANKLE]].any() and present[[R_KNEE, L_KNEE]].all()


def test_every_picture_is_credited():
    credits = (FOLDER / "README.md").read_text()
    assert "CC BY 4.0" in credits and "COCO" in credits
    for name, example in EXAMPLES.items():
        assert f"| `{name}.json` | {int(example.image_id)} |" in credits


@pytest.mark.skipif(not os.environ.get("POSEFILL_COCO_DATA"), reason="set POSEFILL_COCO_DATA to the COCO val keypoints")
def test_the_generator_writes_the_bundled_examples():
    for name, value in example_documents(os.environ["POSEFILL_COCO_DATA"]).items():
        assert json.loads((FOLDER / name).read_text()) == value, name
