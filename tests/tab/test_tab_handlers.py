"""Every tab action at handler level: upload, decode, fill, place, pin, mark missing, re-roll, undo, export."""

from __future__ import annotations

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
P1 = "Person 1"
KNEE = JOINT_INDEX["r_knee"]


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


def keypoints(doc: dict, person: int = 0) -> np.ndarray:
    return np.asarray(doc["people"][person]["pose_keypoints_2d"]).reshape(18, 3)


@pytest.fixture
def handlers(tmp_path):
    return Handlers(out_dir=str(tmp_path))


@pytest.fixture
def loaded(handlers):
    doc = legs_cut()
    state, view = handlers.upload(TabState(), json.dumps(doc).encode(), "auto", None, True, OPTS)
    assert not view.error, view.status
    return state, doc


def states(view) -> dict[str, str]:
    return {row[0]: row[3] for row in view.rows}


def test_upload_json_fills_and_shows_both_images(handlers):
    doc = legs_cut()
    state, view = handlers.upload(TabState(), json.dumps(doc).encode(), "auto", None, False, OPTS)
    assert not view.error
    assert view.people == [P1] and view.person == P1
    assert view.input_image.shape == view.output_image.shape == (512, 512, 3)
    assert {states(view)[n] for n in ("r_knee", "r_ankle", "l_knee", "l_ankle")} == {"filled"}
    assert states(view)["neck"] == "given"
    assert "r_knee" in view.status
    # The completed image is the core's preview of the completed document: it differs from the input.
    assert (view.output_image != view.input_image).any()
    given = keypoints(doc)
    assert np.allclose(keypoints(state.result)[given[:, 2] > 0, :2], given[given[:, 2] > 0, :2])


def test_upload_accepts_paths_and_file_objects(handlers, tmp_path):
    path = tmp_path / "pose.json"
    path.write_text(json.dumps(legs_cut()))
    _, by_path = handlers.upload(TabState(), str(path), "auto", None, True, OPTS)

    class Upload:  # gradio 3's tempfile wrapper
        name = str(path)

    _, by_object = handlers.upload(TabState(), Upload(), "auto", None, True, OPTS)
    assert not by_path.error and not by_object.error
    assert by_path.rows == by_object.rows


def test_paste_json_any_flavour(handlers):
    doc = legs_cut()
    normalised = {
        **doc,
        "people": [
            {"pose_keypoints_2d": (keypoints(doc) / [512, 512, 1]).ravel().tolist()},
        ],
    }
    _, view = handlers.paste(TabState(), json.dumps([normalised, normalised]), None, True, OPTS)
    assert not view.error
    assert "first of 2 documents" in view.status
    assert states(view)["r_knee"] == "filled"


def test_skeleton_image_upload_is_decoded(handlers):
    rng = np.random.default_rng(3)
    doc = document([body(rng, 200, 300, 90, missing=(10, 13)), body(rng, 560, 300, 90)], 768, 640)
    image = draw_document(parse_documents(doc, Options())[0][0])
    state, view = handlers.upload(TabState(), png_bytes(image), "auto", None, True, OPTS)
    assert not view.error, view.status
    assert view.people == [P1, "Person 2"]
    assert "skeleton image" in view.status
    assert states(view)["r_ankle"] == "filled"
    _, second = handlers.refresh(state, "Person 2", True, OPTS)
    assert set(states(second).values()) == {"given"}


def test_photo_needs_controlnet_outside_the_webui(handlers, loaded):
    state, _ = loaded
    photo = np.random.default_rng(0).integers(0, 255, (200, 300, 3), dtype=np.uint8)
    new, view = handlers.upload(state, png_bytes(photo, ".jpg"), "auto", P1, True, OPTS)
    assert view.error and "needs ControlNet" in view.status
    assert new is state  # the previous pose stays


def test_photo_goes_to_the_detector_hook(tmp_path):
    seen = []

    def detector(image):
        seen.append(image.shape)
        return legs_cut(width=image.shape[1], height=image.shape[0])

    photo = np.random.default_rng(0).integers(0, 255, (512, 512, 3), dtype=np.uint8)
    _, view = Handlers(detector=detector).upload(TabState(), png_bytes(photo), "photo", None, True, OPTS)
    assert seen == [(512, 512, 3)]
    assert not view.error and states(view)["r_knee"] == "filled"


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
    new, view = handlers.upload(state, data, "auto", P1, True, OPTS)
    assert view.error and message in view.status
    assert "Traceback" not in view.status
    assert new is state
    assert states(view)["r_knee"] == "filled"  # the previous pose is still on screen


def test_huge_upload_is_refused(handlers, loaded):
    state, _ = loaded
    new, view = handlers.upload(state, b" " * (2 * 2**20), "auto", P1, True, {**OPTS, "max_file_mb": 1})
    assert view.error and "over the 1 MB limit" in view.status and new is state


def test_image_that_is_not_a_pose(handlers):
    blank = np.zeros((64, 64, 3), np.uint8)
    _, view = handlers.upload(TabState(), png_bytes(blank), "skeleton", None, True, OPTS)
    assert view.error and "no OpenPose skeleton" in view.status


def test_zero_people_is_a_message(handlers):
    state, view = handlers.paste(TabState(), '{"people": [], "canvas_width": 64, "canvas_height": 48}', None, 1, OPTS)
    assert not view.error
    assert "no people" in view.status
    assert view.output_image.shape == (48, 64, 3) and view.rows == []


def test_options_change_the_fill(handlers, loaded):
    state, _ = loaded
    _, view = handlers.refresh(state, P1, True, {**OPTS, "min_visible": 18})
    assert "skipped" in view.status.lower()
    assert set(states(view).values()) <= {"given", "missing"}


def test_click_places_the_joint_accounting_for_the_extended_view(handlers, loaded):
    state, _ = loaded
    _, view = handlers.refresh(state, P1, True, OPTS)
    state.offset = (30, 12)  # as if the view had been extended left and up
    new, view = handlers.click(state, P1, "r_knee", [230, 400], True, OPTS)
    assert states(view)["r_knee"] == "pinned"
    assert keypoints(new.result)[KNEE].tolist() == [200.0, 388.0, 1.0]


def test_filled_joint_outside_the_canvas_extends_the_view(handlers):
    doc = legs_cut(height=300, below=True)  # ankles fall below the canvas
    state, view = handlers.upload(TabState(), json.dumps(doc).encode(), "auto", None, True, OPTS)
    ankle = keypoints(state.result)[JOINT_INDEX["r_ankle"]]
    assert ankle[1] > 300
    assert view.output_image.shape[0] > 300 and view.input_image.shape == view.output_image.shape
    left, top = state.offset
    x, y = int(ankle[0] + left), int(ankle[1] + top)
    assert tuple(view.output_image[y, x]) == COLORS[JOINT_INDEX["r_ankle"]]  # drawn, not cut off
    _, flat = handlers.refresh(state, P1, False, OPTS)
    assert flat.output_image.shape == (300, 512, 3)


def test_pin_keeps_a_filled_joint_through_rerolls(loaded, tmp_path):
    handlers = Handlers(filler=SeededFiller(), out_dir=str(tmp_path))
    state, _ = loaded
    state, _ = handlers.refresh(state, P1, True, OPTS)
    knee = keypoints(state.result)[KNEE].copy()
    state, view = handlers.pin(state, P1, "r_knee", True, OPTS)
    assert states(view)["r_knee"] == "pinned"
    ankle = keypoints(state.result)[JOINT_INDEX["r_ankle"]].copy()
    state, view = handlers.reroll(state, P1, True, OPTS)
    assert "version 2" in view.status
    assert np.allclose(keypoints(state.result)[KNEE], knee)  # pinned: kept
    assert not np.allclose(keypoints(state.result)[JOINT_INDEX["r_ankle"]], ankle)  # filled: re-rolled


def test_mark_missing_refills_a_given_joint(handlers, loaded):
    state, doc = loaded
    moved = json.loads(json.dumps(doc))
    k = keypoints(moved)
    k[JOINT_INDEX["r_elbow"], :2] = [5, 5]  # a wrong detection
    moved["people"][0]["pose_keypoints_2d"] = k.ravel().tolist()
    state, _ = handlers.paste(TabState(), json.dumps(moved), None, True, OPTS)
    state, view = handlers.mark_missing(state, P1, "r_elbow", True, OPTS)
    assert states(view)["r_elbow"] == "filled"
    elbow = keypoints(state.result)[JOINT_INDEX["r_elbow"], :2]
    assert np.hypot(*(elbow - [5, 5])) > 50
    state, view = handlers.restore(state, P1, "r_elbow", True, OPTS)
    assert states(view)["r_elbow"] == "given"
    assert keypoints(state.result)[JOINT_INDEX["r_elbow"], :2].tolist() == [5, 5]


def test_mark_missing_outside_the_scope_stays_missing(handlers, loaded):
    state, _ = loaded
    _, view = handlers.mark_missing(state, P1, "nose", True, OPTS)
    assert states(view)["nose"] == "missing"
    _, view = handlers.mark_missing(state, P1, "nose", True, {**OPTS, "scope": "all"})
    assert states(view)["nose"] == "filled"


def test_table_edits(handlers, loaded):
    state, _ = loaded
    _, view = handlers.refresh(state, P1, True, OPTS)
    rows = [list(r) for r in view.rows]
    rows[KNEE][1:3] = [111, 222]  # move: becomes pinned
    rows[JOINT_INDEX["l_elbow"]][3] = "missing"
    new, view = handlers.table(state, P1, rows, True, OPTS)
    assert not view.error, view.status
    assert states(view)["r_knee"] == "pinned" and states(view)["l_elbow"] == "filled"
    assert keypoints(new.result)[KNEE, :2].tolist() == [111, 222]
    rows[KNEE][2] = "abc"
    same, view = handlers.table(new, P1, rows, True, OPTS)
    assert view.error and "r_knee.y" in view.status and same is new


def test_table_accepts_a_dataframe(handlers, loaded):
    pd = pytest.importorskip("pandas")
    state, _ = loaded
    _, view = handlers.refresh(state, P1, True, OPTS)
    frame = pd.DataFrame(view.rows, columns=["joint", "x", "y", "state"])
    frame.loc[KNEE, "state"] = "pinned"
    _, view = handlers.table(state, P1, frame, True, OPTS)
    assert states(view)["r_knee"] == "pinned"


def test_undo_walks_back(handlers, loaded):
    state, _ = loaded
    original = keypoints(state.result).copy()
    state, _ = handlers.click(state, P1, "r_knee", [100, 100], False, OPTS)
    state, _ = handlers.mark_missing(state, P1, "neck", False, OPTS)
    state, view = handlers.undo(state, P1, False, OPTS)
    assert states(view)["neck"] == "given" and states(view)["r_knee"] == "pinned"
    state, view = handlers.undo(state, P1, False, OPTS)
    assert np.allclose(keypoints(state.result), original)
    _, view = handlers.undo(state, P1, False, OPTS)
    assert view.error and "nothing to undo" in view.status


def test_export_writes_the_core_format_and_the_png(handlers, loaded):
    state, doc = loaded
    state, _ = handlers.click(state, P1, "r_knee", [240, 420], False, OPTS)
    json_path, png_path, message = handlers.export(state, OPTS)
    assert json_path and png_path, message
    out = json.loads(Path(json_path).read_text())
    k = keypoints(out)
    assert k[KNEE].tolist() == [240, 420, 1.0]
    assert set(k[:, 2]) == {1.0}
    assert out["canvas_width"] == 512 and out["canvas_height"] == 512
    assert sorted(out["people"][0]["posefill"]["filled"]) == [10, 12, 13]
    png = cv2.imread(png_path)[..., ::-1]
    assert png.shape == (512, 512, 3)
    assert tuple(png[420, 240]) == COLORS[KNEE]  # the knee's disc, in ControlNet's colour
    given = keypoints(doc)[:, 2] > 0
    assert np.allclose(k[given, :2], keypoints(doc)[given, :2])


def test_export_fit_brings_every_joint_onto_the_canvas(handlers):
    doc = legs_cut(height=300, below=True)
    state, _ = handlers.upload(TabState(), json.dumps(doc).encode(), "auto", None, True, OPTS)
    keep_path, _, _ = handlers.export(state, OPTS)
    fit_path, _, message = handlers.export(state, {**OPTS, "framing": "fit"})
    assert "fit" in message
    keep, fit = keypoints(json.loads(Path(keep_path).read_text())), keypoints(json.loads(Path(fit_path).read_text()))
    assert keep[:, 1].max() > 300
    assert fit[:, 1].max() <= 300 and fit[:, 0].min() >= 0


def test_export_before_loading_says_so(handlers):
    assert handlers.export(TabState(), OPTS)[:2] == (None, None)
    assert "load a pose first" in handlers.export(TabState(), OPTS)[2]


def test_bad_option_values_are_messages(handlers, loaded):
    state, _ = loaded
    new, view = handlers.refresh(state, P1, True, {**OPTS, "min_visible": None})
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
        _, view = handlers.load_path(TabState(), path, None, True, OPTS)
        assert not view.error, view.status
        assert Path(path).name in view.status and states(view)["r_knee"] == "filled"


def test_huge_image_is_refused_from_its_header(handlers, loaded):
    state, _ = loaded
    header = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (40000).to_bytes(4, "big") * 2 + b"\x08\x02\0\0\0" + b"\0" * 64
    new, view = handlers.upload(state, header, "auto", P1, True, OPTS)
    assert view.error and "40000x40000 pixels" in view.status and new is state


def test_the_app_command_imports_gradio_only_when_run():
    import subprocess
    import sys

    code = "import sys, lib_posefill.cli, lib_posefill.cli.app; sys.exit('gradio' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_joint_cannot_be_placed_left_of_the_canvas(handlers, loaded):
    """OpenPose JSON reads negative coordinates as missing: the tab refuses such a place and says why."""
    state, _ = loaded
    new, view = handlers.click(state, P1, "r_wrist", [-40, 200], True, OPTS)
    assert view.error and "negative coordinates" in view.status and new is state
    assert states(view)["r_wrist"] == "given"
