"""suspicious=refill with the real model: wrong detections found and repaired, good ones never moved; absurd input
never gives absurd output (warnings naming person and joint), and framing fit never collapses a person."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import person_doc, run_cli, triples, write_json

from lib_posefill.api import complete_document, complete_people
from lib_posefill.completion import complete_arrays
from lib_posefill.hosts.variants import slider_options
from lib_posefill.options import Options
from lib_posefill.skeleton import (
    JOINT_NAMES,
    L_ANKLE,
    L_ELBOW,
    L_KNEE,
    L_WRIST,
    R_ANKLE,
    R_ELBOW,
    R_KNEE,
    R_WRIST,
)
from lib_posefill.suspicious import absurd_points
from posefill_dev.synthetic import body

REFILL = Options(suspicious="refill")
CANVAS = (512.0, 768.0)
FRAME = np.array([[0.0, 0.0, *CANVAS]])


def standing(height: float = 600.0) -> np.ndarray:
    """A whole body on the canvas, arms a little out (so left and right are told apart)."""
    return body(256, 60, height, {R_WRIST: (-0.06, 0.0), L_WRIST: (0.06, 0.0), R_ELBOW: (-0.03, 0), L_ELBOW: (0.03, 0)})


def fill(xy, options=REFILL, filler=None, present=None):
    present = np.ones(18, bool) if present is None else present
    return complete_arrays(xy[None], present[None], FRAME, options, filler)


def test_a_clean_whole_body_is_left_alone(filler):
    xy = standing()
    done = fill(xy, filler=filler)
    assert not done.replaced.any() and (done.xy[0] == xy).all()


def test_outlier_wrist_is_replaced_and_filled_near_its_arm(filler):
    xy = standing()
    truth = xy[R_WRIST].copy()
    torso = np.linalg.norm(xy[1] - (xy[8] + xy[11]) / 2)
    xy[R_WRIST] += (-2.6 * torso, -0.8 * torso)
    done = fill(xy, filler=filler)
    assert done.replaced[0].tolist() == [j == R_WRIST for j in range(18)]
    assert np.linalg.norm(done.xy[0, R_WRIST] - truth) < 0.4 * torso
    keep = fill(xy, Options(), filler)
    assert not keep.replaced.any() and (keep.xy[0, R_WRIST] == xy[R_WRIST]).all()


@pytest.mark.parametrize("offset", [(0.0, 0.0), (2.0, 1.0), (-3.0, 4.0)])
def test_knee_parked_on_the_other_knee_is_taken_out(filler, offset):
    """Exactly on it, or a few pixels off (a heatmap peak one cell away: the real-AUTOMATIC1111 stand-in's 2 px
    park was kept before SNAP_NEAR)."""
    xy = standing()
    truth = xy[R_KNEE].copy()
    xy[R_KNEE] = xy[L_KNEE] + offset
    done = fill(xy, filler=filler)
    assert done.replaced[0, R_KNEE] and not done.replaced[0, L_KNEE]
    assert np.linalg.norm(done.xy[0, R_KNEE] - truth) < np.linalg.norm(xy[R_KNEE] - truth) / 2
    assert (done.xy[0, L_KNEE] == xy[L_KNEE]).all()


def test_swapped_elbows_are_exchanged_back(filler):
    xy = standing()
    truth = xy.copy()
    xy[[R_ELBOW, L_ELBOW]] = xy[[L_ELBOW, R_ELBOW]]
    done = fill(xy, filler=filler)
    assert done.replaced[0, R_ELBOW] and done.replaced[0, L_ELBOW]
    assert (done.xy[0] == truth).all()  # exchanged back exactly; nothing else moved


@pytest.mark.parametrize(
    "limb", [((R_ELBOW, L_ELBOW), (R_WRIST, L_WRIST)), ((R_KNEE, L_KNEE), (R_ANKLE, L_ANKLE))], ids=["arm", "leg"]
)
def test_a_whole_limb_labelled_as_the_other_is_exchanged_back(filler, limb):
    """Elbow and wrist (knee and ankle) both exchanged with their twins: the upper bones cross at the root, and the
    whole limb goes back at once (exchanging one pair alone would leave the lower pair crossed)."""
    xy = standing()
    xy[[R_KNEE, L_KNEE, R_ANKLE, L_ANKLE], 0] += [-40, 40, -60, 60]  # legs apart: left and right told apart
    truth = xy.copy()
    for a, b in limb:
        xy[[a, b]] = xy[[b, a]]
    done = fill(xy, filler=filler)
    assert done.replaced[0].tolist() == [j in np.ravel(limb) for j in range(18)]
    assert (done.xy[0] == truth).all()  # exchanged back exactly; nothing else moved


def test_detected_joints_not_listed_in_replaced_never_move(filler):
    rng = np.random.default_rng(3)
    n = 400
    xy = np.stack([standing(rng.uniform(200, 700)) for _ in range(n)]) + rng.normal(0, 12, (n, 18, 2))
    present = rng.random((n, 18)) > 0.25
    kinds = rng.integers(0, 3, n)  # 0 clean, 1 outlier, 2 snap
    for i in np.flatnonzero(kinds == 1):
        xy[i, rng.integers(2, 14)] += rng.normal(0, 250, 2)
    for i in np.flatnonzero(kinds == 2):
        j, k = rng.choice(np.flatnonzero(present[i]), 2, replace=False)
        xy[i, j] = xy[i, k]
    frame = np.tile([0.0, 0.0, *CANVAS], (n, 1))
    done = complete_arrays(xy, present, frame, REFILL, filler)
    kept = present & ~done.replaced
    assert (done.xy[kept] == xy[kept]).all()
    assert done.replaced[kinds == 0].any(1).mean() < 0.05  # the clean ones are (nearly) all left alone
    assert not (done.replaced & ~present).any() and not (done.filled & done.replaced).any()


def test_people_are_checked_in_chunks_with_the_same_result(filler, monkeypatch):
    """Memory: refill checks at most CHECK_PEOPLE people at once (10,000 at once took 0.6-0.9 GB), and the chunks
    change nothing."""
    import lib_posefill.suspicious as suspicious

    rng = np.random.default_rng(5)
    n = 60
    xy = np.stack([standing(rng.uniform(300, 700)) for _ in range(n)]) + rng.normal(0, 10, (n, 18, 2))
    xy[::3, [R_ELBOW, L_ELBOW]] = xy[::3, [L_ELBOW, R_ELBOW]]
    xy[1::3, R_WRIST] += 300
    present, frame = rng.random((n, 18)) > 0.1, np.tile([0.0, 0.0, *CANVAS], (n, 1))
    whole = complete_arrays(xy, present, frame, REFILL, filler)
    sizes, check = [], suspicious._check
    monkeypatch.setattr(suspicious, "CHECK_PEOPLE", 7)
    monkeypatch.setattr(suspicious, "_check", lambda f, x, *rest: sizes.append(len(x)) or check(f, x, *rest))
    chunked = complete_arrays(xy, present, frame, REFILL, filler)
    assert max(sizes) == 7 and sum(sizes) == n and whole.replaced.any()
    assert (chunked.xy == whole.xy).all() and (chunked.replaced == whole.replaced).all()


def test_large_batches_are_checked_in_parts_on_two_threads_with_the_same_result(monkeypatch):
    """From PARALLEL_PEOPLE people on, parts are checked at once on the filler's threads, each on the one-thread
    session (two two-thread sessions at once would put four threads on two cores)."""
    import threading

    import lib_posefill.suspicious as suspicious
    from lib_posefill.model import OnnxFiller, model_path

    filler = OnnxFiller(model_path(), threads=2)

    rng = np.random.default_rng(6)
    n = 90
    xy = np.stack([standing(rng.uniform(300, 700)) for _ in range(n)]) + rng.normal(0, 10, (n, 18, 2))
    xy[::3, [R_KNEE, L_KNEE]] = xy[::3, [L_KNEE, R_KNEE]]
    xy[1::3, L_WRIST] -= 300
    present, frame = rng.random((n, 18)) > 0.1, np.tile([0.0, 0.0, *CANVAS], (n, 1))
    one_part = complete_arrays(xy, present, frame, REFILL, filler)
    seen, check = [], suspicious._check
    monkeypatch.setattr(suspicious, "PARALLEL_PEOPLE", 20)
    monkeypatch.setattr(
        suspicious, "_check", lambda f, x, *rest: seen.append((threading.get_ident(), f.session)) or check(f, x, *rest)
    )
    parts = complete_arrays(xy, present, frame, REFILL, filler)
    assert len(seen) == 2  # 90 people: two parts
    assert all(session is filler._small for _, session in seen) and threading.get_ident() not in {t for t, _ in seen}
    assert one_part.replaced.any() and (parts.replaced == one_part.replaced).all() and (parts.xy == one_part.xy).all()


def test_people_with_nothing_found_are_filled_in_the_screens_call_exactly_as_keep_fills_them(filler, monkeypatch):
    """Refill fills the people it finds nothing in from the screen's network call (hints included): the same fill
    as keep, bit for bit, and one network call fewer; people with a find are filled again without it."""
    import lib_posefill.model as model

    rng = np.random.default_rng(8)
    n = 40
    xy = np.stack([standing(rng.uniform(300, 700)) for _ in range(n)]) + rng.normal(0, 6, (n, 18, 2))
    present = rng.random((n, 18)) > 0.3
    xy[:10, R_WRIST] += 400  # found: replaced
    present[:10, R_WRIST] = True
    hint_xy, hint_present = xy + rng.normal(0, 4, xy.shape), np.zeros((n, 18), bool)
    hint_present[::4, [L_WRIST, 0]] = True  # a hand's root and the face: evidence where the joint is missing
    frame = np.tile([0.0, 0.0, *CANVAS], (n, 1))
    calls = []
    run = model.OnnxFiller.run
    monkeypatch.setattr(
        model.OnnxFiller, "run", lambda self, feats, noise=None: calls.append(len(feats)) or run(self, feats, noise)
    )
    refill = complete_arrays(xy, present, frame, REFILL, filler, hint_xy, hint_present)
    keep = complete_arrays(xy, present, frame, Options(), filler, hint_xy, hint_present)
    nothing = ~refill.replaced.any(1)
    assert nothing[10:].mean() > 0.8 and not nothing[:10].any()
    assert (refill.xy[nothing] == keep.xy[nothing]).all() and (refill.filled[nothing] == keep.filled[nothing]).all()
    assert (refill.xy[~nothing][:, L_WRIST] != keep.xy[~nothing][:, L_WRIST]).any()  # filled again, from less

    calls.clear()
    one = standing()
    seen = np.ones(18, bool)
    seen[[L_KNEE, L_ANKLE]] = False
    done = complete_arrays(one[None], seen[None], FRAME, REFILL, filler)
    assert not done.replaced.any() and len(calls) == 1  # screen and fill in one call


def test_keep_output_is_the_same_as_before_the_option(filler):
    xy = standing()
    seen = np.ones(18, bool)
    seen[[R_WRIST, L_KNEE]] = False
    keep = complete_people(xy[None], seen[None], CANVAS, Options(), filler=filler)
    assert keep.replaced is not None and not keep.replaced.any()
    doc = complete_document(person_doc(xy, seen), filler=filler)
    assert set(doc["people"][0]["posefill"]) == {"filled"}  # no replaced list, no warnings
    doc = complete_document(person_doc(xy, seen), {"suspicious": "refill"}, filler=filler)
    assert doc["people"][0]["posefill"]["replaced"] == []


@pytest.mark.parametrize("value", [1e9, 1e308])
@pytest.mark.parametrize("suspicious", ["keep", "refill"])
@pytest.mark.parametrize("framing", ["keep", "fit"])
def test_absurd_coordinate_never_gives_absurd_output(filler, value, suspicious, framing, caplog):
    xy = standing()
    seen = np.ones(18, bool)
    seen[[R_ELBOW, L_KNEE]] = False  # something to fill next to it
    doc = person_doc(xy, seen)
    doc["people"][0]["pose_keypoints_2d"][3 * R_WRIST] = value
    out = complete_document(doc, {"suspicious": suspicious, "framing": framing}, filler=filler)
    person = out["people"][0]
    record = person["posefill"]
    assert "skipped" not in record and R_ELBOW in record["filled"]
    (warning,) = record["warnings"]
    assert "r_wrist" in warning and "\n" not in warning
    assert any("person 0: r_wrist" in r.getMessage() for r in caplog.records)
    k = triples(person)
    others = np.ones(18, bool)
    others[R_WRIST] = suspicious == "keep"  # kept as given with keep, replaced with refill
    sane = k[others & (k[:, 2] > 0), :2]
    sane = sane[~absurd_points(sane[None], FRAME)[0]]
    assert np.isfinite(k[:, :2][k[:, 2] > 0][~(np.arange(18) == R_WRIST)[k[:, 2] > 0]]).all()
    assert (np.abs(sane) < 4 * 768).all()  # the fill stays near the body
    if framing == "fit":
        extent = np.ptp(sane, axis=0).max()
        assert extent > 0.3 * 768  # not collapsed to a point
    if suspicious == "refill":
        assert record["replaced"] == [R_WRIST] and 0 <= k[R_WRIST, 0] <= 512


def test_cli_warns_on_stderr_naming_person_and_joint(tmp_path):
    doc = person_doc(standing())
    doc["people"][0]["pose_keypoints_2d"][3 * R_WRIST] = 1e308
    src = write_json(tmp_path / "in.json", doc)
    done = run_cli("complete", str(src), "-o", str(tmp_path / "out.json"), "--suspicious", "refill")
    assert done.returncode == 0, done.stderr
    assert f"{src}: warning: person 0: r_wrist at (1e+308" in done.stderr
    assert done.stderr.count("r_wrist") == 1  # printed once, with the file's path (not also by the log)
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["people"][0]["posefill"]["replaced"] == [R_WRIST]
    assert np.isfinite(triples(out["people"][0])[:, :2]).all()


def test_collapsed_person_is_skipped_with_a_warning(filler):
    xy = np.full((18, 2), 200.0)
    done = fill(xy, REFILL, filler)
    assert done.skipped[0].startswith("all 18 joints lie on one point") and done.warnings[0]
    assert (done.xy[0] == xy).all()


class NanFiller:
    name = "nan"

    def predict(self, xy, present, frame, seeds):
        out = np.array(xy, dtype=np.float32)
        out[:, L_WRIST] = np.nan
        return out


def test_non_finite_model_result_warns_naming_the_joint():
    xy = standing()
    seen = np.ones(18, bool)
    seen[L_WRIST] = False
    done = complete_arrays(xy[None], seen[None], FRAME, Options(), NanFiller())
    assert done.skipped[0] and "l_wrist" in done.warnings[0][0]
    assert not done.filled.any()


def test_option_is_validated_and_the_controlnet_sliders_keep_the_settings_value():
    assert Options.from_mapping({"suspicious": "refill"}).suspicious == "refill"
    with pytest.raises(Exception, match="suspicious.*expected one of keep, refill"):
        Options.from_mapping({"suspicious": "fix"})
    assert slider_options(Options(), 1, 3).suspicious == "keep"
    assert slider_options(Options(suspicious="refill"), 1, 3).suspicious == "refill"


def test_tab_marks_replaced_joints_apart_from_filled_ones(filler):
    from lib_posefill.ui import state as tab
    from lib_posefill.ui.view import summary

    xy = standing()
    seen = np.ones(18, bool)
    seen[L_WRIST] = False
    doc = person_doc(xy, seen)
    doc["people"][0]["pose_keypoints_2d"][3 * R_KNEE : 3 * R_KNEE + 2] = [float(v) for v in xy[L_KNEE]]
    s = tab.fill(tab.load(doc), REFILL, filler)
    states = tab.joint_states(s, 0)
    assert states[R_KNEE] == "replaced" and states[L_WRIST] == "filled"
    assert f"replaced {JOINT_NAMES[R_KNEE]}" in summary(s)


def synthetic_cases(n: int = 60):
    from posefill_dev.evaluation.protocol import Cases

    rng = np.random.default_rng(0)
    truth = np.stack([standing(rng.uniform(300, 700)) for _ in range(n)]) + rng.normal(0, 6, (n, 18, 2))
    labelled = np.ones((n, 18), bool)
    present = labelled.copy()
    present[np.arange(n), rng.integers(2, 14, n)] = False
    torso = np.linalg.norm(truth[:, 1] - (truth[:, 8] + truth[:, 11]) / 2, axis=1)
    return Cases("test", truth, labelled, present, np.tile([0.0, 0.0, *CANVAS], (n, 1)), torso)


@pytest.mark.parametrize("kind", ["outlier", "snap", "swap", "absurd", "limb"])
def test_injected_errors_are_what_they_say_and_scored(filler, kind):
    from posefill_dev.evaluation.suspicious import SNAP_OFFSET, inject, score_injected

    cases = synthetic_cases()
    inj = inject(cases, kind, np.random.default_rng(1))
    c, rows = inj.cases, np.arange(len(inj.xy))
    assert len(rows) > 40 and c.present[rows, inj.joint].all()
    moved = (inj.xy != c.truth).any(-1)
    if kind == "swap":
        assert (inj.xy[rows, inj.joint] == c.truth[rows, inj.twin]).all() and (moved.sum(1) == 2).all()
    elif kind == "limb":  # elbows and wrists, or knees and ankles, exchanged at once
        assert (inj.xy[rows, inj.joint] == c.truth[rows, inj.twin]).all() and (moved.sum(1) == 4).all()
        assert (inj.xy[rows, inj.lower[:, 0]] == c.truth[rows, inj.lower[:, 1]]).all()
        assert np.isin(inj.joint, [R_ELBOW, R_KNEE]).all() and (inj.lower[:, 0] == inj.joint + 1).all()
    else:
        assert (inj.twin == -1).all() and (inj.lower == -1).all() and (moved.sum(1) == 1).all()
        assert moved[rows, inj.joint].all()
    off = np.linalg.norm(inj.xy[rows, inj.joint] - c.truth[rows, inj.joint], axis=-1) / c.torso
    if kind == "outlier":
        assert ((off >= 1 - 1e-9) & (off <= 3 + 1e-9)).all()
    if kind == "snap":  # on another joint, or at most SNAP_OFFSET torso lengths off it
        gaps = [np.linalg.norm(np.delete(inj.xy[i], inj.joint[i], 0) - inj.xy[i, inj.joint[i]], axis=1) for i in rows]
        assert (np.array([g.min() for g in gaps]) <= SNAP_OFFSET * c.torso + 1e-9).all()
    if kind == "absurd":
        assert (np.abs(inj.xy[rows, inj.joint]).max(1) >= 1e4).all()
    r = score_injected(filler, inj)
    assert r["moved"] == 0 and 0 <= r["caught"] <= 1 and r["people"] == len(rows)
    assert r["after_caught"] < r["before"]


@pytest.mark.parametrize("suspicious", ["keep", "refill"])
def test_no_neck_from_an_absurd_shoulder_unless_it_was_replaced(filler, suspicious):
    from lib_posefill.skeleton import NECK, R_SHOULDER

    xy = standing()
    seen = np.ones(18, bool)
    seen[NECK] = False
    xy[R_SHOULDER] = (1e308, 200.0)
    done = fill(xy, Options(suspicious=suspicious), filler, seen)
    assert np.isfinite(done.xy[0, NECK]).all() and np.abs(done.xy[0, NECK]).max() < 1e4
    assert done.present[0, NECK] == (suspicious == "refill")


@pytest.mark.parametrize("angle", range(0, 360, 45))
def test_wrist_flung_one_and_a_half_torso_lengths_is_replaced(filler, angle):
    """The forearm becomes longer than any COCO train forearm: the anatomical prior sees it although the network's
    expected error for a wrist is large (the leave-one-out rule alone, at 12 expected errors, kept all of these)."""
    xy = standing()
    truth = xy[R_WRIST].copy()
    torso = np.linalg.norm(xy[1] - (xy[8] + xy[11]) / 2)
    xy[R_WRIST] += 1.5 * torso * np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
    done = fill(xy, filler=filler)
    assert done.replaced[0].tolist() == [j == R_WRIST for j in range(18)]
    assert np.linalg.norm(done.xy[0, R_WRIST] - truth) < 0.4 * torso


def test_person_size_is_not_moved_by_one_wrong_joint():
    from lib_posefill.anatomy import excess

    xy = standing()
    torso = np.linalg.norm(xy[1] - (xy[8] + xy[11]) / 2)
    size, worst, too_long = excess(xy[None], np.ones((1, 18), bool))
    assert 0.7 * torso < size[0] < 1.3 * torso and worst.max() < 1.0 and not too_long.any()  # an ordinary body
    far = xy.copy()
    far[R_ANKLE] += (3 * torso, 0.0)
    size_far, worst_far, too_long_far = excess(far[None], np.ones((1, 18), bool))
    assert abs(size_far[0] / size[0] - 1) < 0.05
    assert worst_far[0, R_ANKLE] > 1.5 and worst_far[0, R_ANKLE] == worst_far[0].max()
    assert too_long_far[0, R_ANKLE] == 2 and too_long_far[0].max() == 2  # shin and hip-ankle: only the ankle has two
    none, _, _ = excess(xy[None], np.isin(np.arange(18), (R_WRIST, R_ANKLE, 0))[None])  # no bone: no size, no evidence
    assert np.isnan(none[0])
