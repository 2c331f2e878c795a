"""Hands at filled wrists and faces at filled heads, with the real model: which documents get them, where they
go, how big, what they never touch (detected hands, body-only documents), and how ControlNet's drawing shows them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import flat, triples

from lib_posefill import complete_document, complete_sequence
from lib_posefill.document import Part
from lib_posefill.hands import BEST_HAND, FACE, REACH_PER_FOREARM, forearm_from_body, new_hand, relaxed_hand
from lib_posefill.render import render_document
from lib_posefill.skeleton import (
    HAND_JOINT_COLOR,
    L_ELBOW,
    L_EYE,
    L_WRIST,
    NOSE,
    R_EAR,
    R_ELBOW,
    R_EYE,
    R_SHOULDER,
    R_WRIST,
)
from posefill_dev.synthetic import body, face, hand

W, H = 512, 768
RIGHT, LEFT, FACE_KEY = "hand_right_keypoints_2d", "hand_left_keypoints_2d", "face_keypoints_2d"
MCPS = [5, 9, 13, 17]


def standing():
    return body(256, 60, 600, {R_WRIST: (-0.05, -0.1), L_WRIST: (0.08, -0.05)})


def dw_doc(xy=None, right=None, left="detected", face_value=None, hidden=(R_WRIST,), width=W, height=H):
    """A DWPose-style document: the right wrist lost, the left hand detected (or ``left`` as given)."""
    xy = standing() if xy is None else xy
    seen = np.ones(18, bool)
    seen[list(hidden)] = False
    if isinstance(left, str):
        left = flat(hand(xy[L_WRIST], xy[L_ELBOW]) * [1.6, 1.6] - xy[L_WRIST] * 0.6, np.ones(21, bool), c=0.8)
    person = {"pose_keypoints_2d": flat(xy, seen), FACE_KEY: face_value, LEFT: left, RIGHT: right}
    return {"people": [person], "canvas_width": width, "canvas_height": height}


def angle(a, b) -> float:
    return float(np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1))))


def test_the_other_hand_mirrored_onto_the_filled_wrist():
    doc = dw_doc()
    out = complete_document(doc)
    person = out["people"][0]
    assert person["posefill"]["filled"] == [R_WRIST] and person["posefill"]["hands"] == ["right"]
    new, left, pose = triples(person, RIGHT), triples(person, LEFT), triples(person)
    assert new.shape == (21, 3) and (new[:, 2] > 0).all()
    assert np.array_equal(new[0, :2], pose[R_WRIST, :2])  # the root on the filled wrist
    assert person[LEFT] == [float(v) for v in doc["people"][0][LEFT][:2]] + [1.0] + person[LEFT][3:]  # unmoved
    assert np.allclose(left[:, :2].ravel(), np.asarray(doc["people"][0][LEFT]).reshape(-1, 3)[:, :2].ravel())

    def local(h, wrist, elbow):  # the hand in its forearm's frame: along, across
        u = (wrist - elbow) / np.linalg.norm(wrist - elbow)
        rel = h[:, :2] - h[0, :2]
        return np.stack([rel @ u, rel @ np.array([-u[1], u[0]])], -1)

    mine = local(new, pose[R_WRIST, :2], pose[R_ELBOW, :2])
    theirs = local(left, pose[L_WRIST, :2], pose[L_ELBOW, :2])
    ratio = np.linalg.norm(mine) / np.linalg.norm(theirs)
    assert 0.8 <= ratio <= 1.25
    np.testing.assert_allclose(mine, theirs * [1, -1] * ratio, atol=1e-6)  # mirrored across the forearm


def test_a_relaxed_hand_when_no_hand_was_detected():
    out = complete_document(dw_doc(right=[], left=[]))
    person = out["people"][0]
    assert person["posefill"]["hands"] == ["right"] and person[LEFT] == []
    new, pose = triples(person, RIGHT), triples(person)
    assert (new[:, 2] > 0).all() and np.array_equal(new[0, :2], pose[R_WRIST, :2])
    reach = np.linalg.norm(new[12, :2] - new[0, :2])
    forearm = forearm_from_body(pose[:, :2], pose[:, 2] > 0)
    assert reach == pytest.approx(REACH_PER_FOREARM * forearm)
    assert forearm >= np.linalg.norm(pose[R_WRIST, :2] - pose[R_ELBOW, :2])
    assert angle(new[MCPS, :2].mean(0) - new[0, :2], pose[R_WRIST, :2] - pose[R_ELBOW, :2]) < 15
    # the thumb lies away from the body (the person faces the camera: their right is the picture's left)
    assert new[4, 0] < new[20, 0]


def test_the_template_follows_published_hand_proportions():
    pts = BEST_HAND
    assert np.linalg.norm(pts[12]) == pytest.approx(1.0)
    assert np.allclose(pts[0], 0)
    tips, mcps = pts[[8, 12, 16, 20]], pts[MCPS]
    assert np.linalg.norm(tips[1]) == max(np.linalg.norm(tips, axis=1))  # the middle finger reaches furthest
    assert 0.4 < np.linalg.norm(pts[9]) < 0.55  # the palm is about half the hand's length
    assert np.all(np.diff(mcps[:, 1]) < 0)  # MCP heads on an arc from the index to the little finger
    assert pts[4, 1] > pts[8, 1] > pts[20, 1]  # the thumb on its side
    assert np.linalg.norm(relaxed_hand(1.3)[12]) < np.linalg.norm(relaxed_hand(0.7)[12])  # flexion shortens


def test_a_seeded_alternative_varies_flexion_and_the_best_guess_is_deterministic():
    doc = dw_doc(right=[], left=[])
    best = [triples(complete_document(doc)["people"][0], RIGHT) for _ in range(2)]
    assert np.array_equal(*best)
    seeded = [triples(complete_document(doc, {"seed": s})["people"][0], RIGHT) for s in (1, 2, 3)]
    reach = [np.linalg.norm(h[12, :2] - h[0, :2]) / np.linalg.norm(h[9, :2] - h[0, :2]) for h in seeded]
    assert len({round(r, 6) for r in reach}) == 3  # other flexion
    for h in seeded:
        assert h.shape == (21, 3) and (h[:, 2] > 0).all()


@pytest.mark.parametrize("given", [[], [0.0] * 63, None])
def test_a_detected_wrist_keeps_whatever_hand_the_detector_gave(given):
    doc = dw_doc(right=given, hidden=(R_ELBOW,))
    person = complete_document(doc)["people"][0]
    assert R_ELBOW in person["posefill"]["filled"] and "hands" not in person["posefill"]
    assert person[RIGHT] == given
    assert person[LEFT] == pytest.approx(doc["people"][0][LEFT][:2] + [1.0] + person[LEFT][3:])


def test_a_detected_hand_at_a_missing_wrist_stays_as_detected():
    """The hand's root gives the wrist (a hint); the hand itself is not replaced."""
    xy = standing()
    given = flat(hand(xy[R_WRIST], xy[R_ELBOW]), np.ones(21, bool), c=1.0)
    person = complete_document(dw_doc(right=given))["people"][0]
    assert "hands" not in person["posefill"] and person[RIGHT] == given


def test_all_zero_and_empty_hands_at_a_filled_wrist_are_replaced():
    for empty in ([], [0.0] * 63):
        person = complete_document(dw_doc(right=empty, left=[]))["people"][0]
        assert person["posefill"]["hands"] == ["right"] and len(person[RIGHT]) == 63


def test_body_only_documents_are_unchanged_byte_for_byte():
    xy = standing()
    seen = np.ones(18, bool)
    seen[R_WRIST] = False
    doc = {"people": [{"pose_keypoints_2d": flat(xy, seen)}], "canvas_width": W, "canvas_height": H}
    auto, off = complete_document(doc), complete_document(doc, {"hands": "off"})
    assert json.dumps(auto) == json.dumps(off)
    assert set(auto["people"][0]) == {"pose_keypoints_2d", "posefill"} and auto["people"][0]["posefill"] == {
        "filled": [R_WRIST]
    }
    nulls = dw_doc(left=None)  # ControlNet writes null for every hand when its preprocessor draws none
    out = complete_document(nulls)["people"][0]
    assert out[RIGHT] is None and out[LEFT] is None and "hands" not in out["posefill"]


def test_hands_off_adds_nothing():
    doc = dw_doc(right=[], face_value=[])
    person = complete_document(doc, {"hands": "off"})["people"][0]
    assert person[RIGHT] == [] and person[FACE_KEY] == [] and set(person["posefill"]) == {"filled"}


def test_normalised_documents_get_hands_in_the_pixels_they_are_written_in():
    xy = standing()
    seen = np.ones(18, bool)
    seen[R_WRIST] = False
    left = hand(xy[L_WRIST], xy[L_ELBOW])
    doc = {
        "people": [
            {
                "pose_keypoints_2d": flat(xy / (W, H), seen),
                LEFT: flat(left / (W, H), np.ones(21, bool)),
                RIGHT: None,
            }
        ],
        "canvas_width": W,
        "canvas_height": H,
    }
    person = complete_document(doc)["people"][0]
    new, pose = triples(person, RIGHT), triples(person)
    assert np.array_equal(new[0, :2], pose[R_WRIST, :2]) and pose[R_WRIST, 0] > 1  # pixels, as the body
    assert np.allclose(triples(person, LEFT)[:, :2], left)


def test_other_people_and_documents_of_a_list():
    a, b = standing(), standing() + np.array([40.0, 0.0])
    seen = np.ones(18, bool)
    seen[L_WRIST] = False
    doc = dw_doc(a)
    doc["people"].append({"pose_keypoints_2d": flat(b, seen), LEFT: [], RIGHT: []})
    plain = {"people": [{"pose_keypoints_2d": flat(b, seen)}], "canvas_width": W, "canvas_height": H}
    out, other = complete_document([doc, plain])
    assert [p["posefill"].get("hands") for p in out["people"]] == [["right"], ["left"]]
    assert "hands" not in other["people"][0]["posefill"] and LEFT not in other["people"][0]


def test_a_face_fitted_to_a_filled_head():
    xy = standing()
    detected = face(xy)
    doc = dw_doc(hidden=(NOSE, R_EYE, L_EYE, R_EAR), face_value=[], left=[])
    person = complete_document(doc, {"scope": "all"})["people"][0]
    pose = triples(person)
    assert {NOSE, R_EYE, L_EYE} <= set(person["posefill"]["filled"]) and person["posefill"]["face"] is True
    got = triples(person, FACE_KEY)
    assert got.shape == (70, 3) and (got[:, 2] > 0).all()
    assert np.array_equal(got[68, :2], pose[R_EYE, :2]) and np.array_equal(got[69, :2], pose[L_EYE, :2])
    assert np.linalg.norm(got[30, :2] - pose[NOSE, :2]) < 0.5 * np.linalg.norm(pose[R_EYE, :2] - pose[L_EYE, :2])
    assert got[8, 1] > got[30, 1] > got[19, 1]  # chin below the nose below the brows
    assert len(FACE) == 70
    # a detected face is never replaced, and with the default scope the head inside the canvas is not filled
    kept = dw_doc(hidden=(NOSE,), face_value=flat(detected, np.ones(70, bool), c=1.0), left=[])
    person = complete_document(kept, {"scope": "all"})["people"][0]
    assert person[FACE_KEY] == kept["people"][0][FACE_KEY] and "face" not in person["posefill"]
    assert "face" not in complete_document(doc)["people"][0]["posefill"]


def test_framing_fit_moves_the_added_hand_with_the_body():
    xy = standing() + np.array([0.0, 300.0])  # legs far below the canvas
    doc = dw_doc(xy, right=[], left=[], hidden=(R_WRIST, 10, 13))
    person = complete_document(doc, {"framing": "fit"})["people"][0]
    new, pose = triples(person, RIGHT), triples(person)
    assert np.allclose(new[0, :2], pose[R_WRIST, :2])
    assert (pose[pose[:, 2] > 0, 1] <= H).all() and (new[:, 1] <= H).all()


def test_sequence_mode_adds_hands_in_every_frame():
    frames = [dw_doc(standing() + np.array([5.0 * t, 0.0])) for t in range(4)]
    out = complete_sequence(frames)
    for doc in out:
        person = doc["people"][0]
        assert person["posefill"]["hands"] == ["right"]
        assert np.array_equal(triples(person, RIGHT)[0, :2], triples(person)[R_WRIST, :2])
    assert complete_sequence(frames, {"hands": "off"})[0]["people"][0][RIGHT] is None


def test_controlnet_drawing_shows_the_added_hand_as_a_detected_one():
    out = complete_document(dw_doc(right=[], left=[]))
    image = render_document(out)
    new = triples(out["people"][0], RIGHT)
    for x, y, _ in new[1:]:  # the hand's blue joint discs, as ControlNet draws detected hands
        assert image[int(y), int(x)].tolist() == list(HAND_JOINT_COLOR)
    before = render_document(complete_document(dw_doc(right=[], left=[]), {"hands": "off"}))
    changed = np.argwhere((image != before).any(-1))
    lo, hi = new[:, :2].min(0) - 5, new[:, :2].max(0) + 5
    assert len(changed) and ((changed[:, ::-1] >= lo) & (changed[:, ::-1] <= hi)).all()


def test_without_an_elbow_the_hand_goes_along_shoulder_to_wrist():
    xy = standing()
    present = np.ones(18, bool)
    present[R_ELBOW] = False
    new = new_hand({}, xy, present, "right", None)
    assert np.array_equal(new[0], xy[R_WRIST])
    assert angle(new[MCPS].mean(0) - new[0], xy[R_WRIST] - xy[R_SHOULDER]) < 15
    present[[R_SHOULDER, 1]] = False  # neck too: no direction, no hand
    assert new_hand({}, xy, present, "right", None) is None


def test_the_hands_option_everywhere_options_are(tmp_path):
    from conftest import run_cli

    from lib_posefill.comfyui.nodes import PoseFill
    from lib_posefill.errors import PoseFillError
    from lib_posefill.options import Options

    with pytest.raises(PoseFillError, match=r'^hands: expected one of auto, off, got "maybe"$'):
        Options(hands="maybe")
    choices, spec = PoseFill.INPUT_TYPES()["required"]["hands"]  # the ComfyUI widget
    assert choices == ["auto", "off"] and spec["default"] == "auto"
    path = tmp_path / "pose.json"
    path.write_text(json.dumps(dw_doc(right=[], left=[])))
    for flag, added in (("auto", True), ("off", False)):
        out = tmp_path / f"{flag}.json"
        done = run_cli("complete", str(path), "-o", str(out), "--hands", flag)
        assert done.returncode == 0, done.stderr
        person = json.loads(out.read_text())["people"][0]
        assert (len(person[RIGHT]) == 63) is added and ("hands" in person["posefill"]) is added


def test_the_other_hand_is_not_mirrored_without_its_wrist_and_forearm():
    """A detected hand whose arm the body lacks gives no direction to mirror from: the relaxed hand is used."""
    xy = standing()
    other = Part(xy=hand(xy[L_WRIST], xy[L_ELBOW]), present=np.ones(21, bool))
    present = np.ones(18, bool)
    present[L_WRIST], xy[L_WRIST] = False, 0.0  # scope outside may leave it missing
    got = new_hand({LEFT: other}, xy, present, "right", None)
    relaxed = new_hand({}, xy, present, "right", None)
    assert np.array_equal(got, relaxed)
