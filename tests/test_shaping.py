"""The shaping rules applied after the network: limb lengths, joints beyond the edge, settling alternatives."""

import numpy as np

from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.shaping import (
    DEPTHS,
    LIMB_GROUPS,
    MIN_MIRROR_LENGTH,
    MIN_SETTLE,
    OUTSIDE_MARGIN,
    PARENT,
    keep_limb_lengths,
    limb_uncertainty,
    place_outside,
    settle_factor,
)
from lib_posefill.skeleton import (
    L_ELBOW,
    L_KNEE,
    L_SHOULDER,
    L_WRIST,
    MIRROR,
    R_ANKLE,
    R_ELBOW,
    R_KNEE,
    R_SHOULDER,
    R_WRIST,
)


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


def flagged(*joints):
    out = np.zeros((1, 18), bool)
    out[0, list(joints)] = True
    return out


def test_a_joint_flagged_outside_near_an_edge_goes_just_beyond_it():
    pose = person()  # scale 100 px: REACH is 50 px, the margin 3 px
    frame = np.array([[0.0, 0.0, 600.0, pose[0, R_WRIST, 1] + 0.4 * 100]])  # the wrist 40 px above the bottom
    out = place_outside(pose, flagged(R_WRIST), frame, np.array([100.0]))
    assert out[0, R_WRIST, 1] == frame[0, 3] + OUTSIDE_MARGIN * 100  # just beyond the bottom edge
    assert out[0, R_WRIST, 0] == pose[0, R_WRIST, 0]
    np.testing.assert_array_equal(np.delete(out[0], R_WRIST, 0), np.delete(pose[0], R_WRIST, 0))


def test_a_joint_flagged_outside_far_from_every_edge_stays_put():
    pose = person()
    for frame in ([0.0, 0.0, 600.0, 700.0], [-5000.0, -5000.0, 5000.0, 5000.0]):  # tight, and much padded
        out = place_outside(pose, flagged(R_WRIST, L_KNEE), np.array([frame]), np.array([100.0]))
        np.testing.assert_array_equal(out, pose)


def test_a_child_follows_its_parent_beyond_the_edge_however_far_inside_it_was_filled():
    pose = person()
    frame = np.array([[0.0, 0.0, 600.0, pose[0, R_KNEE, 1] + 0.2 * 100]])  # the knee 20 px above the bottom
    pose[0, R_ANKLE] = pose[0, R_KNEE] - [0.0, 150.0]  # the ankle filled folded up, 1.7 REACH inside
    out = place_outside(pose, flagged(R_KNEE, R_ANKLE), frame, np.array([100.0]))
    assert out[0, R_KNEE, 1] > frame[0, 3] and out[0, R_ANKLE, 1] > frame[0, 3]
    alone = place_outside(pose, flagged(R_ANKLE), frame, np.array([100.0]))  # the knee stays inside: so does it
    np.testing.assert_array_equal(alone, pose)


def test_the_frame_rule_treats_left_and_right_alike():
    rng = np.random.default_rng(1)
    pose = person() + rng.normal(0, 40, (60, 18, 2))
    frame = np.array([[100.0, 0.0, 500.0, 500.0]]) + rng.normal(0, 60, (60, 4))
    outside = rng.random((60, 18)) < 0.5
    scale = rng.uniform(60, 140, 60)
    axis = (frame[:, 0] + frame[:, 2])[:, None]
    flipped = pose[:, list(MIRROR)].copy()
    flipped[..., 0] = axis - flipped[..., 0]
    flip_frame = np.stack([axis[:, 0] - frame[:, 2], frame[:, 1], axis[:, 0] - frame[:, 0], frame[:, 3]], 1)
    back = place_outside(flipped, outside[:, list(MIRROR)], flip_frame, scale)[:, list(MIRROR)]
    back[..., 0] = axis - back[..., 0]
    out = place_outside(pose, outside, frame, scale)
    assert (out != pose).any() and (out == pose).any()  # the draw moved some joints and kept others
    np.testing.assert_allclose(back, out, atol=1e-9)


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


def test_the_frame_rule_places_parents_before_children():
    seen = set()
    for level in DEPTHS:
        assert all(PARENT[j] in seen or PARENT[j] == -1 for j in level)
        seen |= set(level.tolist())
    assert seen == set(range(18))
