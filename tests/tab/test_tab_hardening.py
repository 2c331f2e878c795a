"""The tab against the inputs that gave "internal error", cost too much or were refused wrongly (issue 9, classes 6
and 7): every image format is size-checked before decoding, every bad input gets one line naming the field and
keeps the pose on screen, and the work grows linearly with the number of people."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from fuzzing import bmp_rle, gif_header, jpeg_header, png_header, webp_vp8, webp_vp8l, webp_vp8x
from tab_poses import legs_cut

from lib_posefill.ui import uploads
from lib_posefill.ui.handlers import Handlers
from lib_posefill.ui.state import TabState

OPTS = {"scope": "limbs", "min_visible": 3, "framing": "keep", "margin": 0.05}


@pytest.fixture
def handlers():
    return Handlers()


@pytest.fixture
def loaded(handlers):
    state, view = handlers.upload(TabState(), json.dumps(legs_cut()).encode(), "auto", OPTS)
    assert not view.error, view.status
    return state


def export(handlers, state, kind="png", options=OPTS):
    return handlers.edit(state, json.dumps({"op": "export", "kind": kind, "id": 1}), options)[1]


BOMBS = {
    "png": png_header(20000, 20000),
    "jpeg": jpeg_header(12000, 12000),
    "webp-vp8x": webp_vp8x(12000, 12000),
    "webp-vp8l": webp_vp8l(12000, 12000),
    "webp-vp8": webp_vp8(12000, 12000),
    "bmp-rle": bmp_rle(16000, 16000),
    "bmp-top-down": bmp_rle(16000, -16000),
    "gif": gif_header(12000, 12000),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_every_image_format_is_size_checked_before_decoding(handlers, loaded, monkeypatch, name):
    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded before the size was checked")

    monkeypatch.setattr(cv2, "imdecode", no_decoding)
    new, view = handlers.upload(loaded, BOMBS[name], "auto", OPTS)
    assert view.error and "pixels, over the" in view.status, view.status
    assert new is loaded


@pytest.mark.parametrize("name", ["png", "jpeg", "webp", "bmp", "gif"])
def test_an_image_whose_size_cannot_be_read_is_refused(handlers, loaded, monkeypatch, name):
    monkeypatch.setattr(cv2, "imdecode", lambda *a, **k: pytest.fail("decoded without a size"))
    truncated = {"png": BOMBS["png"][:20], "jpeg": b"\xff\xd8\xff\xe0\x00", "webp": b"RIFF\0\0\0\0WEBPVP8Z",
                 "bmp": b"BM\0\0", "gif": b"GIF89a\x01"}[name]  # fmt: skip
    new, view = handlers.upload(loaded, truncated, "auto", OPTS)
    assert view.error and "size" in view.status, view.status
    assert new is loaded


@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp", ".bmp"])
def test_real_images_of_every_format_still_load(handlers, ext):
    from lib_posefill.document import parse_documents
    from lib_posefill.options import Options
    from lib_posefill.render import draw_document

    image = draw_document(parse_documents(legs_cut(), Options())[0][0])
    ok, data = cv2.imencode(ext, image[..., ::-1], [cv2.IMWRITE_WEBP_QUALITY, 101] if ext == ".webp" else [])
    assert ok and uploads.image_size(data.tobytes(), uploads.sniff(data.tobytes())) == (512, 512)
    _, view = handlers.upload(TabState(), data.tobytes(), "skeleton", OPTS)
    assert not view.error, view.status


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[]", "document: an empty list holds no document"),
        ('{"people": [], "canvas_width": 8, "canvas_height": 8, "x": ' + "[" * 600 + "]" * 600 + "}", "x: nested"),
        ('{"people": [], "canvas_width": 0.4, "canvas_height": 8}', "canvas_width: expected a whole number"),
        ('{"people": [], "canvas_width": 1e-300, "canvas_height": 8}', "canvas_width: expected a whole number"),
        ('{"people": [], "canvas_width": 8, "canvas_height": 8, "n": NaN}', "n: expected a finite number"),
        ('{"people": [{"pose_keypoints_2d": [1, 2]}], "canvas_width": 8, "canvas_height": 8}', "multiple of 3"),
        ('{"people": [{}], "canvas_width": 8, "canvas_height": 20000}', "canvas_height: expected a whole number"),
        ('{"version": 1.3, "people": []}', "the canvas field"),
    ],
)
def test_bad_pastes_name_the_field_and_keep_the_pose(handlers, loaded, text, expected):
    new, view = handlers.paste(loaded, text, OPTS)
    assert view.error and expected in view.status, view.status
    assert "internal error" not in view.status and "\n" not in view.status
    assert new is loaded and view.rows  # the previous pose is still on screen (its table, the editor's document)


def test_a_joint_far_outside_loads_and_its_conditioning_image_is_drawn(handlers):
    text = json.dumps({"people": [{"pose_keypoints_2d": [1e10, 1e10, 1] + [10, 10, 1] * 17}], "canvas_width": 64,
                       "canvas_height": 64})  # fmt: skip
    state, view = handlers.paste(TabState(), text, OPTS)
    assert not view.error, view.status
    view = export(handlers, state)
    assert not view.error, view.status


def test_a_canvas_too_large_to_draw_is_a_message_on_export(handlers):
    state, view = handlers.paste(TabState(), '{"people": [], "canvas_width": 4000, "canvas_height": 5000}', OPTS)
    assert not view.error, view.status  # the editor draws it in the page
    view = export(handlers, state)
    assert view.error and "canvas: the image would be 4000x5000 pixels" in view.status, view.status


def test_a_photo_read_as_a_skeleton_is_a_message(handlers, loaded):
    photo = np.full((300, 400, 3), (40, 120, 220), dtype=np.uint8)  # one colour everywhere: no background at all
    ok, data = cv2.imencode(".png", photo)
    new, view = handlers.upload(loaded, data.tobytes(), "skeleton", OPTS)
    assert view.error and "no OpenPose skeleton found" in view.status, view.status
    assert new is loaded


def test_pasted_json_with_a_byte_order_mark_loads(handlers):
    _, view = handlers.paste(TabState(), "\ufeff" + json.dumps(legs_cut()), OPTS)
    assert not view.error, view.status


def test_bare_openpose_loads_with_the_canvas_field(handlers):
    bare = {"version": 1.3, "people": legs_cut()["people"]}
    _, without = handlers.paste(TabState(), json.dumps(bare), OPTS)
    assert without.error and "canvas" in without.status
    state, view = handlers.paste(TabState(), json.dumps(bare), {**OPTS, "canvas": "512x512"})
    assert not view.error, view.status
    assert state.base["canvas_width"] == 512
    _, bad = handlers.paste(TabState(), json.dumps(bare), {**OPTS, "canvas": "big"})
    assert bad.error and bad.status.startswith("⚠ canvas: expected WxH")
    _, empty = handlers.paste(TabState(), json.dumps(legs_cut()), {**OPTS, "canvas": ""})
    assert not empty.error


def test_many_people_give_a_short_status_and_an_edit_touches_one(handlers):
    one = legs_cut()["people"][0]
    doc = {"canvas_width": 2048, "canvas_height": 2048, "people": [one] * 3000}
    state, view = handlers.upload(TabState(), json.dumps(doc).encode(), "auto", OPTS)
    assert not view.error, view.status
    assert len(state.people) == 3000 and len(view.status) < 1000 and "3000 people" in view.status  # bounded
    move = {"op": "move", "person": 2999, "joint": 9, "x": 100, "y": 100, "id": 2}
    new, view = handlers.edit(state, json.dumps(move), OPTS)
    assert not view.error and len(new.history) == 1
    assert sum(a is not b for a, b in zip(new.people, state.people)) == 1  # only the edited person is a new one


def test_an_image_with_too_many_joints_is_refused_and_grouping_stays_bounded(handlers, loaded):
    from lib_posefill.decode import MAX_DISCS
    from lib_posefill.skeleton import COLORS

    rng = np.random.default_rng(0)
    image = np.zeros((1024, 2048, 3), np.uint8)
    for k in range(MAX_DISCS + 100):  # isolated joint discs in every colour: nothing joins them
        centre = (int(12 + (k % 100) * 20.3), int(12 + (k // 100) * 90 + rng.integers(0, 40)))
        cv2.circle(image, centre, 4, COLORS[k % 18][::-1], -1)
    ok, data = cv2.imencode(".png", image)
    new, view = handlers.upload(loaded, data.tobytes(), "skeleton", OPTS)
    assert view.error and f"more than the {MAX_DISCS}" in view.status, view.status
    assert new is loaded


@pytest.mark.parametrize(
    "action, expected",
    [
        ('{"op": "move", "person": 0, "joint": 9, "x": ' + "[" * 100_000 + "]" * 100_000 + ', "y": 1}', "action: over"),
        ('{"op": "move", "person": 0, "joint": 9, "x": ' + "[" * 4_000 + "]" * 4_000 + ', "y": 1}', "nested more than"),
        ('{"op": "move", "person": 0, "joint": 9, "x": 1, "y": 2, "id": ' + "[" * 200 + "]" * 200 + "}", "nested"),
        ('{"op": "move", "person": 0, "joint": 9, "x": 1e999, "y": 2}', "action.x: expected a finite number"),
        ('{"op": "move", "person": 0, "joint": 9, "x": ' + "9" * 5000 + ', "y": 2}', "action: invalid JSON"),
        ('{"op": "move", "person": 0, "joint": 9, "x": NaN, "y": 2}', "action.x: expected a finite number"),
        ('{"op": "move", "person": 0, "joint": 18, "x": 1, "y": 2}', "action.joint: expected 0..17"),
        ('{"op": "move", "person": 0, "joint": "r_knee", "x": 1, "y": 2}', "action.joint: expected an integer"),
        ('{"op": "move", "person": 99, "joint": 9, "x": 1, "y": 2}', "person"),
        ('{"op": "table", "rows": [["elbow_3", 1, 2, "pinned"]]}', "table"),
        ('{"op": "table", "rows": [["r_knee", 1e308, -1e308, "pinned"]]}', "(1e+308, -1e+308) is left of"),
        ('{"op": "table", "rows": [["r_knee", 1e308, 1e308, "pinned"]]}', None),
        ('{"op": "table", "rows": [["r_knee", "x", {}, "pinned"]]}', "table: r_knee.x: expected a number"),
        ('{"op": "table", "rows": {"r_knee": 1}}', "action.rows: expected a list"),
        ('{"op": "move", "person": 0, "joint": 9, "x": "\\ud800", "y": 2}', "action.x: expected valid Unicode"),
    ],
)
def test_bad_editor_actions_get_one_line_and_the_pose_stays(handlers, loaded, action, expected):
    """Editor actions get the JSON limits of every other input (a 100,000-deep array raised RecursionError)."""
    new, view = handlers.edit(loaded, action, OPTS)
    assert "internal error" not in view.status and "\n" not in view.status and len(view.status) < 400
    json.loads(view.payload)
    if expected is None:  # far but finite: the joint is pinned there, and the pose still draws
        assert not view.error, view.status
        assert not export(handlers, new).error
        return
    assert view.error and expected in view.status, view.status
    assert new is loaded and view.rows
