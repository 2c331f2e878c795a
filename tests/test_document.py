"""Reading and writing pose documents: every JSON flavour, units, BODY_25, parts, carried-over keys."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from conftest import flat, person_doc, triples

from lib_posefill import Options, PoseFillError, complete_document
from lib_posefill.document import loads_json, parse_documents
from lib_posefill.skeleton import BODY25_TO_18, L_ANKLE, LIMB_JOINTS, NUM_JOINTS, R_ELBOW, R_WRIST
from posefill_dev.synthetic import body, face, hand


def given_unchanged(before: dict, after: dict, scale=(1.0, 1.0)) -> None:
    """Every present input joint comes back at the same place (times scale), with c = 1.0."""
    a, b = triples(before), triples(after)
    present = a[:, 2] > 0
    np.testing.assert_allclose(b[present, :2], a[present, :2] * scale, rtol=0, atol=1e-9)
    assert (b[present, 2] == 1.0).all()


def test_controlnet_dict_round_trip(filler):
    doc = person_doc()
    out = complete_document(copy.deepcopy(doc), filler=filler)
    assert set(out) == set(doc)
    assert (out["canvas_width"], out["canvas_height"]) == (512, 768)
    person = out["people"][0]
    given_unchanged(doc["people"][0], person)
    body_out = triples(person)
    assert len(body_out) == NUM_JOINTS
    filled = person["posefill"]["filled"]
    was_missing = np.flatnonzero(triples(doc["people"][0])[:, 2] == 0)
    assert filled and set(filled) <= set(was_missing.tolist())
    assert (body_out[filled, 2] == 1.0).all()
    assert "skipped" not in person["posefill"]
    json.dumps(out, allow_nan=False)  # valid strict JSON


def test_comfyui_list_round_trip(filler):
    docs = [person_doc(), person_doc(body(200, 100, 500), width=640, height=640)]
    out = complete_document(copy.deepcopy(docs), filler=filler)
    assert isinstance(out, list) and len(out) == 2
    for before, after in zip(docs, out):
        given_unchanged(before["people"][0], after["people"][0])
        assert (after["canvas_width"], after["canvas_height"]) == (before["canvas_width"], before["canvas_height"])


def test_bare_openpose_needs_canvas(filler):
    doc = person_doc()
    bare = {"version": 1.3, "people": doc["people"]}
    with pytest.raises(PoseFillError, match="canvas"):
        complete_document(copy.deepcopy(bare), filler=filler)
    out = complete_document(copy.deepcopy(bare), {"canvas": "512x768"}, filler=filler)
    assert out["version"] == 1.3
    assert (out["canvas_width"], out["canvas_height"]) == (512, 768)
    given_unchanged(bare["people"][0], out["people"][0])


def test_body25_becomes_openpose18(filler):
    xy = body(256, 60, 1000)
    seen = ((xy >= 0) & (xy < (512, 768))).all(1)
    xy25, seen25 = np.full((25, 2), 7.0), np.ones(25, bool)  # mid-hip and feet: present but dropped
    xy25[list(BODY25_TO_18)], seen25[list(BODY25_TO_18)] = xy, seen
    bare = {"version": 1.3, "people": [{"pose_keypoints_2d": flat(xy25, seen25), "person_id": [-1]}]}
    out = complete_document(bare, {"canvas": "512x768"}, filler=filler)
    person = out["people"][0]
    assert person["person_id"] == [-1]
    body_out = triples(person)
    assert body_out.shape == (NUM_JOINTS, 3)
    np.testing.assert_allclose(body_out[seen, :2], xy[seen])
    assert set(person["posefill"]["filled"]) <= set(np.flatnonzero(~seen).tolist())


@pytest.mark.parametrize("coords", ["auto", "normalised"])
def test_normalised_input_comes_back_in_pixels(filler, coords):
    w, h = 640, 480
    xy = body(320, 30, 560)
    seen = ((xy >= 0) & (xy < (w, h))).all(1)
    hand_xy = hand(xy[R_WRIST], xy[R_ELBOW])
    doc = {
        "people": [
            {
                "pose_keypoints_2d": flat(xy / (w, h), seen),
                "hand_right_keypoints_2d": flat(hand_xy / (w, h), np.ones(21, bool), c=0.4),
            }
        ],
        "canvas_width": w,
        "canvas_height": h,
    }
    out = complete_document(copy.deepcopy(doc), {"coords": coords}, filler=filler)
    person = out["people"][0]
    body_out = triples(person)
    np.testing.assert_allclose(body_out[seen, :2], xy[seen], atol=1e-6)
    assert body_out[:, :2].max() > 1  # pixels, also for the filled joints
    hand_out = triples(person, "hand_right_keypoints_2d")
    np.testing.assert_allclose(hand_out[:, :2], hand_xy, atol=1e-6)
    assert (hand_out[:, 2] == 1.0).all()


def test_coords_override_pixel_keeps_small_values(filler):
    doc = person_doc(body(0.5, 0.05, 0.9), width=512, height=512)  # tiny values, but meant as pixels
    out = complete_document(copy.deepcopy(doc), {"coords": "pixel"}, filler=filler)
    given_unchanged(doc["people"][0], out["people"][0])
    auto = complete_document(copy.deepcopy(doc), filler=filler)
    given_unchanged(doc["people"][0], auto["people"][0], scale=(512, 512))


def test_multi_person_each_person_completed(filler):
    a, b = body(150, 60, 900), body(400, 100, 300)
    doc = {
        "people": [
            {"pose_keypoints_2d": flat(a, ((a >= 0) & (a < 512)).all(1))},
            {"pose_keypoints_2d": flat(b, ((b >= 0) & (b < 512)).all(1))},
            {"pose_keypoints_2d": None, "face_keypoints_2d": flat(face(b), np.ones(70, bool))},
        ],
        "canvas_width": 512,
        "canvas_height": 512,
    }
    out = complete_document(copy.deepcopy(doc), filler=filler)
    records = [p["posefill"] for p in out["people"]]
    assert records[0]["filled"] and records[1]["filled"] == []
    assert records[2] == {"filled": [], "skipped": "no body keypoints"}
    assert out["people"][2]["pose_keypoints_2d"] is None
    for before, after in zip(doc["people"][:2], out["people"][:2]):
        given_unchanged(before, after)


def test_hands_face_and_unknown_keys_carried_over(filler):
    xy = body(256, 60, 1000)
    seen = ((xy >= 0) & (xy < (512, 768))).all(1)
    face_xy, hand_xy = face(xy), hand(xy[R_WRIST], xy[R_ELBOW])
    hand_seen = np.ones(21, bool)
    hand_seen[5] = False
    doc = person_doc(xy, seen, animals=[[1, 2, 1, 3, 4, 1]], extra={"nested": [1, {"x": None}]}, note="hi")
    person = doc["people"][0]
    person.update(
        face_keypoints_2d=flat(face_xy, np.ones(70, bool), c=0.3),
        hand_right_keypoints_2d=flat(hand_xy, hand_seen, c=0.7),
        hand_left_keypoints_2d=None,
        person_id=[-1],
        custom={"a": 1},
    )
    out = complete_document(copy.deepcopy(doc), filler=filler)
    assert out["animals"] == doc["animals"] and out["extra"] == doc["extra"] and out["note"] == "hi"
    p = out["people"][0]
    assert p["person_id"] == [-1] and p["custom"] == {"a": 1} and p["hand_left_keypoints_2d"] is None
    face_out = triples(p, "face_keypoints_2d")
    np.testing.assert_allclose(face_out[:, :2], face_xy)
    assert (face_out[:, 2] == 1.0).all()
    hand_out = triples(p, "hand_right_keypoints_2d")
    np.testing.assert_allclose(hand_out[hand_seen, :2], hand_xy[hand_seen])
    assert hand_out[5].tolist() == [0, 0, 0]


def test_zero_people_unchanged(filler):
    doc = {"people": [], "canvas_width": 512, "canvas_height": 768, "animals": [], "x": 1}
    assert complete_document(copy.deepcopy(doc), filler=filler) == doc
    assert complete_document([copy.deepcopy(doc)], filler=filler) == [doc]
    bare = {"version": 1.3, "people": []}  # no canvas keys are added, and 512.0 stays a float
    out = complete_document(copy.deepcopy(bare), {"canvas": "640x480", "framing": "fit"}, filler=filler)
    assert json.dumps(out) == json.dumps(bare)
    floats = {"people": [], "canvas_width": 512.0, "canvas_height": 768.0}
    assert json.dumps(complete_document(copy.deepcopy(floats), filler=filler)) == json.dumps(floats)


def test_missing_markers_and_min_confidence(filler):
    xy = body(256, 60, 600)
    raw = flat(xy, np.ones(NUM_JOINTS, bool), c=0.5)
    raw[3 * L_ANKLE : 3 * L_ANKLE + 2] = [-1, -1]  # a -1 marker is missing whatever its confidence
    doc = {"people": [{"pose_keypoints_2d": raw}], "canvas_width": 512, "canvas_height": 768}
    parsed = parse_documents(doc, Options())[0][0].people[0].body
    assert parsed.present.sum() == NUM_JOINTS - 1 and not parsed.present[L_ANKLE]
    strict = parse_documents(doc, Options(min_confidence=0.5))[0][0].people[0].body
    assert not strict.present.any()


def test_given_joints_exact_with_keep_for_odd_values(filler):
    xy = body(256.123456789, 60.987654321, 1000)
    doc = person_doc(xy)
    out = complete_document(copy.deepcopy(doc), {"framing": "keep", "scope": "all"}, filler=filler)
    given_unchanged(doc["people"][0], out["people"][0])
    limbs = triples(out["people"][0])[list(LIMB_JOINTS)]
    assert (limbs[:, 2] == 1.0).all()


def test_file_size_and_people_caps(tmp_path):
    from lib_posefill.document import read_json_file

    path = tmp_path / "big.json"
    path.write_text(json.dumps({"people": [], "canvas_width": 1, "canvas_height": 1, "pad": "x" * 3000}))
    with pytest.raises(PoseFillError, match="max_file_mb"):
        read_json_file(path, Options(max_file_mb=0.002))
    doc = {"people": [{"pose_keypoints_2d": []}] * 3, "canvas_width": 5, "canvas_height": 5}
    with pytest.raises(PoseFillError, match="max_people"):
        parse_documents(doc, Options(max_people=2))
    assert len(parse_documents(doc, Options(max_people=3))[0][0].people) == 3


def test_loads_json_errors_are_one_line():
    for text in ['{"people": [', b"\xff\xfe", "[" * 100000, '{"a": ' + "1" * 5000 + "}"]:
        with pytest.raises(PoseFillError) as info:
            loads_json(text)
        assert "\n" not in str(info.value)


def test_output_reads_back_whole_even_left_of_the_canvas(filler):
    xy = body(40, 60, 600)  # the right arm is past the left edge: filled at negative x
    doc = person_doc(xy, width=512, height=768)
    out = complete_document(copy.deepcopy(doc), filler=filler)
    filled = out["people"][0]["posefill"]["filled"]
    assert (triples(out["people"][0])[filled, 0] < 0).any()
    again = parse_documents(out, Options(coords="pixel"))[0][0].people[0].body
    assert again.present[filled].all()
    twice = complete_document(copy.deepcopy(out), {"coords": "pixel"}, filler=filler)
    assert twice["people"][0]["posefill"]["filled"] == []
    np.testing.assert_array_equal(triples(twice["people"][0]), triples(out["people"][0]))
    detector = copy.deepcopy(out)
    del detector["people"][0]["posefill"]  # without PoseFill's record, negative coordinates mean missing
    assert not parse_documents(detector, Options(coords="pixel"))[0][0].people[0].body.present[filled].any()


@pytest.mark.parametrize("part", ["hand_left_keypoints_2d", "face_keypoints_2d"])
def test_units_are_decided_by_every_part_of_the_document(part):
    """A body inside [0, 1] is still in pixels when a hand or face point of any person lies beyond 1."""
    small = {"pose_keypoints_2d": flat(body(0.5, 0.05, 0.9), np.ones(NUM_JOINTS, bool))}
    count = 21 if part.startswith("hand") else 70
    other = {"pose_keypoints_2d": None, part: flat(np.full((count, 2), 0.5), np.arange(count) != 3)}
    doc = {"people": [small, other], "canvas_width": 512, "canvas_height": 512}
    assert parse_documents(doc, Options())[0][0].normalised
    other[part][3 * 3 : 3 * 3 + 3] = [300.0, 2.0, 0.0]  # beyond 1, but not present: does not count
    assert parse_documents(doc, Options())[0][0].normalised
    other[part][3 * 3 + 2] = 0.8
    assert not parse_documents(doc, Options())[0][0].normalised


def _people_mix() -> dict:
    """People of every kind the reader meets: OpenPose-18 and BODY_25 bodies, low confidences, negative (missing)
    points, a PoseFill record with filled joints left of the canvas, hands and a face."""
    rng = np.random.default_rng(3)
    people = []
    for k in range(6):
        t = np.column_stack([rng.uniform(-20, 500, 18), rng.uniform(-20, 700, 18), rng.choice([0.0, 0.05, 0.9, 1], 18)])
        person = {"pose_keypoints_2d": t.ravel().tolist(), "id": k}
        if k == 1:
            t[0] = (-15.0, 40.0, 1.0)
            person["pose_keypoints_2d"] = t.ravel().tolist()
            person["posefill"] = {"filled": [0, 1, 2, 99, True]}
        if k == 2:
            person["hand_left_keypoints_2d"] = [10.0, 20.0, 1.0] * 21
            person["face_keypoints_2d"] = [1, 2, 0.5] * 70
        people.append(person)
    return {"canvas_width": 512, "canvas_height": 768, "people": people}


@pytest.mark.parametrize("body25", [False, True])
def test_people_read_together_equal_people_read_one_by_one(monkeypatch, body25):
    from lib_posefill import document

    doc = _people_mix()
    if body25:
        for person in doc["people"]:
            t = np.asarray(person["pose_keypoints_2d"]).reshape(18, 3)
            wide = np.zeros((25, 3))
            wide[list(BODY25_TO_18)] = t
            person["pose_keypoints_2d"] = wide.ravel().tolist()
    together, _ = parse_documents(copy.deepcopy(doc), Options())
    assert document._plain_bodies(doc["people"], 0.1) is not None  # the one-conversion path was taken
    monkeypatch.setattr(document, "_plain_bodies", lambda people, c: None)
    alone, _ = parse_documents(copy.deepcopy(doc), Options())
    for a, b in zip(together[0].people, alone[0].people, strict=True):
        np.testing.assert_array_equal(a.body.xy, b.body.xy)
        np.testing.assert_array_equal(a.body.present, b.body.present)
        assert a.raw == b.raw and a.parts.keys() == b.parts.keys()
    assert together[0].people[1].body.present[0]  # filled by PoseFill at x < 0, confident: still present
    assert document.write_documents(together) == document.write_documents(alone)


def test_written_keypoints_are_the_present_points_and_zeros():
    from lib_posefill import document

    docs, _ = parse_documents(_people_mix(), Options())
    out = document.write_documents(docs)[0]
    for person, written in zip(docs[0].people, out["people"], strict=True):
        for key, part in [("pose_keypoints_2d", person.body), *person.parts.items()]:
            expected = [[*xy, 1.0] if seen else [0.0, 0.0, 0.0] for xy, seen in zip(part.xy.tolist(), part.present)]
            assert written[key] == [v for t in expected for v in t]
