"""The evaluation protocol and its baselines on small synthetic sets."""

import numpy as np
import pytest

from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.skeleton import L_SHOULDER, NECK, R_SHOULDER
from posefill_dev.evaluation.canvas import PAD, canvas_scores, padded
from posefill_dev.evaluation.knn import KnnFiller, build_pool, mean_pose_filler
from posefill_dev.evaluation.protocol import FAMILIES, SCORED, make_cases, split
from posefill_dev.evaluation.report import evaluate, score, table
from posefill_dev.evaluation.tails import NearestPose, shins_cross
from posefill_dev.training.data import People


def synthetic_people(n, seed):
    rng = np.random.default_rng(seed)
    xy = COCO_MEAN_POSE[None] * rng.uniform(50, 90, (n, 1, 1)) + rng.uniform(200, 300, (n, 1, 2))
    xy = xy + rng.normal(0, 6, xy.shape)
    return People(xy.astype(np.float32), np.ones((n, 18), bool), np.tile([0.0, 0.0, 600.0, 700.0], (n, 1)))


class Oracle:
    name = "oracle"

    def __init__(self, truth):
        self.truth = truth

    def predict(self, xy, present, frame, seeds):
        return self.truth.astype(np.float32)


@pytest.fixture(scope="module")
def val():
    return synthetic_people(80, 1)


@pytest.mark.parametrize("family", FAMILIES)
def test_families_hide_what_they_say(val, family):
    c = make_cases(val, family)
    assert len(c.truth) > 40
    assert c.scored.any(1).all()  # every case scores at least one hidden joint
    assert (c.present.sum(1) >= 3).all()
    shoulder_gone = ~c.present[:, R_SHOULDER] | ~c.present[:, L_SHOULDER]
    assert not (c.present[:, NECK] & shoulder_gone).any()
    inside = (
        (c.truth[..., 0] >= c.frame[:, None, 0])
        & (c.truth[..., 0] <= c.frame[:, None, 2])
        & (c.truth[..., 1] >= c.frame[:, None, 1])
        & (c.truth[..., 1] <= c.frame[:, None, 3])
    )
    assert inside[c.present].all()
    if family in ("legs cut", "waist-up", "side cut"):
        assert (~inside[:, SCORED] == ~c.present[:, SCORED]).all()  # cut: hidden exactly beyond the line
    else:
        assert inside.all()  # occlusions stay in the canvas
    if family == "shoulder":
        assert shoulder_gone.all()


def test_knn_with_the_person_in_the_pool_is_exact(val):
    pool = build_pool(val)
    c = make_cases(val, "legs cut")
    r = score(KnnFiller(pool, k=1), c)
    assert r["unanswered"] == 0
    assert r["error"] < 1e-3
    assert score(KnnFiller(pool, k=5), c)["error"] > r["error"]


def test_scores_and_table(val):
    pool = build_pool(synthetic_people(300, 2))
    cases = {f: make_cases(val, f) for f in FAMILIES}
    results = evaluate([mean_pose_filler(pool), KnnFiller(pool, k=5)], cases)
    for name in ("mean pose", "kNN-5"):
        assert results[name]["average"]["unanswered"] == 0
        assert 0 < results[name]["average"]["error"] < 1.5
    assert score(Oracle(cases["occluded"].truth), cases["occluded"])["error"] == 0.0
    text = table(results)
    assert text.count("\n") == 3 and "| kNN-5 |" in text and "+0.0 %" in text


def test_evaluate_command_on_coco_json(tmp_path, capsys):
    from test_training_data import write_coco_json

    from lib_posefill.cli import main

    write_coco_json(tmp_path / "person_keypoints_train2017.json", 60, seed=1)
    write_coco_json(tmp_path / "person_keypoints_val2017.json", 30, seed=2)
    out = tmp_path / "r.json"
    assert main(["evaluate", "--data-dir", str(tmp_path), "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| kNN-5 |" in text and "| mean pose |" in text and "legs cut (n=" in text
    import json

    results = json.loads(out.read_text())
    assert all(results[name]["average"]["unanswered"] == 0 for name in ("kNN-5", "mean pose"))


def test_hands_evaluation_scores_the_pipeline_and_notices_missing_hands(val):
    from lib_posefill.model import cached_filler
    from lib_posefill.options import Options
    from posefill_dev.evaluation.hands import hands_results

    results = hands_results(val, cached_filler())
    mirror, relaxed = results["mirrored hand"], results["relaxed hand (no hand detected)"]
    assert mirror["people"] == relaxed["people"] == len(val)
    for r in (mirror, relaxed):
        assert r["hand at the filled wrist"] == 1.0 and r["root to filled wrist, max px"] == 0.0
        assert r["within 75 deg of the forearm"] >= 0.95
    assert abs(mirror["median size ratio"] - 1) <= 0.1 and mirror["size ratio in 0.8-1.25"] >= 0.9
    off = hands_results(val, cached_filler(), options=Options(coords="pixel", hands="off"))
    assert off["mirrored hand"]["hand at the filled wrist"] == 0.0


def test_the_evaluations_synthetic_hands_are_not_the_template():
    """Random proportions, splay, curl, thumb side and wrist deviation: the measurement is not circular."""
    from lib_posefill.hands import BEST_HAND
    from posefill_dev.evaluation.hands import synthetic_hand

    rng = np.random.default_rng(0)
    wrist, elbow = np.array([300.0, 300.0]), np.array([300.0, 200.0])
    hands = np.array([synthetic_hand(rng, wrist, elbow) for _ in range(200)])
    local = (hands - wrist)[..., ::-1] * [1, -1]  # in the forearm's frame: along, across
    reach = np.linalg.norm(local[:, 12], axis=1) / 100
    assert reach.std() > 0.05 and reach.min() < 0.55 < 0.75 < reach.max()
    thumb = np.sign(local[:, 4, 1] - local[:, 20, 1])
    assert 0.3 < np.mean(thumb > 0) < 0.7  # the thumb on either side
    template = BEST_HAND / np.linalg.norm(BEST_HAND[12])
    shapes = local / np.linalg.norm(local[:, 12], axis=1)[:, None, None]
    for shape in shapes:
        assert min(np.abs(shape - template).max(), np.abs(shape - template * [1, -1]).max()) > 0.05


def test_the_tuning_split_is_a_fixed_quarter_apart_from_the_report_split():
    people = synthetic_people(400, 4)
    tune, report = split(people, "tune"), split(people, "report")
    assert len(tune) == 100 and len(report) == 300
    rows = {tuple(p.ravel()) for p in people.xy}
    assert {tuple(p.ravel()) for p in tune.xy}.isdisjoint({tuple(p.ravel()) for p in report.xy})
    assert {tuple(p.ravel()) for p in tune.xy} | {tuple(p.ravel()) for p in report.xy} == rows
    np.testing.assert_array_equal(split(people, "tune").xy, tune.xy)


def test_knn_reads_the_head_and_the_canvas():
    pool = build_pool(synthetic_people(300, 2))
    xy = COCO_MEAN_POSE[None] * 80 + 300.0
    present = np.zeros((1, 18), bool)
    present[0, [0, 14, 15, 16, 17]] = True  # only the head: the fit has five points, not zero
    frame = np.array([[0.0, 0.0, 600.0, 700.0]])
    assert np.isfinite(KnnFiller(pool).predict(xy, present, frame, np.array([-1]))).all()
    # legs cut by the frame bottom: the canvas-aware kNN prefers pool poses whose legs lie beyond it
    present = np.ones((1, 18), bool)
    present[0, 8:14] = False
    cut = np.array([[0.0, 0.0, 600.0, xy[0, 8, 1] + 5]])
    plain = KnnFiller(pool, k=5).predict(xy, present, cut, np.array([-1]))
    aware = KnnFiller(pool, k=5, canvas_weight=1.0).predict(xy, present, cut, np.array([-1]))
    inside = lambda p: (p[0, 9:14:3, 1] < cut[0, 3]).sum() + (p[0, 10:14:3, 1] < cut[0, 3]).sum()  # noqa: E731
    assert inside(aware) <= inside(plain)


def test_shins_cross_and_nearest_pose():
    xy = np.tile(COCO_MEAN_POSE, (2, 1, 1)).astype(np.float64)
    assert not shins_cross(xy).any()
    xy[1, [10, 13]] = xy[1, [13, 10]]  # ankles swapped: the shins cross
    assert shins_cross(xy).tolist() == [False, True]
    pool = build_pool(synthetic_people(50, 5))
    near = NearestPose(pool)
    assert near.distance(pool[:5] * 3 + 7) == pytest.approx(0, abs=1e-3)  # scale and place do not matter
    assert (near.distance(xy[1:]) > near.distance(xy[:1])).all()


def test_canvas_scores_pad_the_canvas_around_the_person(val):
    cases = make_cases(val, "occluded")
    big = padded(cases, 1)
    size, big_size = cases.frame[:, 2:] - cases.frame[:, :2], big.frame[:, 2:] - big.frame[:, :2]
    np.testing.assert_allclose(big_size, PAD * size)
    assert (big.frame[:, :2] <= cases.frame[:, :2]).all() and (big.frame[:, 2:] >= cases.frame[:, 2:]).all()
    exact = canvas_scores(Oracle(cases.truth), cases, 1)
    assert exact["tight"] == exact["padded"] == exact["outside"] == exact["far"] == 0.0


def test_hard_poses_are_picked_by_their_true_pose_and_scored_on_their_own():
    from lib_posefill.skeleton import L_ANKLE, L_HIP, L_KNEE, R_ANKLE, R_HIP, R_KNEE
    from posefill_dev.evaluation.hard import hard_masks, hard_report
    from posefill_dev.evaluation.protocol import Cases

    upright = COCO_MEAN_POSE * 80.0 + 300.0
    torso = np.linalg.norm(upright[NECK] - (upright[R_HIP] + upright[L_HIP]) / 2)
    angle = np.radians(35)  # bent over: the body turned 35 degrees about the neck
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    leaning = (upright - upright[NECK]) @ turn.T + upright[NECK]
    side_on = upright.copy()
    side_on[:, 0] = upright[NECK, 0] + 0.1 * (upright[:, 0] - upright[NECK, 0])  # seen from the side
    seated = upright + np.array([7.0, 0.0])  # apart from the upright person, whose upper body it shares
    for hip, knee, ankle in ((R_HIP, R_KNEE, R_ANKLE), (L_HIP, L_KNEE, L_ANKLE)):
        thigh = np.linalg.norm(upright[knee] - upright[hip])
        seated[knee] = seated[hip] + [thigh, 0.0]  # thighs level
        seated[ankle] = seated[knee] + [0.0, thigh]
    truth = np.stack([upright, leaning, side_on, seated])
    shoulders_y = truth[:, [R_SHOULDER, L_SHOULDER], 1].mean(1)
    hips_y = truth[:, [R_HIP, L_HIP], 1].min(1)
    bottom = np.array([shoulders_y[0] + 0.3 * torso, *(hips_y[1:] - 0.05 * torso)])  # the first is chest-up
    frame = np.stack([np.zeros(4), np.zeros(4), np.full(4, 900.0), bottom], 1)
    present = truth[..., 1] <= bottom[:, None]
    cases = Cases("waist-up", truth, np.ones((4, 18), bool), present, frame, np.full(4, torso))
    assert not present[:, [R_HIP, L_HIP]].any()  # every cut hides the hips
    masks = {name.split(" ")[0]: mask.tolist() for name, mask in hard_masks(cases).items()}
    assert masks == {
        "leaning": [False, True, False, False],
        "side-on,": [False, False, True, False],
        "legs": [False, False, False, True],
        "chest-up": [True, False, False, False],
    }

    class SubsetOracle(Oracle):  # the true pose of whichever case each row's given joints come from
        def predict(self, xy, present, frame, seeds):
            gap = np.where(present[:, None, :, None], np.abs(xy[:, None] - self.truth[None]), 0.0).sum((2, 3))
            return self.truth[gap.argmin(1)].astype(np.float32)

    results, text = hard_report([SubsetOracle(truth), mean_pose_filler(build_pool(synthetic_people(50, 3)))], cases)
    assert all(r["error"] < 1e-5 for r in results["oracle"].values())
    mean_pose = [r["error"] for r in results["mean pose"].values()]
    assert mean_pose[0] > 0.1 and mean_pose[2] > 0.1  # a standing mean pose misses the leaning and the seated
    assert all(abs(r["torso_ratio"] - 1) < 1e-6 and r["short_torso"] == 0 for r in results["oracle"].values())
    assert text.count("\n| ") == 5 and "| chest-up | 1 | 0.000 |" in text and "| 1.00 / 0.0 % |" in text
