"""Send to ControlNet at python level: finding ControlNet's units among the components a WebUI creates (as
sd-webui-controlnet builds them, and as Forge's built-in ControlNet does), and choosing model and preprocessor."""

from __future__ import annotations

import sys
import types

import pytest

from lib_posefill.hosts.send import UnitFinder, installed_models, no_preprocessor, openpose_model

gr = pytest.importorskip("gradio")


def controlnet_unit(finder: UnitFinder, tab: str, n: int, canvas: bool = False, skip: str = "") -> None:
    """A unit's components, each reported to the finder as the WebUI's after_component would."""
    prefix = f"{tab}_controlnet_ControlNet-{n}"
    made = []
    if canvas:  # Forge: an HTML block with the id, then its foreground and background textboxes
        made += [gr.HTML("", elem_id=f"{prefix}_input_image")]
        made += [gr.Textbox(elem_id="uuid_1", elem_classes=["logical_image_foreground"])]
        made += [gr.Textbox(elem_id="uuid_1", elem_classes=["logical_image_background"])]
    else:
        made += [gr.Image(elem_id=f"{prefix}_input_image")]
    for part in ("enable_checkbox", "same_img2img_checkbox"):
        if part != skip and (tab == "img2img" or part != "same_img2img_checkbox"):
            made.append(gr.Checkbox(elem_id=f"{prefix}_controlnet_{part}"))
    for part in ("preprocessor_dropdown", "model_dropdown"):
        if part != skip:
            made.append(gr.Dropdown(["None", "none"], elem_id=f"{prefix}_controlnet_{part}"))
    for component in made:
        finder.after_component(component)


def test_units_of_sd_webui_controlnet_and_forge():
    finder = UnitFinder()
    controlnet_unit(finder, "img2img", 0)
    controlnet_unit(finder, "txt2img", 1, canvas=True)
    controlnet_unit(finder, "txt2img", 0)
    targets = finder.targets()
    assert [u.label for u in targets] == [
        "txt2img · ControlNet Unit 0",
        "txt2img · ControlNet Unit 1",
        "img2img · ControlNet Unit 0",
    ]
    assert type(targets[0].image).__name__ == "Image"
    assert "logical_image_background" in targets[1].image.elem_classes  # Forge: the canvas's background
    assert targets[2].independent is not None and len(targets[2].settings()) == 4


@pytest.mark.parametrize("missing", ["model_dropdown", "enable_checkbox", "same_img2img_checkbox"])
def test_an_incomplete_unit_is_not_offered(missing):
    finder = UnitFinder()
    controlnet_unit(finder, "img2img", 0, skip=missing)
    assert finder.targets() == []


def test_only_the_first_component_of_an_id_counts():
    """gradio 4 builds a throwaway copy of a component for each update, and Forge reports it too."""
    finder = UnitFinder()
    controlnet_unit(finder, "txt2img", 0)
    first = finder.targets()[0].model
    finder.after_component(gr.Dropdown(["x"], elem_id="txt2img_controlnet_ControlNet-0_controlnet_model_dropdown"))
    finder.after_component(gr.Textbox(elem_id="other"))
    assert finder.targets()[0].model is first


def test_model_and_preprocessor_choice(monkeypatch):
    names = ["None", "control_v11p_sd15_canny [d14c016b]", "control_v11p_sd15_openpose [cab727d4]"]
    assert openpose_model(names) == names[2]
    assert openpose_model(names, current="t2i_openpose_xl") == "t2i_openpose_xl"
    assert openpose_model(names[:2]) is None
    dropdown = gr.Dropdown(["a", "b"])
    assert installed_models(dropdown) == ["a", "b"]  # no ControlNet loaded: the dropdown's own choices
    monkeypatch.setitem(sys.modules, "lib_controlnet.global_state", types.SimpleNamespace(controlnet_names=names))
    assert installed_models(dropdown) == names  # Forge's list, read when sending
    assert no_preprocessor(gr.Dropdown(["None", "canny"])) == "None"
    assert no_preprocessor(gr.Dropdown(["openpose", "none"])) == "none"
