"""The completion step: scope, framing, min_visible, seeds, the neck rule, hints and the failure fallback."""

from __future__ import annotations

import copy
import logging

import numpy as np
import pytest
from conftest import person_doc, triples

from lib_posefill import complete_document, complete_people
from lib_posefill.skeleton import (
    HEAD_JOINTS,
    L_ANKLE,
    L_EYE,
    L_KNEE,
    L_SHOULDER,
    LIMB_JOINTS,
    NECK,
    NOSE,
    NUM_JOINTS,
    R_ANKLE,
    R_ELBOW,
    R_EYE,
    R_KNEE,
    R_SHOULDER,
    R_WRIST,
)
from posefill_dev.synthetic import body, hand

W, H = 512, 768


class OracleFiller:
    """Knows every person's true pose: isolates the completion rules from any model's guesses."""

    name = "oracle"

    def __init__(self, truth: np.ndarray) -> None:
        self.truth = np.asarray(truth, dtype=np.float32).reshape(-1, NUM_JOINTS, 2)
        self.calls = 0

    def predict(self, xy, present, frame, seeds):
        self.calls += 1
        return np.repeat(self.truth[:1], len(xy), 0) if len(self.truth) == 1 else self.truth[: len(xy)]


class BrokenFiller:
    name = "broken"

    def predict(self, xy, present, frame, seeds):
        raise RuntimeError("model exploded")


class NaNFiller:
    name = "nan"

    def predict(self, xy, present, frame, seeds):
        return np.full((len(xy), NUM_JOINTS, 2), np.nan, np.float32)


def inside(xy: np.ndarray) -> np.ndarray:
    return ((xy >= 0) & (xy <= (W, H))).all(-1)


def test_scope_limbs_fills_limbs_and_head_only_outside():
    truth = body(256, -40, 1000)  # head above the top edge, legs below the bottom edge
    seen = inside(truth)
    seen[R_ELBOW] = False  # occluded inside the picture
    seen[NOSE] = False  # a face turned away: inside, stays missing
    assert not seen[list(HEAD_JOINTS)].all()
    out = complete_people(truth, seen, (W, H), {"scope": "limbs"}, filler=OracleFiller(truth))
    missing = ~seen
    for j in np.flatnonzero(missing):
        expect = j in LIMB_JOINTS or not inside(truth[j])
        assert out.filled[0, j] == expect, j
    np.testing.assert_allclose(out.xy[0][out.filled[0]], truth[out.filled[0]])


def test_scope_all_and_outside():
    truth = body(256, 60, 1000)
    seen = inside(truth)
    seen[[R_ELBOW, NOSE]] = False
    all_ = complete_people(truth, seen, (W, H), {"scope": "all"}, filler=OracleFiller(truth))
    assert all_.present.all() and (all_.filled[0] == ~seen).all()
    outside = complete_people(truth, seen, (W, H), {"scope": "outside"}, filler=OracleFiller(truth))
    assert (outside.filled[0] == (~seen & ~inside(truth))).all()
    assert not outside.present[0, R_ELBOW] and not outside.present[0, NOSE]


@pytest.mark.parametrize("scope", ["limbs", "all", "outside"])
def test_real_filler_invariants(filler, scope):
    truth = body(256, 60, 1000)
    seen = inside(truth)
    seen[R_ELBOW] = False
    out = complete_people(truth, seen, (W, H), {"scope": scope}, filler=filler)
    assert np.isfinite(out.xy).all()
    np.testing.assert_array_equal(out.xy[0][seen], truth[seen])  # given joints exact
    assert not (out.filled & seen).any() and (out.present == (seen | out.filled)).all()
    if scope == "limbs":
        assert out.present[0, list(LIMB_JOINTS)].all()
    if scope == "all":
        assert out.present.all()
    if scope == "outside":
        assert not out.present[0, R_ELBOW]
        filled = out.xy[0][out.filled[0] & (np.arange(NUM_JOINTS) != NECK)]
        assert not inside(filled).any()


def test_framing_fit_puts_everything_inside_with_margin(filler):
    xy = body(256, 60, 1000)
    doc = person_doc(xy)
    doc["people"][0]["hand_right_keypoints_2d"] = [
        v for p in hand(xy[R_WRIST], xy[R_ELBOW]) for v in (*p.tolist(), 0.8)
    ]
    margin = 0.1
    out = complete_document(copy.deepcopy(doc), {"framing": "fit", "margin": margin}, filler=filler)
    person = out["people"][0]
    pts = np.concatenate([triples(person), triples(person, "hand_right_keypoints_2d")])
    pts = pts[pts[:, 2] > 0, :2]
    assert len(pts) == NUM_JOINTS + 21
    lo, hi = np.array([margin * W, margin * H]), np.array([(1 - margin) * W, (1 - margin) * H])
    assert (pts >= lo - 1e-6).all() and (pts <= hi + 1e-6).all()
    keep = complete_document(copy.deepcopy(doc), {"framing": "keep"}, filler=filler)
    assert triples(keep["people"][0])[:, 1].max() > H  # the fill went below the edge; fit pulled it in


def test_min_visible_skips_and_leaves_unchanged(filler):
    truth = body(256, 60, 600)
    seen = np.zeros(NUM_JOINTS, bool)
    seen[[R_SHOULDER, L_SHOULDER]] = True
    out = complete_people(truth, seen, (W, H), {"min_visible": 3}, filler=filler)
    assert out.skipped[0] and "min_visible" in out.skipped[0]
    assert not out.filled.any() and (out.present[0] == seen).all()
    doc = complete_document(person_doc(truth, seen), filler=filler)
    assert doc["people"][0]["posefill"]["filled"] == [] and "min_visible" in doc["people"][0]["posefill"]["skipped"]
    ok = complete_people(truth, seen, (W, H), {"min_visible": 2}, filler=filler)
    assert ok.skipped[0] is None and ok.filled.any()


@pytest.mark.parametrize("seed", [None, 0, 7])
def test_seed_determinism_and_batch_independence(filler, seed):
    rng = np.random.default_rng(1)
    people = np.stack([body(rng.uniform(100, 400), rng.uniform(0, 300), rng.uniform(300, 1200)) for _ in range(6)])
    seen = inside(people)
    seen[:, R_WRIST] = False
    opts = {"seed": seed}
    batch = complete_people(people, seen, (W, H), opts, filler=filler)
    again = complete_people(people, seen, (W, H), opts, filler=filler)
    np.testing.assert_array_equal(batch.xy, again.xy)
    for i in (0, 3):
        alone = complete_people(people[i], seen[i], (W, H), opts, filler=filler)
        np.testing.assert_allclose(alone.xy[0], batch.xy[i], atol=1e-4)
        np.testing.assert_array_equal(alone.filled[0], batch.filled[i])


def test_neck_rule_midpoint_of_shoulders():
    truth = body(256, 60, 600)
    truth_wrong_neck = truth.copy()
    truth_wrong_neck[NECK] += (40, 40)  # a filler's guess for the neck is overridden
    seen = inside(truth)
    seen[NECK] = False
    for scope in ("limbs", "all", "outside"):
        out = complete_people(truth, seen, (W, H), {"scope": scope}, filler=OracleFiller(truth_wrong_neck))
        assert out.filled[0, NECK]
        np.testing.assert_allclose(out.xy[0, NECK], (truth[R_SHOULDER] + truth[L_SHOULDER]) / 2)
    seen[R_SHOULDER] = False  # a filled shoulder counts
    out = complete_people(truth, seen, (W, H), {"scope": "limbs"}, filler=OracleFiller(truth_wrong_neck))
    np.testing.assert_allclose(out.xy[0, NECK], (truth[R_SHOULDER] + truth[L_SHOULDER]) / 2)
    seen[NECK] = True  # a given neck is never moved
    out = complete_people(truth, seen, (W, H), filler=OracleFiller(truth_wrong_neck))
    np.testing.assert_array_equal(out.xy[0, NECK], truth[NECK])


def test_hand_root_hints_the_wrist(filler):
    truth = body(256, 60, 600)
    seen = inside(truth)
    seen[R_WRIST] = False
    hand_xy = hand(truth[R_WRIST] + (5, 3), truth[R_ELBOW])
    doc = person_doc(truth, seen)
    doc["people"][0]["hand_right_keypoints_2d"] = [v for p in hand_xy for v in (*p.tolist(), 0.9)]
    out = complete_document(doc, filler=filler)
    body_out = triples(out["people"][0])
    assert R_WRIST in out["people"][0]["posefill"]["filled"]
    np.testing.assert_allclose(body_out[R_WRIST, :2], hand_xy[0])


@pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy's overflow warning would reach the CLI's stderr
def test_absurd_face_points_are_no_hint_and_no_numpy_warning(filler):
    """Random fuzzing found it: eyes at x = 1e308 averaged to inf with an overflow warning in the face hint."""
    truth = body(256, 60, 600)
    seen = inside(truth)
    seen[[NOSE, R_EYE, L_EYE]] = False
    doc = person_doc(truth, seen)
    face = np.zeros((70, 3))
    face[:, 2] = 0.9
    face[:, :2] = truth[NOSE]
    face[36:48, 0] = 1e308  # both eyes far beyond any canvas
    doc["people"][0]["face_keypoints_2d"] = face.ravel().tolist()
    out = complete_document(doc, {"scope": "all"}, filler=filler)
    body_out = triples(out["people"][0])
    assert {R_EYE, L_EYE} <= set(out["people"][0]["posefill"]["filled"])
    assert np.isfinite(body_out).all() and (np.abs(body_out[[R_EYE, L_EYE], :2]) < 2000).all()


@pytest.mark.parametrize("bad", [BrokenFiller(), NaNFiller()])
def test_fill_failure_falls_back_to_the_unrepaired_pose(bad, caplog):
    truth = body(256, 60, 1000)
    seen = inside(truth)
    doc = person_doc(truth, seen)
    with caplog.at_level(logging.WARNING, logger="posefill"):
        out = complete_document(copy.deepcopy(doc), filler=bad)
    person = out["people"][0]
    assert person["posefill"]["filled"] == [] and person["posefill"]["skipped"].startswith("fill failed")
    body_out = triples(person)
    np.testing.assert_allclose(body_out[seen, :2], truth[seen])
    assert (body_out[~seen] == 0).all()
    if isinstance(bad, BrokenFiller):
        assert any("fill failed" in r.getMessage() for r in caplog.records)


def test_one_filler_call_for_many_documents():
    truth = body(256, 60, 1000)
    oracle = OracleFiller(truth)
    docs = [person_doc(truth) for _ in range(50)]
    out = complete_document(docs, filler=oracle)
    assert oracle.calls == 1 and all(d["people"][0]["posefill"]["filled"] for d in out)
    assert {tuple(d["people"][0]["posefill"]["filled"]) for d in out} == {(R_KNEE, R_ANKLE, L_KNEE, L_ANKLE)}
