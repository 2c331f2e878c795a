"""The *PoseFill load pose* node, without ComfyUI: OpenPose JSON from a file, a folder of frames or pasted text ->
POSE_KEYPOINT and the ControlNet drawing, read within the limits of every other input; and the shipped template
that runs with it end to end (no pose estimator, no model weights)."""

from __future__ import annotations

import json
import os
import sys
import types

import numpy as np
import pytest
from conftest import REPO, person_doc

from lib_posefill.api import complete_document
from lib_posefill.comfyui import NODE_CLASS_MAPPINGS
from lib_posefill.comfyui.load import PoseFillLoadPose, read_path
from lib_posefill.errors import PoseFillError
from lib_posefill.options import Options

torch = pytest.importorskip("torch")
POSES = REPO / "poses"
KNEES_AND_ANKLES = {9, 10, 12, 13}


def load(path: str = "", canvas: str = "", pose_json: str = ""):
    return PoseFillLoadPose().load(path=path, canvas=canvas, pose_json=pose_json)


def frame(x: float) -> dict:
    return {"people": [{"pose_keypoints_2d": [x, 100.0, 1.0] * 18}], "canvas_width": 512, "canvas_height": 768}


def test_definition_is_json_and_registered():
    spec = PoseFillLoadPose.INPUT_TYPES()
    assert list(spec["required"]) == ["path", "canvas", "pose_json"]
    assert all(s[0] == "STRING" and s[1]["default"] == "" for s in spec["required"].values())
    assert spec["required"]["pose_json"][1]["multiline"] is True
    assert PoseFillLoadPose.RETURN_TYPES == ("POSE_KEYPOINT", "IMAGE")
    assert NODE_CLASS_MAPPINGS["PoseFillLoadPose"] is PoseFillLoadPose
    json.dumps(spec)


def test_a_file_loads_as_read_with_its_drawing():
    documents, images = load(str(POSES / "legs_cut.json"))
    assert documents == [json.loads((POSES / "legs_cut.json").read_text())]
    assert tuple(images.shape) == (1, 768, 512, 3) and images.dtype == torch.float32
    assert 0 < float(images.max()) <= 1.0


def test_pasted_text_one_document_or_a_list():
    text = (POSES / "two_people.json").read_text()
    documents, images = load(pose_json=text)
    assert documents == [json.loads(text)] and images.shape[0] == 1
    documents, images = load(pose_json=json.dumps([frame(10), frame(20)]))
    assert documents == [frame(10), frame(20)] and images.shape[0] == 2


def test_a_folder_is_the_frames_in_natural_order(tmp_path):
    for i in (10, 2, 1):
        (tmp_path / f"frame_{i}.json").write_text(json.dumps(frame(float(i))))
    (tmp_path / "notes.txt").write_text("not a frame")
    documents, images = load(str(tmp_path))
    assert [d["people"][0]["pose_keypoints_2d"][0] for d in documents] == [1.0, 2.0, 10.0]
    assert images.shape[0] == 3


def test_a_relative_path_starts_in_comfyuis_input_folder(tmp_path, monkeypatch):
    (tmp_path / "poses").mkdir()
    (tmp_path / "poses" / "mine.json").write_text(json.dumps(frame(5)))
    stub = types.SimpleNamespace(get_input_directory=lambda: str(tmp_path))
    monkeypatch.setitem(sys.modules, "folder_paths", stub)
    assert load("poses/mine.json")[0] == [frame(5)]


def test_canvas_is_given_to_bare_openpose_only():
    with pytest.raises(PoseFillError, match=r"^path: \[0\]: no canvas_width/canvas_height"):
        load(str(POSES / "body25_bare.json"))
    documents, images = load(str(POSES / "body25_bare.json"), canvas="640x480")
    assert (documents[0]["canvas_width"], documents[0]["canvas_height"]) == (640, 480)
    assert tuple(images.shape) == (1, 480, 640, 3)
    documents, _ = load(str(POSES / "legs_cut.json"), canvas="640x480")  # a document's own size wins
    assert (documents[0]["canvas_width"], documents[0]["canvas_height"]) == (512, 768)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"^path: expected a pose \.json file or folder \(path\) or JSON text \(pose_json\)$"),
        ({"path": "a.json", "pose_json": "{}"}, r"^path: give a file or folder \(path\) or JSON text"),
        ({"path": str(REPO / "README.md")}, r"^path: README\.md: expected a \.json file or a folder of them$"),
        ({"path": "/no/such/pose.json"}, r"^path: pose\.json: cannot read \(No such file or directory\)$"),
        ({"path": str(REPO / "lib_posefill")}, r"^path: no \*\.json files directly inside this folder$"),
        ({"pose_json": '{"people": ['}, r"^pose_json: invalid JSON at line 1 column 13"),
        ({"pose_json": "[]"}, r"^pose_json: expected at least one pose document"),
        ({"pose_json": '{"people": 3}'}, r"^pose_json: \[0\]\.people: expected a list, got int$"),
        ({"pose_json": '{"people": [], "canvas_width": 512, "canvas_height": 768}', "canvas": "big"}, r"^canvas: "),
        ({"pose_json": json.dumps({"people": [{}] * 10_001})}, r"^pose_json: 10001 people, over the limit of 10000"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(kwargs, message):
    with pytest.raises(PoseFillError, match=message) as err:
        load(**kwargs)
    assert "\n" not in str(err.value)


def test_a_folder_is_bounded_as_a_whole_and_never_waits_on_a_pipe(tmp_path):
    for i in range(3):
        (tmp_path / f"frame_{i}.json").write_text(json.dumps(frame(float(i))) + " " * 400)
    assert len(read_path(tmp_path, Options())) == 3
    with pytest.raises(PoseFillError, match=r"together are over the 0\.001 MB limit \(max_file_mb\)"):
        read_path(tmp_path, Options(max_file_mb=0.001))  # 1,048 bytes: two files fit, three do not
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "frame_3.json")
        with pytest.raises(PoseFillError, match=r"^path: frame_3\.json: not a regular file \(a FIFO"):
            load(str(tmp_path))


def test_a_folder_of_tiny_objects_is_bounded_by_the_memory_it_would_take(tmp_path):
    """Each file alone is within 8 x the limit once decoded (as one file must be), all of them together are not."""
    text = "[" + ",".join(["{}"] * 170) + "]"  # 511 bytes; decoded_size counts 41,351
    for i in range(3):
        (tmp_path / f"part_{i}.json").write_text(text)
    options = Options(max_file_mb=0.01)  # 10,485 bytes; 8 x that is 83,886 bytes of memory
    with pytest.raises(PoseFillError, match=r"would take over 8 x the 0\.01 MB limit \(max_file_mb\) of memory"):
        read_path(tmp_path, options)
    (tmp_path / "part_2.json").unlink()
    assert len(read_path(tmp_path, options)) == 340


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.json"
    big.write_text(json.dumps(frame(1.0)) + " " * 2000)
    with pytest.raises(PoseFillError, match=r"^big\.json: file is 0\.0 MB, over the 0\.001 MB limit"):
        read_path(big, Options(max_file_mb=0.001))


def test_a_changed_file_makes_comfyui_run_the_node_again(tmp_path):
    path = tmp_path / "pose.json"
    path.write_text(json.dumps(frame(1.0)))
    before = PoseFillLoadPose.IS_CHANGED(path=str(path), canvas="", pose_json="")
    path.write_text(json.dumps(frame(123.0)))
    os.utime(path, ns=(1, 1))
    assert PoseFillLoadPose.IS_CHANGED(path=str(path), canvas="", pose_json="") != before
    assert PoseFillLoadPose.IS_CHANGED(path="", canvas="", pose_json="{}") == ""


def test_a_completed_pose_from_the_tab_or_cli_loads_for_controlnet(tmp_path):
    completed = complete_document(person_doc(), {"framing": "fit"})  # as `posefill complete --framing fit` writes
    (tmp_path / "completed.json").write_text(json.dumps(completed))
    documents, images = load(str(tmp_path / "completed.json"))
    assert documents == [completed]
    drawn = images[0].numpy().max(-1) > 0.15
    lowest = max(y for y in np.reshape(completed["people"][0]["pose_keypoints_2d"], (-1, 3))[:, 1])
    assert lowest > 700 and drawn[int(lowest) - 6 : int(lowest) + 6].any()  # the filled feet, inside the canvas


def test_the_load_pose_template_runs_end_to_end():
    """example_workflows/posefill_load_pose.json, run as ComfyUI would: its widget values into the nodes, the
    loaded pose into PoseFill. The legs below the picture come out filled and drawn."""
    workflow = json.loads((REPO / "example_workflows" / "posefill_load_pose.json").read_text())
    by_type = {node["type"]: node for node in workflow["nodes"]}
    loader, filler = NODE_CLASS_MAPPINGS["PoseFillLoadPose"], NODE_CLASS_MAPPINGS["PoseFill"]
    inputs = dict(zip(loader.INPUT_TYPES()["required"], by_type["PoseFillLoadPose"]["widgets_values"]))
    documents, before = getattr(loader(), loader.FUNCTION)(**inputs)
    widgets = list(filler.INPUT_TYPES()["required"])[1:]
    after_docs, after = getattr(filler(), filler.FUNCTION)(
        documents, **dict(zip(widgets, by_type["PoseFill"]["widgets_values"]))
    )
    assert set(after_docs[0]["people"][0]["posefill"]["filled"]) >= KNEES_AND_ANKLES
    assert before.shape == after.shape == (1, 768, 512, 3)
    bottom = int(max(documents[0]["people"][0]["pose_keypoints_2d"][1::3])) + 12  # below the lowest given joint
    assert float(before[0, bottom:].max()) < 0.15 < float(after[0, bottom:].max())
