"""The shaping rules applied after the network: limb lengths, joints beyond the edge, settling alternatives."""

import numpy as np

from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.shaping import (
    LIMB_GROUPS,
    MIN_MIRROR_LENGTH,
    MIN_SETTLE,
    keep_limb_lengths,
    limb_uncertainty,
    place_outside,
    settle_factor,
)
from lib_posefill.skeleton import L_ELBOW, L_SHOULDER, L_WRIST, MIRROR, R_ELBOW, R_SHOULDER, R_WRIST


def person():
    return (COCO_MEAN_POSE * 100 + 300)[None].astype(np.float64)


def length(pose, a, b):
    return float(np.linalg.norm(pose[0, a] - pose[0, b]))


def test_a_short_hidden_forearm_grows_to_its_share_of_the_visible_one():
    pose = person()
    pose[0, R_WRIST] = pose[0, R_ELBOW] + 0.3 * (pose[0, R_WRIST] - pose[0, R_ELBOW])
    missing = np.zeros((1, 18), bool)
    missing[0, R_WRIST] = True
    out = keep_limb_lengths(pose, missing)
    want = MIN_MIRROR_LENGTH * length(pose, L_ELBOW, L_WRIST)
    assert abs(length(out, R_ELBOW, R_WRIST) - want) < 1e-9
    direction = lambda p: (p[0, R_WRIST] - p[0, R_ELBOW]) / length(p, R_ELBOW, R_WRIST)  # noqa: E731
    np.testing.assert_allclose(direction(out), direction(pose), atol=1e-12)
    np.testing.assert_array_equal(out[~missing], pose[~missing])  # given joints stay put


def test_a_growing_upper_arm_carries_the_missing_wrist_along():
    pose = person()
    pose[0, R_ELBOW] = pose[0, R_SHOULDER] + 0.2 * (pose[0, R_ELBOW] - pose[0, R_SHOULDER])
    forearm = pose[0, R_WRIST] - pose[0, R_ELBOW]
    missing = np.zeros((1, 18), bool)
    missing[0, [R_ELBOW, R_WRIST]] = True
    out = keep_limb_lengths(pose, missing)
    assert abs(length(out, R_SHOULDER, R_ELBOW) - MIN_MIRROR_LENGTH * length(pose, L_SHOULDER, L_ELBOW)) < 1e-9
    np.testing.assert_allclose(out[0, R_WRIST] - out[0, R_ELBOW], forearm, atol=1e-9)


def test_no_growth_without_a_visible_mirror_bone_or_when_long_enough():
    pose = person()
    pose[0, R_WRIST] = pose[0, R_ELBOW] + 0.3 * (pose[0, R_WRIST] - pose[0, R_ELBOW])
    missing = np.zeros((1, 18), bool)
    missing[0, [R_WRIST, L_WRIST]] = True  # the mirror forearm is hidden too
    np.testing.assert_array_equal(keep_limb_lengths(pose, missing), pose)
    whole = person()
    missing[0, L_WRIST] = False
    np.testing.assert_array_equal(keep_limb_lengths(whole, missing), whole)


def test_limb_lengths_treat_left_and_right_alike():
    rng = np.random.default_rng(0)
    pose = person() + rng.normal(0, 20, (40, 18, 2))
    missing = rng.random((40, 18)) < 0.4
    flipped = pose[:, list(MIRROR)] * [-1, 1]
    back = keep_limb_lengths(flipped, missing[:, list(MIRROR)])[:, list(MIRROR)] * [-1, 1]
    out = keep_limb_lengths(pose, missing)
    assert not np.allclose(out, pose)  # the draw made some limbs grow
    np.testing.assert_allclose(back, out, atol=1e-9)


def test_joints_flagged_outside_go_just_beyond_the_nearest_edge():
    pose = np.array([[[10.0, 50.0], [60.0, 95.0], [50.0, 50.0], [-5.0, 50.0]]])
    outside = np.array([[True, True, False, True]])
    frame = np.array([[0.0, 0.0, 100.0, 100.0]])
    out = place_outside(pose, outside, frame, np.array([3.0]))
    np.testing.assert_allclose(out[0], [[-3.0, 50.0], [60.0, 103.0], [50.0, 50.0], [-5.0, 50.0]])


def test_settling_keeps_certain_limbs_still_and_uncertain_ones_free():
    u = np.array([0.0, 0.2, 0.275, 0.35, 1.0])
    f = settle_factor(u, (0.2, 0.35))
    np.testing.assert_allclose(f[[0, 1, 3, 4]], [MIN_SETTLE, MIN_SETTLE, 1.0, 1.0])
    assert MIN_SETTLE < f[2] < 1 and np.all(np.diff(f) >= 0)
    unc = np.linspace(0, 1, 18)[None]
    hidden = np.zeros((1, 18), bool)
    hidden[0, R_WRIST] = True
    per_limb = limb_uncertainty(unc, hidden)
    arm = next(g for g in LIMB_GROUPS if R_WRIST in g)
    np.testing.assert_allclose(per_limb[0, list(arm)], unc[0, R_WRIST])
    assert per_limb[0, [j for j in range(18) if j not in arm]].max() == 0
