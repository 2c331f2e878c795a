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


def test_hard_poses_are_leaning_side_on_or_seated():
    from lib_posefill.baselines import COCO_MEAN_POSE
    from lib_posefill.skeleton import L_HIP, L_KNEE, R_HIP, R_KNEE
    from lib_posefill.training.data import People
    from lib_posefill.training.masks import draw_weights, hard_poses

    upright = COCO_MEAN_POSE * 100 + 300
    centre = upright[NECK]
    lean = np.radians(40)
    rot = np.array([[np.cos(lean), -np.sin(lean)], [np.sin(lean), np.cos(lean)]])
    leaning = (upright - centre) @ rot.T + centre
    side_on = upright.copy()
    side_on[[R_SHOULDER, L_SHOULDER], 0] = upright[NECK, 0] + np.array([-2.0, 2.0])
    seated = upright.copy()
    seated[[R_KNEE, L_KNEE], 1] = upright[[R_HIP, L_HIP], 1] + 5
    unlabelled = seated.copy()
    xy = np.stack([upright, leaning, side_on, seated, unlabelled]).astype(np.float32)
    labelled = np.ones((5, 18), bool)
    labelled[4, [R_KNEE, L_KNEE]] = False  # no knees: not known to be seated
    people = People(xy, labelled, np.tile(np.float32([0, 0, 1000, 1000]), (5, 1)))
    assert hard_poses(people).tolist() == [False, True, True, True, False]
    w = draw_weights(people)
    assert np.isclose(w.sum(), 1) and w[1] > w[0] and w[1] == w[2] == w[3] and w[0] == w[4]


def test_unsure_joints_are_near_an_edge_or_at_the_extremities():
    from lib_posefill.skeleton import L_WRIST, NOSE
    from lib_posefill.training.masks import unsure

    rng = np.random.default_rng(0)
    n = 4000
    xy = np.full((n, 18, 2), 500.0, np.float32)
    xy[:, NOSE, 1] = 3.0  # 3 px below the top edge; the scale is 100 px
    frame = np.tile(np.float32([0, 0, 1000, 1000]), (n, 1))
    dropped = unsure(rng, xy, frame, np.full(n, 100.0, np.float32)).mean(0)
    assert 0.45 < dropped[NOSE] < 0.55
    assert 0.2 < dropped[L_WRIST] < 0.3
    assert dropped[NECK] == 0 and dropped[R_SHOULDER] == 0
