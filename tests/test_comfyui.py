"""The ComfyUI nodes, without ComfyUI: the repository folder imported as a package the way ComfyUI imports
``custom_nodes/<folder>/__init__.py``, the node definitions, and both nodes run on POSE_KEYPOINT lists in
comfyui_controlnet_aux's format (DWPose / OpenPose estimator output)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO, flat

from lib_posefill.options import CORE_FIELDS, Options
from lib_posefill.skeleton import L_ELBOW, L_WRIST, NUM_JOINTS
from posefill_dev.synthetic import body, hand

torch = pytest.importorskip("torch")
W, H = 512, 768


COMFY_NAME = str(REPO).replace(".", "_x_")
"""The module name ComfyUI gives a custom-node folder: its path with dots as ``_x_`` (nodes.load_custom_node), so
a checkout in a dotted folder (mktemp's /tmp/tmp.XXXX) loads too."""


def import_like_comfyui(name: str = COMFY_NAME):
    """ComfyUI's loader: spec from the folder's __init__.py, registered in sys.modules, executed."""
    spec = importlib.util.spec_from_file_location(name, REPO / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def nodes():
    return import_like_comfyui()


def dwpose_frame(xy: np.ndarray, width: int = W, height: int = H, with_hand: bool = True) -> dict:
    """One document as comfyui_controlnet_aux's DWPose node outputs it: pixels, c = 1.0, [0, 0, 0] for a missing
    point, None for a part not detected, canvas_height before canvas_width."""
    seen = ((xy >= 0) & (xy < (width, height))).all(1)
    left = hand(xy[L_WRIST], xy[L_ELBOW]) if with_hand else None
    return {
        "people": [
            {
                "pose_keypoints_2d": flat(xy, seen, c=1.0),
                "face_keypoints_2d": None,
                "hand_left_keypoints_2d": None if left is None else flat(left, np.ones(21, bool), c=1.0),
                "hand_right_keypoints_2d": None,
            }
        ],
        "canvas_height": height,
        "canvas_width": width,
    }


def widgets(node_class, **chosen) -> dict:
    """The widget values ComfyUI would pass: each widget's default, overridden by ``chosen``."""
    required = node_class.INPUT_TYPES()["required"]
    values = {name: spec[1]["default"] for name, spec in required.items() if name != "pose_keypoint"}
    return {**values, **chosen}


def test_the_root_package_registers_the_nodes_without_torch_or_comfyui():
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('posefill_nodes', {str(REPO / '__init__.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); sys.modules['posefill_nodes'] = m; spec.loader.exec_module(m)\n"
        "print(sorted(m.NODE_CLASS_MAPPINGS), 'torch' in sys.modules, 'comfy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["['PoseFill',", "'PoseFillLoadPose',", "'PoseFillSequence']", "False", "False"]


def test_node_definitions(nodes):
    names = {"PoseFill", "PoseFillSequence", "PoseFillLoadPose"}
    assert set(nodes.NODE_CLASS_MAPPINGS) == set(nodes.NODE_DISPLAY_NAME_MAPPINGS) == names
    assert nodes.NODE_DISPLAY_NAME_MAPPINGS["PoseFillSequence"] == "PoseFill sequence"
    assert nodes.NODE_DISPLAY_NAME_MAPPINGS["PoseFillLoadPose"] == "PoseFill load pose"
    for name in ("PoseFill", "PoseFillSequence"):
        cls = nodes.NODE_CLASS_MAPPINGS[name]
        required = cls.INPUT_TYPES()["required"]
        assert required["pose_keypoint"][0] == "POSE_KEYPOINT"
        assert list(required)[1:] == list(CORE_FIELDS)
        assert required["scope"][0] == ["limbs", "all", "outside"] and required["scope"][1]["default"] == "limbs"
        assert required["margin"][0] == "FLOAT" and required["margin"][1]["max"] == 0.45
        assert required["min_visible"][0] == "INT" and required["min_visible"][1]["default"] == Options().min_visible
        assert required["seed"][1]["default"] == -1 and required["seed"][1]["control_after_generate"] is False
        assert cls.RETURN_TYPES == ("POSE_KEYPOINT", "IMAGE")
        assert callable(getattr(cls(), cls.FUNCTION)) and isinstance(cls.CATEGORY, str)
        json.dumps(cls.INPUT_TYPES())  # ComfyUI serves the definitions as JSON


def check_images(images, documents: list[dict]) -> None:
    """ComfyUI's IMAGE: torch float32 B x H x W x 3 in 0..1, one drawn image per document."""
    assert isinstance(images, torch.Tensor) and images.dtype == torch.float32
    assert tuple(images.shape) == (len(documents), documents[0]["canvas_height"], documents[0]["canvas_width"], 3)
    assert float(images.min()) >= 0.0 and float(images.max()) <= 1.0


def check_editor_format(documents: list[dict]) -> None:
    """What pose editors and ControlNet read: 18 body triples, c 0 or 1, pixel coordinates, the canvas size."""
    for doc in documents:
        assert {"canvas_width", "canvas_height", "people"} <= set(doc)
        for person in doc["people"]:
            body_triples = np.asarray(person["pose_keypoints_2d"]).reshape(-1, 3)
            assert body_triples.shape == (NUM_JOINTS, 3) and set(body_triples[:, 2]) <= {0.0, 1.0}


def test_posefill_node_on_dwpose_output(nodes):
    node = nodes.NODE_CLASS_MAPPINGS["PoseFill"]()
    legs_cut = body(256, 40, 1000)
    no_body = dwpose_frame(np.full((NUM_JOINTS, 2), -1.0), with_hand=False)  # DWPose with detect_body disabled
    empty = {"people": [], "canvas_height": H, "canvas_width": W}
    normalised = dwpose_frame(legs_cut, with_hand=False)  # older aux versions wrote [0, 1] coordinates
    normalised["people"][0]["pose_keypoints_2d"] = flat(
        legs_cut / (W, H), ((legs_cut >= 0) & (legs_cut < (W, H))).all(1), 1.0
    )
    smaller = dwpose_frame(legs_cut / 2, width=W // 2, height=H // 2)  # drawn, then scaled to the batch's size
    pose_keypoint = [dwpose_frame(legs_cut), no_body, empty, normalised, smaller]
    out, images = getattr(node, node.FUNCTION)(pose_keypoint, **widgets(type(node)))
    assert len(out) == 5 and out[2] == empty
    first = out[0]["people"][0]
    assert set(first["posefill"]["filled"]) >= {9, 10, 12, 13}
    assert first["hand_left_keypoints_2d"] == pose_keypoint[0]["people"][0]["hand_left_keypoints_2d"]
    assert first["face_keypoints_2d"] is None
    assert out[1]["people"][0]["posefill"]["skipped"]
    assert np.allclose(
        np.reshape(out[3]["people"][0]["pose_keypoints_2d"], (-1, 3))[:, :2],
        np.reshape(first["pose_keypoints_2d"], (-1, 3))[:, :2],
        atol=1e-3,
    )
    check_images(images, out)
    check_editor_format(out)
    assert images[0].sum() > 0 and images[2].sum() == 0  # a drawn skeleton; an empty frame stays black
    centres = [np.argwhere(im.numpy().sum(-1) > 0).mean(0) for im in (images[0], images[4])]
    assert np.abs(centres[0] - centres[1]).max() < 0.02 * H  # the same pose, drawn at half size and scaled up


def test_widgets_are_the_options(nodes):
    node = nodes.NODE_CLASS_MAPPINGS["PoseFill"]()
    doc = [dwpose_frame(body(256, 40, 1000))]
    best, _ = node.complete(doc, **widgets(type(node)))
    again, _ = node.complete(doc, **widgets(type(node), seed=-1))
    seeded, _ = node.complete(doc, **widgets(type(node), seed=11))
    fitted, _ = node.complete(doc, **widgets(type(node), framing="fit"))
    assert best == again
    assert seeded[0]["people"][0]["pose_keypoints_2d"] != best[0]["people"][0]["pose_keypoints_2d"]
    ys = np.reshape(fitted[0]["people"][0]["pose_keypoints_2d"], (-1, 3))[:, 1]
    assert ys.max() <= H


def test_posefill_sequence_node_on_16_frames(nodes):
    node = nodes.NODE_CLASS_MAPPINGS["PoseFillSequence"]()
    rng = np.random.default_rng(0)
    frames = [dwpose_frame(body(150 + 8 * t, 40, 1000) + rng.normal(0, 1.5, (NUM_JOINTS, 2))) for t in range(16)]
    out, images = getattr(node, node.FUNCTION)(frames, **widgets(type(node)))
    assert len(out) == 16 and {d["people"][0]["posefill"]["track"] for d in out} == {0}
    check_images(images, out)
    check_editor_format(out)
    assert all(float(im.sum()) > 0 for im in images)


def test_bad_input_is_one_clear_error(nodes):
    node = nodes.NODE_CLASS_MAPPINGS["PoseFill"]()
    with pytest.raises(Exception, match=r"pose_keypoint: expected at least one pose document"):
        node.complete([], **widgets(type(node)))
    with pytest.raises(Exception, match=r"\[0\]\.people\[0\]\.pose_keypoints_2d: expected a multiple of 3"):
        node.complete(
            [{"people": [{"pose_keypoints_2d": [1, 2]}], "canvas_width": W, "canvas_height": H}], **widgets(type(node))
        )
    # Random fuzzing found it: a value JSON cannot hold in a key PoseFill carries over went out as Infinity.
    with pytest.raises(Exception, match=r"^\[0\]\.animals: expected a finite number, got inf"):
        node.complete([{"people": [], "canvas_width": W, "canvas_height": H, "animals": np.inf}], **widgets(type(node)))


def test_example_workflow_wires_dwpose_to_posefill_to_apply_controlnet(nodes):
    workflow = json.loads((REPO / "example_workflows" / "posefill_controlnet.json").read_text())
    assert workflow["version"] == 0.4 and workflow["last_link_id"] == len(workflow["links"])
    by_id = {n["id"]: n for n in workflow["nodes"]}
    for link, src, src_slot, dst, dst_slot, kind in workflow["links"]:
        output, target = by_id[src]["outputs"][src_slot], by_id[dst]["inputs"][dst_slot]
        assert output["type"] == target["type"] == kind and link in output["links"] and target["link"] == link
    feeds = {(by_id[src]["type"], by_id[dst]["type"], kind) for _, src, _, dst, _, kind in workflow["links"]}
    assert {("DWPreprocessor", "PoseFill", "POSE_KEYPOINT"), ("PoseFill", "ControlNetApplyAdvanced", "IMAGE")} <= feeds

    (node,) = [n for n in workflow["nodes"] if n["type"] == "PoseFill"]
    cls = nodes.NODE_CLASS_MAPPINGS["PoseFill"]
    assert [(o["name"], o["type"]) for o in node["outputs"]] == list(zip(cls.RETURN_NAMES, cls.RETURN_TYPES))
    names = list(cls.INPUT_TYPES()["required"])[1:]
    values = node["widgets_values"]
    assert len(values) == len(names)  # no control widget after the seed
    widget_options = sys.modules[f"{COMFY_NAME}.lib_posefill.comfyui.nodes"].options_from_widgets
    assert widget_options(dict(zip(names, values))).to_dict() == Options().to_dict()


def test_install_script_adds_opencv_where_comfyui_lacks_it(monkeypatch):
    """ComfyUI-Manager runs install.py with ComfyUI's Python (no WebUI ``launch`` module)."""
    import runpy

    calls = []
    monkeypatch.setitem(sys.modules, "launch", None)
    monkeypatch.setitem(sys.modules, "cv2", None)
    monkeypatch.setattr(subprocess, "run", lambda command, check: calls.append(command[-2:]))
    pytest.importorskip("onnxruntime")
    runpy.run_path(str(REPO / "install.py"))
    assert calls == [["install", "opencv-python-headless"]]


def test_numpy_numbers_and_arrays_are_accepted_where_json_has_numbers(nodes):
    """Other custom nodes hand over numpy values (they were refused: 'expected a list of numbers ... got ndarray')."""
    node = nodes.NODE_CLASS_MAPPINGS["PoseFill"]()
    plain = dwpose_frame(body(256, 40, 1000))
    as_numpy = {
        **plain,
        "canvas_width": np.int64(W),
        "canvas_height": np.float32(H),
        "people": [
            {
                **plain["people"][0],
                "pose_keypoints_2d": np.asarray(plain["people"][0]["pose_keypoints_2d"]).reshape(-1, 3),
                "hand_left_keypoints_2d": tuple(np.float64(v) for v in plain["people"][0]["hand_left_keypoints_2d"]),
            }
        ],
    }
    want, _ = node.complete([plain], **widgets(type(node)))
    got, images = node.complete([as_numpy], **widgets(type(node)))
    assert json.dumps(got) == json.dumps(want)  # plain JSON values out, the same fill
    check_images(images, got)
    assert isinstance(as_numpy["people"][0]["pose_keypoints_2d"], np.ndarray)  # the input is not changed
    as_numpy["people"][0]["pose_keypoints_2d"] = as_numpy["people"][0]["pose_keypoints_2d"].astype(np.float32)
    as_numpy["people"][0]["face_keypoints_2d"] = np.zeros(0, np.int32)
    got, _ = node.complete((as_numpy,), **widgets(type(node)))
    assert got[0]["people"][0]["posefill"]["filled"] == want[0]["people"][0]["posefill"]["filled"]


def test_an_image_batch_over_the_limit_is_refused_before_drawing(nodes, monkeypatch):
    """64 documents of 4096 x 4096 asked for 3 GB of uint8 and 12 GB of float32 and died with MemoryError."""
    node = nodes.NODE_CLASS_MAPPINGS["PoseFillSequence"]()
    inputs = sys.modules[type(node).__module__.rsplit(".", 1)[0] + ".inputs"]  # as ComfyUI imported it
    big = [{"people": [], "canvas_width": 4096, "canvas_height": 4096}] * 64
    with pytest.raises(Exception, match=r"^image: the IMAGE batch of 64 x 4096x4096 would take 12,336 MB, over") as e:
        node.complete(big, **widgets(type(node)))
    assert "\n" not in str(e.value) and "MB (" in str(e.value)
    monkeypatch.setattr(inputs, "_available_bytes", lambda: 100 * 2**20)
    with pytest.raises(Exception, match=r"over the limit of 50 MB \(half the memory available now\)"):
        node.complete(big[:2], **widgets(type(node)))
    monkeypatch.setattr(inputs, "_available_bytes", lambda: None)
    _, images = node.complete(big[:2], **widgets(type(node)))
    assert tuple(images.shape) == (2, 4096, 4096, 3)


@pytest.mark.parametrize("name", ["PoseFill", "PoseFillSequence"])
def test_fuzz_node_inputs(nodes, name):
    """The fuzz suite, ComfyUI part: numpy values, missing keys, NaN, strings, empty lists, canvas 0, huge canvases:
    every input gives the completed poses and their images, or one PoseFillError line."""
    from fuzzing import comfy_inputs, settings_for
    from hypothesis import given

    node = nodes.NODE_CLASS_MAPPINGS[name]()
    PoseFillError = sys.modules[type(node).__module__.rsplit(".", 2)[0] + ".errors"].PoseFillError

    @settings_for(60)
    @given(comfy_inputs)
    def check(value):
        try:
            out, images = node.complete(value, **widgets(type(node)))
        except PoseFillError as err:
            assert "\n" not in str(err) and len(str(err)) < 400
            return
        json.dumps(out, allow_nan=False)
        check_images(images, out)

    check()
