"""Every tab action at handler level: upload, decode, fill, and each editor action (move, delete, unpin,
restore, another version, undo/redo, table, export), with the payload the editor receives."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from tab_poses import body, document, legs_cut

from lib_posefill.document import parse_documents
from lib_posefill.model import cached_filler
from lib_posefill.options import Options
from lib_posefill.render import draw_document
from lib_posefill.skeleton import COLORS, JOINT_INDEX
from lib_posefill.ui.handlers import Handlers
from lib_posefill.ui.state import TabState

OPTS = {"scope": "limbs", "min_visible": 3, "framing": "keep", "margin": 0.05}
KNEE, ANKLE = JOINT_INDEX["r_knee"], JOINT_INDEX["r_ankle"]
R_WRIST, NOSE = JOINT_INDEX["r_wrist"], JOINT_INDEX["nose"]


class SeededFiller:
    """The shipped filler, shifted by the seed: makes alternatives visible whatever model is installed."""

    name = "seeded"

    def predict(self, xy, present, frame, seeds):
        out = cached_filler().predict(xy, present, frame, seeds)
        return out + np.where(seeds[:, None, None] >= 0, 5.0 * (seeds[:, None, None] + 1), 0.0).astype(np.float32)


def png_bytes(image: np.ndarray, ext: str = ".png") -> bytes:
    ok, data = cv2.imencode(ext, image[..., ::-1])
    assert ok
    return data.tobytes()


def keypoints(doc: dict, person: int = 0, key: str = "pose_keypoints_2d") -> np.ndarray:
    return np.asarray(doc["people"][person][key], dtype=float).reshape(-1, 3)


def payload(view) -> dict:
    return json.loads(view.payload)


def states(view) -> dict[str, str]:
    return {row[0]: row[3] for row in view.rows}


def act(handlers, state, op, options=OPTS, **fields):
    return handlers.edit(state, json.dumps({"op": op, "id": 1, **fields}), options)


@pytest.fixture
def handlers():
    return Handlers()


@pytest.fixture
def loaded(handlers):
    doc = legs_cut()
    state, view = handlers.upload(TabState(), json.dumps(doc).encode(), "auto", OPTS)
    assert not view.error, view.status
    return state, doc


def two_people() -> dict:
    rng = np.random.default_rng(3)
    return document([body(rng, 200, 300, 90, missing=(10, 13)), body(rng, 560, 300, 90, missing=(9, 12))], 768, 640)


def test_upload_json_fills_and_sends_the_document_to_the_editor(handlers):
    doc = legs_cut()
    state, view = handlers.upload(TabState(), json.dumps(doc).encode(), "auto", OPTS)
    assert not view.error
    data = payload(view)
    assert data["loaded"] and data["doc"] == state.result and data["background"] is None
    assert data["people"][0]["states"][KNEE] == "filled" and data["person"] == 0
    assert {states(view)[n] for n in ("r_knee", "r_ankle", "l_knee", "l_ankle")} == {"filled"}
    assert states(view)["neck"] == "given" and "r_knee" in view.status
    given = keypoints(doc)[:, 2] > 0
    assert np.allclose(keypoints(state.result)[given, :2], keypoints(doc)[given, :2])
    assert keypoints(state.result)[KNEE, 2] == 1.0


def test_upload_accepts_paths_and_file_objects(handlers, tmp_path):
    path = tmp_path / "pose.json"
    path.write_text(json.dumps(legs_cut()))
    _, by_path = handlers.upload(TabState(), str(path), "auto", OPTS)

    class Upload:  # gradio 3's tempfile wrapper
        name = str(path)

    _, by_object = handlers.upload(TabState(), Upload(), "auto", OPTS)
    assert not by_path.error and not by_object.error
    assert by_path.rows == by_object.rows


def test_paste_json_any_flavour(handlers):
    doc = legs_cut()
    normalised = {**doc, "people": [{"pose_keypoints_2d": (keypoints(doc) / [512, 512, 1]).ravel().tolist()}]}
    _, view = handlers.paste(TabState(), json.dumps([normalised, normalised]), OPTS)
    assert not view.error
    assert "first of 2 documents" in view.status
    assert states(view)["r_knee"] == "filled"


def test_skeleton_image_is_decoded_and_shown_under_the_pose(handlers):
    doc = two_people()
    image = draw_document(parse_documents(doc, Options())[0][0])
    state, view = handlers.upload(TabState(), png_bytes(image), "auto", OPTS)
    assert not view.error, view.status
    assert "skeleton image" in view.status and len(state.people) == 2
    assert payload(view)["background"].startswith("data:image/jpeg;base64,")
    _, second = act(handlers, state, "select", person=1)
    assert payload(second)["person"] == 1 and states(second)["r_knee"] == "filled"


def test_a_photo_without_a_detector_becomes_the_background_and_the_pose_stays(handlers, loaded):
    state, _ = loaded
    photo = np.random.default_rng(0).integers(0, 255, (512, 512, 3), dtype=np.uint8)
    new, view = handlers.upload(state, png_bytes(photo, ".jpg"), "auto", OPTS)
    assert view.error and "needs ControlNet" in view.status and "shown under the pose" in view.status
    data = payload(view)
    assert data["doc"] == state.result and not data["loaded"]
    shown = cv2.imdecode(np.frombuffer(base64.b64decode(data["background"].split(",", 1)[1]), np.uint8), 1)
    assert shown.shape == (512, 512, 3) and abs(float(shown.mean()) - float(photo.mean())) < 4
    # A pose for the same picture keeps it; one for another shape of canvas does not.
    _, same = handlers.paste(new, json.dumps(legs_cut()), OPTS)
    assert payload(same)["background"] == data["background"]
    _, other = handlers.paste(new, json.dumps(legs_cut(width=512, height=900)), OPTS)
    assert payload(other)["background"] is None


def test_photo_goes_to_the_detector_hook():
    seen = []

    def detector(image):
        seen.append(image.shape)
        return legs_cut(width=image.shape[1], height=image.shape[0])

    photo = np.random.default_rng(0).integers(0, 255, (512, 512, 3), dtype=np.uint8)
    _, view = Handlers(detector=detector).upload(TabState(), png_bytes(photo), "photo", OPTS)
    assert seen == [(512, 512, 3)]
    assert not view.error and states(view)["r_knee"] == "filled"
    assert payload(view)["background"].startswith("data:image/jpeg")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json at all", "invalid JSON"),
        (b'{"people": 3, "canvas_width": 10, "canvas_height": 10}', "people"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "could not read the image size"),
        (b"", "empty"),
    ],
)
def test_bad_uploads_keep_the_previous_state(handlers, loaded, data, message):
    state, _ = loaded
    new, view = handlers.upload(state, data, "auto", OPTS)
    assert view.error and message in view.status and "Traceback" not in view.status
    assert new is state
    assert payload(view)["doc"] == state.result  # the previous pose is still on screen


def test_huge_upload_is_refused(handlers, loaded):
    state, _ = loaded
    new, view = handlers.upload(state, b" " * (2 * 2**20), "auto", {**OPTS, "max_file_mb": 1})
    assert view.error and "over the 1 MB limit" in view.status and new is state


def test_image_that_is_not_a_pose(handlers):
    _, view = handlers.upload(TabState(), png_bytes(np.zeros((64, 64, 3), np.uint8)), "skeleton", OPTS)
    assert view.error and "no OpenPose skeleton" in view.status


def test_zero_people_is_a_message(handlers):
    state, view = handlers.paste(TabState(), '{"people": [], "canvas_width": 64, "canvas_height": 48}', OPTS)
    assert not view.error and "no people" in view.status and view.rows == []
    assert payload(view)["doc"]["canvas_width"] == 64
    _, view = act(handlers, state, "move", joint=3, x=1, y=1)
    assert view.error and "no person 1" in view.status


def test_options_change_the_fill(handlers, loaded):
    state, _ = loaded
    _, view = act(handlers, state, "refresh", options={**OPTS, "min_visible": 18})
    assert "skipped" in view.status.lower()
    assert set(states(view).values()) <= {"given", "missing"}


def test_drag_pins_the_joint_and_refills_the_rest(handlers, loaded):
    state, _ = loaded
    ankle = keypoints(state.result)[ANKLE].copy()
    knee = keypoints(state.result)[KNEE, :2] + (60, 0)
    new, view = act(handlers, state, "move", joint=KNEE, x=float(knee[0]), y=float(knee[1]))
    assert not view.error, view.status
    got = keypoints(new.result)
    assert got[KNEE].tolist() == [knee[0], knee[1], 1.0] and states(view)["r_knee"] == "pinned"
    assert np.hypot(*(got[ANKLE, :2] - ankle[:2])) > 1.0  # the filled ankle followed
    assert payload(view)["ack"] == 1 and payload(view)["doc"] == new.result
    assert KNEE not in new.result["people"][0]["posefill"]["filled"]


def test_hand_follows_its_wrist_and_face_its_nose(handlers):
    rng = np.random.default_rng(1)
    doc = document([body(rng, 256, 260, 110, missing=(10, 13))], 512, 768)
    k = keypoints(doc)
    hand = np.c_[k[R_WRIST, :2] + np.arange(21)[:, None] * [1.0, 2.0], np.ones(21)]
    hand[20] = 0  # a missing hand point stays missing
    face = np.c_[k[NOSE, :2] + np.arange(70)[:, None] * [0.5, -0.25], np.ones(70)]
    doc["people"][0].update(hand_right_keypoints_2d=hand.ravel().tolist(), face_keypoints_2d=face.ravel().tolist())
    state, _ = handlers.paste(TabState(), json.dumps(doc), OPTS)
    wrist = k[R_WRIST, :2] + (30, -20)
    state, _ = act(handlers, state, "move", joint=R_WRIST, x=float(wrist[0]), y=float(wrist[1]))
    moved = keypoints(state.result, key="hand_right_keypoints_2d")
    assert np.allclose(moved[:20, :2], hand[:20, :2] + (30, -20)) and moved[20].tolist() == [0, 0, 0]
    nose = k[NOSE, :2] + (-12, 8)
    state, _ = act(handlers, state, "move", joint=NOSE, x=float(nose[0]), y=float(nose[1]))
    assert np.allclose(keypoints(state.result, key="face_keypoints_2d")[:, :2], face[:, :2] + (-12, 8))
    state, _ = act(handlers, state, "undo")
    assert np.allclose(keypoints(state.result, key="face_keypoints_2d")[:, :2], face[:, :2])
    state, _ = act(handlers, state, "restore")  # the whole person: the hand goes back too
    assert np.allclose(keypoints(state.result, key="hand_right_keypoints_2d")[:20, :2], hand[:20, :2])


def test_a_filled_hand_follows_its_filled_wrist_when_dragged(handlers):
    """A hand PoseFill added at a filled wrist moves with the wrist and stays once the wrist is pinned; the
    hands option off removes it; restore brings the filled wrist and a new hand back."""
    rng = np.random.default_rng(1)
    doc = document([body(rng, 256, 260, 110, missing=(R_WRIST,))], 512, 768)
    doc["people"][0].update(hand_right_keypoints_2d=[], hand_left_keypoints_2d=[])
    state, view = handlers.paste(TabState(), json.dumps(doc), OPTS)
    assert state.result["people"][0]["posefill"]["hands"] == ["right"] and states(view)["r_wrist"] == "filled"
    hand, k = keypoints(state.result, key="hand_right_keypoints_2d"), keypoints(state.result)
    assert hand.shape == (21, 3) and np.array_equal(hand[0, :2], k[R_WRIST, :2])
    wrist = k[R_WRIST, :2] + (30, -20)
    state, view = act(handlers, state, "move", joint=R_WRIST, x=float(wrist[0]), y=float(wrist[1]))
    assert states(view)["r_wrist"] == "pinned"
    moved = keypoints(state.result, key="hand_right_keypoints_2d")
    assert np.allclose(moved[:, :2], hand[:, :2] + (30, -20), atol=1e-3) and (moved[:, 2] > 0).all()
    assert (
        payload(view)["doc"]["people"][0]["hand_right_keypoints_2d"]
        == state.result["people"][0]["hand_right_keypoints_2d"]
    )
    state_off, _ = handlers.paste(TabState(), json.dumps(doc), {**OPTS, "hands": "off"})
    assert state_off.result["people"][0]["hand_right_keypoints_2d"] == []
    state, view = act(handlers, state, "restore")
    assert states(view)["r_wrist"] == "filled" and state.result["people"][0]["posefill"]["hands"] == ["right"]
    assert np.allclose(keypoints(state.result, key="hand_right_keypoints_2d")[:, :2], hand[:, :2])


def test_editing_one_person_leaves_the_other_unchanged(handlers):
    state, _ = handlers.paste(TabState(), json.dumps(two_people()), OPTS)
    other = json.dumps(state.result["people"][1])
    first = keypoints(state.result, 0)
    state, view = act(
        handlers, state, "move", person=0, joint=KNEE, x=float(first[KNEE, 0] + 25), y=float(first[KNEE, 1])
    )
    assert payload(view)["person"] == 0 and not view.error
    assert json.dumps(state.result["people"][1]) == other
    seeded = Handlers(filler=SeededFiller())
    state, _ = seeded.paste(TabState(), json.dumps(two_people()), OPTS)
    before = [json.dumps(p) for p in state.result["people"]]
    state, view = act(seeded, state, "reroll", person=1)
    assert json.dumps(state.result["people"][0]) == before[0] and json.dumps(state.result["people"][1]) != before[1]
    assert "Person 2: filled" in view.status and "(version 2)" in view.status


def test_delete_refills_and_delete_again_keeps_it_missing(handlers, loaded):
    state, _ = loaded
    wrist = keypoints(state.result)[R_WRIST].copy()
    state, view = act(handlers, state, "delete", joint=R_WRIST)
    assert states(view)["r_wrist"] == "filled"  # the wrist was given: it is refilled
    state, view = act(handlers, state, "delete", joint=R_WRIST)
    assert states(view)["r_wrist"] == "pinned missing"
    assert keypoints(state.result)[R_WRIST].tolist() == [0, 0, 0]
    assert R_WRIST not in state.result["people"][0]["posefill"]["filled"]
    state, view = act(handlers, state, "reroll")
    assert states(view)["r_wrist"] == "pinned missing"  # through every refill
    state, view = act(handlers, state, "restore", joint=R_WRIST)
    assert states(view)["r_wrist"] == "given" and keypoints(state.result)[R_WRIST].tolist() == wrist.tolist()


def test_double_click_unpins(handlers, loaded):
    state, _ = loaded
    wrist = keypoints(state.result)[R_WRIST].copy()
    state, _ = act(handlers, state, "move", joint=R_WRIST, x=10.0, y=20.0)
    state, view = act(handlers, state, "unpin", joint=R_WRIST)
    assert states(view)["r_wrist"] == "given" and keypoints(state.result)[R_WRIST].tolist() == wrist.tolist()
    state, view = act(handlers, state, "move", joint=ANKLE, x=300.0, y=700.0)
    state, view = act(handlers, state, "unpin", joint=ANKLE)
    assert states(view)["r_ankle"] == "filled"  # the input had no ankle: filled again
    _, view = act(handlers, state, "unpin", joint=ANKLE)
    assert view.error and "not pinned" in view.status


def test_another_version_keeps_given_and_pinned_joints():
    handlers = Handlers(filler=SeededFiller())
    state, _ = handlers.paste(TabState(), json.dumps(legs_cut()), OPTS)
    state, _ = act(handlers, state, "move", joint=KNEE, x=250.0, y=430.0)
    knee, ankle = keypoints(state.result)[KNEE].copy(), keypoints(state.result)[ANKLE].copy()
    state, view = act(handlers, state, "reroll")
    assert "version 2" in view.status
    assert np.allclose(keypoints(state.result)[KNEE], knee)  # pinned: kept
    assert not np.allclose(keypoints(state.result)[ANKLE], ankle)  # filled: re-rolled


def test_undo_and_redo(handlers, loaded):
    state, _ = loaded
    original = json.dumps(state.result)
    state, _ = act(handlers, state, "move", joint=KNEE, x=100.0, y=100.0)
    moved = json.dumps(state.result)
    state, _ = act(handlers, state, "delete", joint=JOINT_INDEX["neck"])
    state, view = act(handlers, state, "undo")
    assert json.dumps(state.result) == moved and states(view)["neck"] == "given"
    state, _ = act(handlers, state, "undo")
    assert json.dumps(state.result) == original
    _, view = act(handlers, state, "undo")
    assert view.error and "nothing to undo" in view.status
    state, _ = act(handlers, state, "redo")
    assert json.dumps(state.result) == moved
    state, _ = act(handlers, state, "redo")
    _, view = act(handlers, state, "redo")
    assert view.error and "nothing to redo" in view.status
    state, _ = act(handlers, state, "undo")
    state, _ = act(handlers, state, "move", joint=KNEE, x=120.0, y=100.0)  # a new edit drops the redo steps
    _, view = act(handlers, state, "redo")
    assert view.error


def test_mark_missing_outside_the_scope_stays_missing(handlers, loaded):
    state, _ = loaded
    _, view = act(handlers, state, "delete", joint=NOSE)
    assert states(view)["nose"] == "missing"
    _, view = act(handlers, state, "delete", joint=NOSE, options={**OPTS, "scope": "all"})
    assert states(view)["nose"] == "filled"


def test_table_edits(handlers, loaded):
    state, _ = loaded
    _, view = act(handlers, state, "refresh")
    rows = [list(r) for r in view.rows]
    rows[KNEE][1:3] = [111, 222]  # move: becomes pinned
    rows[JOINT_INDEX["l_elbow"]][3] = "missing"  # dropped: refilled
    rows[JOINT_INDEX["r_elbow"]][3] = "pinned missing"
    new, view = act(handlers, state, "table", rows=rows)
    assert not view.error, view.status
    assert states(view)["r_knee"] == "pinned" and states(view)["l_elbow"] == "filled"
    assert states(view)["r_elbow"] == "pinned missing"
    assert keypoints(new.result)[KNEE, :2].tolist() == [111, 222]
    rows[KNEE][2] = "abc"
    same, view = act(handlers, new, "table", rows=rows)
    assert view.error and "r_knee.y" in view.status and same is new


def download(view) -> tuple[str, bytes]:
    file = payload(view)["download"]
    return file["name"], base64.b64decode(file["base64"])


def test_export_json_is_the_editors_state_and_png_is_controlnets_image(handlers, loaded):
    state, doc = loaded
    state, view = act(handlers, state, "move", joint=KNEE, x=240.0, y=420.0)
    state_json = payload(view)["doc"]
    _, view = act(handlers, state, "export", kind="json")
    name, data = download(view)
    out = json.loads(data)
    assert name == "posefill.json" and out == state_json  # data-state is the export
    k = keypoints(out)
    assert k[KNEE].tolist() == [240, 420, 1.0] and set(k[:, 2]) <= {0.0, 1.0}
    assert sorted(out["people"][0]["posefill"]["filled"]) == [10, 12, 13]
    given = keypoints(doc)[:, 2] > 0
    assert np.allclose(k[given, :2], keypoints(doc)[given, :2])
    _, view = act(handlers, state, "export", kind="png")
    name, data = download(view)
    png = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)[..., ::-1]
    assert name == "posefill.png" and png.shape == (512, 512, 3)
    assert tuple(png[420, 240]) == COLORS[KNEE]


def test_export_fit_brings_every_joint_onto_the_canvas(handlers):
    doc = legs_cut(height=300, below=True)
    state, _ = handlers.upload(TabState(), json.dumps(doc).encode(), "auto", OPTS)
    keep = keypoints(json.loads(download(act(handlers, state, "export", kind="json")[1])[1]))
    _, view = act(handlers, state, "export", kind="json", options={**OPTS, "framing": "fit"})
    assert "fit" in view.status
    fit = keypoints(json.loads(download(view)[1]))
    assert keep[:, 1].max() > 300
    assert fit[:, 1].max() <= 300 and fit[fit[:, 2] > 0, 0].min() >= 0


def test_export_before_loading_says_so(handlers):
    _, view = act(handlers, TabState(), "export", kind="json")
    assert view.error and "load a pose first" in view.status and "download" not in payload(view)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("", "action: expected an editor action"),
        ("{not json", "action: invalid JSON"),
        ('{"op": "fly"}', "action.op: expected one of"),
        ('{"op": "move", "joint": 3, "x": "a", "y": 1}', "action.x: expected a finite number"),
        ('{"op": "move", "joint": 30, "x": 1, "y": 1}', "action.joint: expected 0..17"),
        ('{"op": "delete"}', "action.joint: 'delete' needs a joint"),
        ('{"op": "export", "kind": "gif"}', "action.kind: expected one of json, png"),
        ('{"op": "table", "rows": 3}', "action.rows: expected a list of [joint, x, y, state] rows"),
        ('{"op": "move", "joint": 3, "x": -5, "y": 1, "id": 9}', "negative coordinates"),
    ],
)
def test_bad_actions_are_one_line_messages(handlers, loaded, action, message):
    state, _ = loaded
    new, view = handlers.edit(state, action, OPTS)
    assert view.error and message in view.status and new is state and "\n" not in view.status
    if action.startswith('{"'):  # the editor hears back about the action it sent, even a bad one
        assert payload(view)["ack"] == json.loads(action).get("id")


def test_bad_option_values_are_messages(handlers, loaded):
    state, _ = loaded
    new, view = act(handlers, state, "refresh", options={**OPTS, "min_visible": None})
    assert view.error and "min_visible" in view.status and new is state


def test_examples_are_listed_and_load(handlers, tmp_path):
    from lib_posefill.ui.blocks import example_files

    (tmp_path / "b_pose.json").write_text(json.dumps(legs_cut()))
    (tmp_path / "a_notes.txt").write_text("not an example")
    image = draw_document(parse_documents(legs_cut(), Options())[0][0])
    (tmp_path / "a_skeleton.png").write_bytes(png_bytes(image))
    files = example_files(tmp_path)
    assert [Path(f).name for f in files] == ["a_skeleton.png", "b_pose.json"]
    for path in files:
        _, view = handlers.load_path(TabState(), path, OPTS)
        assert not view.error, view.status
        assert Path(path).name in view.status and states(view)["r_knee"] == "filled"


def test_huge_image_is_refused_from_its_header(handlers, loaded):
    state, _ = loaded
    header = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (40000).to_bytes(4, "big") * 2 + b"\x08\x02\0\0\0" + b"\0" * 64
    new, view = handlers.upload(state, header, "auto", OPTS)
    assert view.error and "40000x40000 pixels" in view.status and new is state


def test_the_app_command_imports_gradio_only_when_run():
    import subprocess
    import sys

    code = "import sys, lib_posefill.cli, lib_posefill.cli.app; sys.exit('gradio' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


class CountingFiller:
    """The shipped filler, recording how many people each call fills."""

    name = "counting"

    def __init__(self):
        self.calls = []

    def predict(self, xy, present, frame, seeds):
        self.calls.append(len(xy))
        return cached_filler().predict(xy, present, frame, seeds)


def test_an_edit_refills_only_the_person_it_touched():
    rng = np.random.default_rng(9)
    doc = document([body(rng, 60 + 40 * i, 300, 60, missing=(10, 13)) for i in range(50)], 2100, 640)
    filler = CountingFiller()
    handlers = Handlers(filler=filler)
    state, _ = handlers.paste(TabState(), json.dumps(doc), OPTS)
    assert filler.calls == [50]  # a new pose: everyone, in one call
    before = [json.dumps(p) for p in state.result["people"]]
    state, _ = act(handlers, state, "move", person=7, joint=KNEE, x=350.0, y=420.0)
    state, _ = act(handlers, state, "reroll", person=3)
    state, _ = act(handlers, state, "undo")
    state, _ = act(handlers, state, "select", person=5)
    assert filler.calls == [50, 1, 1, 1]  # the moved person, the re-rolled one, the one the undo changed back
    changed = [i for i, p in enumerate(state.result["people"]) if json.dumps(p) != before[i]]
    assert changed == [7]
    state, _ = act(handlers, state, "refresh", options={**OPTS, "scope": "all"})
    assert filler.calls[4:] == [50]  # other options: everyone again, one call per seed


def test_suspicious_refill_marks_a_parked_knee_replaced_apart_from_filled_joints(handlers):
    doc = document([body(np.random.default_rng(5), 256, 300, 90, missing=(JOINT_INDEX["l_wrist"],))], 512, 640)
    k = keypoints(doc)
    k[KNEE, :2] = k[JOINT_INDEX["l_knee"], :2]  # the detector parked the right knee on the left one
    doc["people"][0]["pose_keypoints_2d"] = [float(v) for v in k.ravel()]
    state, view = handlers.upload(TabState(), json.dumps(doc).encode(), "auto", {**OPTS, "suspicious": "refill"})
    assert not view.error, view.status
    assert states(view)["r_knee"] == "replaced" and states(view)["l_wrist"] == "filled"
    assert payload(view)["people"][0]["states"][KNEE] == "replaced" and "replaced r_knee" in view.status
    assert not np.allclose(keypoints(state.result)[KNEE, :2], k[KNEE, :2])
    _, keep = act(handlers, state, "refresh", options={**OPTS, "suspicious": "keep"})
    assert states(keep)["r_knee"] == "given" and "replaced" not in keep.status
