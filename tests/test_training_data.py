"""Reading COCO keypoints (official JSON and the shared CSV) into OpenPose-18, and the training examples."""

import gzip
import json

import numpy as np

from lib_posefill.skeleton import L_SHOULDER, NECK, R_SHOULDER
from lib_posefill.training.data import COCO_NAMES, load_people
from lib_posefill.training.masks import make_batch, trainable


def coco_person(rng, drop=()):
    """A random upright person as COCO-17 (x, y, v) triples; joints in ``drop`` unlabelled."""
    from lib_posefill.baselines import COCO_MEAN_POSE
    from lib_posefill.training.data import COCO_TO_OP18

    op18 = COCO_MEAN_POSE * rng.uniform(40, 80) + rng.uniform(150, 250, 2) + rng.normal(0, 3, (18, 2))
    kpts = np.zeros((17, 3))
    for j, c in enumerate(COCO_TO_OP18):
        if c >= 0:
            kpts[c] = [round(op18[j, 0]), round(op18[j, 1]), 0 if c in drop else 2]
    return kpts


def write_coco_json(path, n, seed=0):
    rng = np.random.default_rng(seed)
    anns = []
    for i in range(n):
        kpts = coco_person(rng, drop=(15, 16) if i % 3 == 0 else ())
        anns.append(
            {
                "id": i,
                "image_id": i % 4,
                "category_id": 1,
                "iscrowd": 0,
                "num_keypoints": int((kpts[:, 2] > 0).sum()),
                "keypoints": kpts.ravel().tolist(),
            }
        )
    anns.append({"id": n, "image_id": 0, "category_id": 1, "iscrowd": 1, "num_keypoints": 5, "keypoints": [0] * 51})
    images = [{"id": i, "width": 400, "height": 500} for i in range(4)]
    path.write_text(json.dumps({"images": images, "annotations": anns, "categories": [{"id": 1}]}))
    return path


def test_coco_json_maps_to_openpose18(tmp_path):
    rng = np.random.default_rng(1)
    kpts = coco_person(rng, drop=(6,))  # right shoulder unlabelled -> no neck
    full = coco_person(rng)
    doc = {
        "images": [{"id": 7, "width": 640, "height": 480}],
        "annotations": [
            {"image_id": 7, "category_id": 1, "iscrowd": 0, "num_keypoints": 16, "keypoints": kpts.ravel().tolist()},
            {"image_id": 7, "category_id": 1, "iscrowd": 0, "num_keypoints": 17, "keypoints": full.ravel().tolist()},
        ],
    }
    (tmp_path / "person_keypoints_train2017.json").write_text(json.dumps(doc))
    people = load_people(tmp_path, "train")
    assert len(people) == 2
    assert not people.labelled[0, NECK] and not people.labelled[0, R_SHOULDER]
    assert people.labelled[1].all()
    np.testing.assert_allclose(people.xy[1, NECK], (full[6, :2] + full[5, :2]) / 2)
    np.testing.assert_allclose(people.xy[1, L_SHOULDER], full[5, :2])  # COCO left_shoulder is index 5
    np.testing.assert_allclose(people.frame, [[0, 0, 640, 480]] * 2)


def test_shared_csv_drops_uncertain_image_sizes(tmp_path):
    rng = np.random.default_rng(2)
    cols = [
        "image_id",
        "img_w",
        "img_h",
        "size_source",
        "size_conf",
        "bbox_x",
        "bbox_y",
        "bbox_w",
        "bbox_h",
        "num_keypoints",
    ] + [f"{n}_{c}" for n in COCO_NAMES for c in "xyv"]
    rows = []
    for conf in (1.0, 0.5, 0.995):
        k = coco_person(rng)
        rows.append(["000000000001", 400, 500, "exact", conf, 0, 0, 10, 10, 17, *k.ravel().tolist()])
    text = ",".join(cols) + "\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n"
    path = tmp_path / "coco2017_person_keypoints_val.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    people = load_people(tmp_path, "val")
    assert len(people) == 2
    assert people.labelled[:, R_SHOULDER].all()


def test_training_examples_hide_labelled_joints_consistently(tmp_path):
    people = trainable(load_people(write_coco_json(tmp_path / "c.json", 60), "train"))
    rng = np.random.default_rng(0)
    b = make_batch(rng, people, rng.integers(0, len(people), 2000))
    present, frame, target = b["present"], b["frame"], b["target"]
    # the neck is given only with both shoulders (DWPose)
    assert not (present[:, NECK] & ~(present[:, R_SHOULDER] & present[:, L_SHOULDER])).any()
    # every given joint lies inside its canvas (up to jitter); losses only on hidden joints
    inside = (b["xy"][..., 0] >= frame[:, None, 0] - 5) & (b["xy"][..., 0] <= frame[:, None, 2] + 5)
    assert inside[present].all()
    assert not (b["loss_mask"] & present).any()
    # frame cuts happen, with the hidden joints beyond the cut
    below = target[..., 1] > frame[:, None, 3]
    assert below.any() and not (below & present).any()
    assert 0.2 < present.mean() < 0.9
