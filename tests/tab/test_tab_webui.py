"""The tab inside a WebUI, against stand-ins of its documented interfaces: modules.script_callbacks
(on_ui_tabs) and ControlNet's preprocessor registry (scripts.supported_preprocessor.Preprocessor)."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from tab_poses import legs_cut

from lib_posefill.errors import PoseFillError
from lib_posefill.hosts.detect import controlnet_detector

REPO = Path(__file__).resolve().parents[2]


class FakeDWPose:
    """ControlNet's Preprocessor call shape: (input_image, resolution, ..., **kwargs) with json_pose_callback;
    like DWPose, the JSON canvas is padded to a multiple of 64."""

    def __init__(self):
        self.calls = []

    def __call__(self, input_image, resolution, slider_1=None, slider_2=None, slider_3=None, input_mask=None, **kw):
        self.calls.append((input_image.shape, resolution))
        h, w = input_image.shape[:2]
        doc = legs_cut(width=w, height=h)
        doc["canvas_width"], doc["canvas_height"] = -(-w // 64) * 64, -(-h // 64) * 64
        if kw.get("json_pose_callback"):
            kw["json_pose_callback"](json.dumps(doc))  # ControlNet may hand the JSON over as text
        return np.zeros_like(input_image)


@pytest.fixture
def controlnet(monkeypatch):
    dwpose = FakeDWPose()

    class Preprocessor:
        @classmethod
        def get_preprocessor(cls, name):
            return dwpose if name == "dw_openpose_full" else None

    Preprocessor.add_supported_preprocessor = classmethod(lambda cls, p: None)
    registry = types.ModuleType("scripts.supported_preprocessor")
    registry.Preprocessor = Preprocessor
    for name in ("scripts.supported_preprocessor", "internal_controlnet.external_code"):  # both re-export it
        monkeypatch.setitem(sys.modules, name, registry)
    return dwpose


def test_photo_detection_through_controlnet(controlnet):
    photo = np.full((500, 300, 3), 128, np.uint8)
    doc = controlnet_detector()(photo)
    assert controlnet.calls == [((500, 300, 3), 300)]  # no resize: resolution is the short side
    assert (doc["canvas_width"], doc["canvas_height"]) == (300, 500)  # the real frame, not DWPose's padding
    assert len(doc["people"]) == 1


def test_without_controlnet_the_detector_says_what_is_needed(monkeypatch):
    for name in ("scripts.supported_preprocessor", "internal_controlnet.external_code", "modules_forge.shared"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(PoseFillError, match="needs ControlNet"):
        controlnet_detector()(np.zeros((64, 64, 3), np.uint8))


def test_tab_script_registers_the_tab(monkeypatch, controlnet):
    pytest.importorskip("gradio")
    registered = []
    modules = types.ModuleType("modules")
    callbacks = types.ModuleType("modules.script_callbacks")
    callbacks.on_ui_tabs = registered.append
    callbacks.on_after_component = lambda callback: None
    modules.script_callbacks = callbacks
    monkeypatch.setitem(sys.modules, "modules", modules)
    monkeypatch.setitem(sys.modules, "modules.script_callbacks", callbacks)
    spec = importlib.util.spec_from_file_location("posefill_tab", REPO / "scripts" / "posefill_tab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert len(registered) == 1
    ((tab, title, elem_id),) = registered[0]()
    assert (title, elem_id) == ("PoseFill", "posefill")
    import gradio as gr

    with gr.Blocks() as webui, gr.Tab(title):  # how the WebUI mounts extension tabs
        tab.render()
    ids = {getattr(block, "elem_id", None) for block in webui.blocks.values()}
    assert {"posefill-upload", "posefill-editor-html", "posefill-export-json", "posefill-export-png"} <= ids
    assert "posefill-send" not in ids  # no ControlNet units were created: no Send to ControlNet
