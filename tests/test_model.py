"""The shipped ONNX model: matches its card and the torch network, keeps given joints, answers every case, mirrors
exactly, and gives fresh, deterministic, batch-independent seeded alternatives that spread where the pose is
uncertain and stay close where it is not."""

import json

import numpy as np
import pytest

from lib_posefill.api import complete_document, complete_people
from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.features import encode, mirror_features, orientation
from lib_posefill.model import DEFAULT_MODEL_PATH, OnnxFiller, load_filler
from lib_posefill.noise import TRUNCATE, person_keys, seed_noise
from lib_posefill.skeleton import L_ELBOW, L_WRIST, MIRROR, R_ELBOW, R_WRIST
from posefill_dev.benchmarks.model import example_people
from posefill_dev.training.card import CARD_NAME, card_facts, read_card

pytestmark = pytest.mark.skipif(not DEFAULT_MODEL_PATH.exists(), reason="no shipped model")
EXAMPLES = DEFAULT_MODEL_PATH.parents[1] / "poses"


@pytest.fixture(scope="module")
def filler():
    return load_filler(DEFAULT_MODEL_PATH)


def waist_up(n=1):
    xy = np.tile(COCO_MEAN_POSE * 100 + np.array([300.0, 200.0]), (n, 1, 1))
    present = np.ones((n, 18), bool)
    present[:, 8:14] = False
    return xy, present, np.tile([600.0, xy[0, 8, 1] - 20], (n, 1))


def test_shipped_file_matches_its_card():
    card = read_card(DEFAULT_MODEL_PATH.with_name(CARD_NAME))
    assert card == card_facts(DEFAULT_MODEL_PATH)
    assert card["size"] <= 10_000_000


def test_onnx_equals_torch(filler):
    torch = pytest.importorskip("torch")
    from posefill_dev.training.net import from_onnx

    xy, present, canvas = example_people(256)
    frame = np.concatenate([np.zeros_like(canvas), canvas], 1)
    feats, _, _ = encode(xy, present, frame)
    feats = np.concatenate([feats, np.random.default_rng(0).normal(0, 2, feats.shape).astype(np.float32)])
    noise = np.random.default_rng(1).normal(0, 1, (len(feats), 36)).astype(np.float32)
    net = from_onnx(DEFAULT_MODEL_PATH)
    with torch.no_grad():
        best = net(torch.from_numpy(feats))[0].numpy()
        alternative = net.sample(torch.from_numpy(feats), torch.from_numpy(noise)).numpy()
    np.testing.assert_allclose(filler.run(feats)["best"], best, atol=1e-4, rtol=0)
    np.testing.assert_allclose(filler.run(feats, noise)["alternative"], alternative, atol=1e-4, rtol=0)


def test_given_joints_unchanged_and_every_case_answered(filler):
    xy, present, canvas = example_people(500, seed=3)
    present[:5] = False
    present[:5, [2, 5, 8]] = True  # three joints only
    xy[5, :] = xy[5, 0]  # every joint at one point
    xy[6] *= 1e4  # far off the canvas
    for options in ({}, {"seed": 4}):
        done = complete_people(xy, present, canvas, options, filler=filler)
        assert np.isfinite(done.xy).all()
        assert all(s is None for i, s in enumerate(done.skipped) if i != 6)
        assert (done.xy[present] == xy[present]).all()
        assert np.delete(done.present[:, 1:14], 6, 0).all()
        # every joint of person 6 is absurd (1e4 times off the canvas): not evidence, so skipped, with a warning
        assert "visible" in done.skipped[6] and "far outside the picture" in done.warnings[6][0]


def mirror(xy, present, width):
    flipped = xy[:, list(MIRROR)].copy()
    flipped[..., 0] = width - flipped[..., 0]
    return flipped, present[:, list(MIRROR)]


def test_mirrored_input_gives_the_mirrored_best_guess(filler):
    xy, present, canvas = example_people(400, seed=7)
    xy += np.random.default_rng(8).normal(0, 25, xy.shape)  # leaning every way, many near the blend boundary
    feats, _, _ = encode(xy, present, np.concatenate([np.zeros_like(canvas), canvas], 1))
    near = np.abs(orientation(feats)) < 0.1
    assert 0 < near.sum() < len(xy)  # both kinds of people are tested
    np.testing.assert_allclose(orientation(mirror_features(feats)), -orientation(feats), atol=1e-4)
    done = complete_people(xy, present, canvas, filler=filler)
    mx, mp = mirror(xy, present, canvas[:, :1])
    flipped = complete_people(mx, mp, canvas, filler=filler)
    back, back_present = mirror(flipped.xy, flipped.present, canvas[:, :1])
    np.testing.assert_array_equal(back_present, done.present)
    np.testing.assert_allclose(back[done.present], done.xy[done.present], atol=0.05)  # pixels, people ~200 px tall


def test_unblended_guesses_take_one_row_a_person_and_are_mirrored(filler, monkeypatch):
    """``predict_with_error(blend=False)`` (refill's screening rows): no second row for people near the orientation
    boundary, and a mirrored person still gets the mirrored guesses and errors."""
    xy, present, canvas = example_people(400, seed=7)
    xy += np.random.default_rng(8).normal(0, 25, xy.shape)
    present &= np.random.default_rng(9).random(present.shape) > 0.3
    frame = np.concatenate([np.zeros_like(canvas), canvas], 1).astype(np.float32)
    feats = encode(xy, present, frame)[0]
    near = np.abs(orientation(feats)) < 0.1
    assert near.sum() > 20
    rows, run = [], filler.run
    monkeypatch.setattr(filler, "run", lambda feats, noise=None: rows.append(len(feats)) or run(feats, noise))
    guess, error = filler.predict_with_error(xy.astype(np.float32), present, frame, blend=False)
    assert rows == [len(xy)]
    filler.predict_with_error(xy.astype(np.float32), present, frame)
    assert rows[1] > len(xy)  # blended: the people near the boundary run twice
    mx, mp = mirror(xy, present, canvas[:, :1])
    m_guess, m_error = filler.predict_with_error(mx.astype(np.float32), mp, frame, blend=False)
    back, _ = mirror(m_guess, mp, canvas[:, :1])
    clear = np.abs(orientation(feats)) > 1e-4  # rounding can put a person right on the boundary on either side
    np.testing.assert_allclose(back[clear], guess[clear], atol=0.05)
    np.testing.assert_allclose(m_error[clear][:, list(MIRROR)], error[clear], rtol=1e-4, atol=1e-3)


def test_seeded_alternatives_are_deterministic_and_batch_independent(filler):
    xy, present, canvas = waist_up()
    others = example_people(7, seed=5)
    alone = complete_people(xy, present, canvas, {"seed": 11}, filler=filler).xy[0]
    batch = complete_people(
        np.concatenate([others[0], xy]),
        np.concatenate([others[1], present]),
        np.concatenate([others[2], canvas]),
        {"seed": 11},
        filler=filler,
    ).xy[-1]
    # the same alternative; coordinates agree to float rounding (onnxruntime's kernels depend on the batch size)
    np.testing.assert_allclose(alone, batch, atol=1e-3, rtol=0)
    np.testing.assert_array_equal(alone, complete_people(xy, present, canvas, {"seed": 11}, filler=filler).xy[0])


def test_seed_noise_is_per_person_reproducible_and_order_free():
    xy, present, canvas = example_people(60, seed=8)
    feats = encode(xy, present, np.concatenate([np.zeros_like(canvas), canvas], 1))[0]
    seeds = np.random.default_rng(0).integers(0, 5, 60)
    together = seed_noise(person_keys(feats, seeds), 1.0)
    order = np.random.default_rng(1).permutation(60)
    np.testing.assert_array_equal(seed_noise(person_keys(feats[order], seeds[order]), 1.0), together[order])
    alone = np.concatenate([seed_noise(person_keys(feats[i : i + 1], seeds[i : i + 1]), 1.0) for i in range(60)])
    np.testing.assert_array_equal(alone, together)
    same_seed = seed_noise(person_keys(feats, np.full(60, 3)), 1.0)
    assert len(np.unique(same_seed, axis=0)) == 60  # one seed, a different draw for every person
    one = np.repeat(feats[:1], 1000, 0)
    draws = seed_noise(person_keys(one, np.arange(1000)), 1.0)
    assert len(np.unique(draws, axis=0)) == 1000  # every seed its own draw
    radius = np.linalg.norm(draws.reshape(1000, 18, 2), axis=-1)
    median = np.sqrt(-2 * np.log(1 - 0.5 * (1 - np.exp(-(TRUNCATE**2) / 2))))  # of a 2-D normal cut at TRUNCATE
    assert radius.max() <= TRUNCATE + 1e-6 and abs(np.median(radius) - median) < 0.03


def test_the_same_person_anywhere_on_any_canvas_draws_the_same_noise():
    xy, present, canvas = example_people(20, seed=9)
    tight = np.concatenate([np.zeros_like(canvas), canvas], 1)
    moved = tight * 4 - 1000
    keys = person_keys(encode(xy, present, tight)[0], np.full(20, 7))
    np.testing.assert_array_equal(person_keys(encode(xy * 2 + 50, present, moved)[0], np.full(20, 7)), keys)


def test_alternatives_are_fresh_and_spread_where_uncertain(filler):
    xy, present, canvas = waist_up()
    legs = np.stack([complete_people(xy, present, canvas, {"seed": s}, filler=filler).xy[0, 8:14] for s in range(40)])
    assert len(np.unique(legs.round(3).reshape(40, -1), axis=0)) == 40  # no seed repeats another
    wide = np.linalg.norm(legs - legs.mean(0), axis=-1).mean()
    one = np.tile(COCO_MEAN_POSE * 100 + np.array([300.0, 300.0]), (1, 1, 1))
    gone = np.ones((1, 18), bool)
    gone[0, L_ELBOW] = False
    elbows = np.stack(
        [complete_people(one, gone, (600, 700), {"seed": s}, filler=filler).xy[0, L_ELBOW] for s in range(40)]
    )
    narrow = np.linalg.norm(elbows - elbows.mean(0), axis=-1).mean()
    assert wide > 10 and narrow < wide / 4  # pixels, for a person about 300 px tall (torso ~110 px)


def test_arm_past_the_side_edge_is_filled_beyond_it(filler):
    doc = json.loads((EXAMPLES / "arm_outside.json").read_text())
    body = np.asarray(doc["people"][0]["pose_keypoints_2d"], float).reshape(18, 3)
    width = doc["canvas_width"]
    side = [j for j in (R_ELBOW, R_WRIST, L_ELBOW, L_WRIST) if body[j, 2] == 0]
    assert side  # the example has a lost arm joint
    out = np.asarray(complete_document(doc, filler=filler)["people"][0]["pose_keypoints_2d"]).reshape(18, 3)
    assert all(out[j, 0] > width or out[j, 0] < 0 for j in side)


def test_broken_model_file_is_an_error(tmp_path):
    from lib_posefill.errors import PoseFillError

    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not onnx")
    with pytest.raises(PoseFillError, match="not a PoseFill model"):
        OnnxFiller(bad)
