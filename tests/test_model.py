"""The shipped ONNX model: matches its card and the torch network, keeps given joints, answers every case,
and gives deterministic, batch-independent seeded alternatives."""

import numpy as np
import pytest

from lib_posefill.api import complete_people
from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.benchmarks.model import example_people
from lib_posefill.features import encode
from lib_posefill.model import DEFAULT_MODEL_PATH, OnnxFiller, load_filler, seed_choice
from lib_posefill.training.card import CARD_NAME, card_facts, read_card

pytestmark = pytest.mark.skipif(not DEFAULT_MODEL_PATH.exists(), reason="no shipped model")


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
    assert card["size"] <= 5_000_000


def test_onnx_equals_torch(filler):
    torch = pytest.importorskip("torch")
    from lib_posefill.training.net import from_onnx

    xy, present, canvas = example_people(256)
    frame = np.concatenate([np.zeros_like(canvas), canvas], 1)
    feats, _, _ = encode(xy, present, frame)
    feats = np.concatenate([feats, np.random.default_rng(0).normal(0, 2, feats.shape).astype(np.float32)])
    with torch.no_grad():
        expected = from_onnx(DEFAULT_MODEL_PATH)(torch.from_numpy(feats)).numpy()
    got = filler.session.run(None, {"features": feats})[0]
    np.testing.assert_allclose(got, expected, atol=1e-4, rtol=0)


def test_given_joints_unchanged_and_every_case_answered(filler):
    xy, present, canvas = example_people(500, seed=3)
    present[:5] = False
    present[:5, [2, 5, 8]] = True  # three joints only
    xy[5, :] = xy[5, 0]  # every joint at one point
    xy[6] *= 1e4  # far off the canvas
    done = complete_people(xy, present, canvas, filler=filler)
    assert np.isfinite(done.xy).all()
    assert all(s is None for s in done.skipped)
    assert (done.xy[present] == xy[present]).all()
    assert done.present[:, 1:14].all()


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


def test_seed_choice_depends_only_on_seed_and_person():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, (50, 8))
    seeds = rng.integers(0, 5, 50)
    together = seed_choice(logits, seeds)
    alone = np.array([seed_choice(logits[i : i + 1], seeds[i : i + 1])[0] for i in range(50)])
    np.testing.assert_array_equal(together, alone)
    assert len(set(seed_choice(np.zeros((1, 8)), np.array([s]))[0] for s in range(40))) > 4


def test_alternatives_differ_where_uncertain(filler):
    xy, present, canvas = waist_up()
    legs = [complete_people(xy, present, canvas, {"seed": s}, filler=filler).xy[0, 8:14] for s in range(12)]
    spread = np.ptp(np.stack(legs), axis=0).max()
    assert spread > 10  # pixels, for a person about 300 px tall


def test_broken_model_file_is_an_error(tmp_path):
    from lib_posefill.errors import PoseFillError

    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not onnx")
    with pytest.raises(PoseFillError, match="not a PoseFill model"):
        OnnxFiller(bad)
