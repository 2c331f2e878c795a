"""The shared feature encoding: a scale that needs no neck and does not depend on which joints are visible."""

import numpy as np

from lib_posefill.features import EDGE_CLIP, IN_DIM, MEAN, decode, encode, fit


def test_scale_ignores_which_joints_and_rotation():
    rng = np.random.default_rng(0)
    n = 200
    theta = rng.uniform(-1.5, 1.5, n)
    rot = np.stack([np.stack([np.cos(theta), -np.sin(theta)], -1), np.stack([np.sin(theta), np.cos(theta)], -1)], -2)
    scale = rng.uniform(20, 200, n)
    xy = np.einsum("nij,kj->nki", rot, MEAN) * scale[:, None, None] + rng.uniform(0, 500, (n, 1, 2))
    present = rng.random((n, 18)) < 0.5
    present[:, [2, 9]] = True  # at least two distinct joints, never the neck
    present[:, 1] = False
    s, _ = fit(xy.astype(np.float32), present, np.tile([0, 0, 600, 600], (n, 1)).astype(np.float32))
    np.testing.assert_allclose(s, scale, rtol=1e-4)


def test_encode_decode_round_trip_and_degenerate_people():
    xy = np.tile(MEAN * 80 + 300, (4, 1, 1)).astype(np.float32)
    present = np.ones((4, 18), bool)
    present[1] = False
    present[1, 3] = True  # one joint: no scale from the pose
    xy[2] = 5.0  # every joint at one point
    frame = np.tile([0, 0, 640, 480], (4, 1)).astype(np.float32)
    feats, s, t = encode(xy, present, frame)
    assert feats.shape == (4, IN_DIM) and np.isfinite(feats).all() and (s > 0).all()
    assert (np.abs(feats[:, 54:]) <= EDGE_CLIP).all()  # canvas edges, clipped
    np.testing.assert_allclose(decode(np.zeros((4, 36), np.float32), s, t)[0], xy[0], atol=1e-3)
    assert (feats[1, :36].reshape(18, 2)[~present[1]] == 0).all()
