"""The PoseFill checkbox in ControlNet units: placement by element id, switching, syncing, fallback."""

from __future__ import annotations

import pytest

gr = pytest.importorskip("gradio")

from modules import script_callbacks  # noqa: E402

from lib_posefill.hosts import variants  # noqa: E402
from lib_posefill.hosts.unit_ui import UnitCheckboxes, checkbox_for_module, module_for_checkbox  # noqa: E402

ALL = {variants.variant_name(n, refill) for n in variants.ORIGINALS for refill in (False, True)}


@pytest.mark.parametrize(
    ("ticked", "module", "expected"),
    [
        (True, "dw_openpose_full", "dw_openpose_full_posefill"),
        (True, "openpose_face", "openpose_face_posefill"),
        (False, "dw_openpose_full_posefill", "dw_openpose_full"),
        (True, "dw_openpose_full_posefill", None),
        (False, "dw_openpose_full_posefill_refill", "dw_openpose_full"),  # unticking a refill variant: the original
        (True, "dw_openpose_full_posefill_refill", None),  # ticked already: stays refill
        (False, "dw_openpose_full", None),
        (True, "canny", None),
        (True, "animal_openpose", None),
        (True, "openpose_faceonly", None),
        (True, None, None),
    ],
)
def test_checkbox_switches_between_original_and_variant(ticked, module, expected):
    assert module_for_checkbox(ticked, module, ALL) == expected


def test_checkbox_switches_only_to_registered_variants():
    assert module_for_checkbox(True, "openpose", {"dw_openpose_full_posefill"}) is None


@pytest.mark.parametrize(
    ("module", "ticked", "expected"),
    [
        ("openpose_full_posefill", False, (None, True)),  # picked a variant (or pasted an infotext naming one)
        ("openpose_full_posefill", True, (None, None)),
        ("openpose_full_posefill_refill", False, (None, True)),  # a refill variant ticks the box too
        ("openpose_full", True, ("openpose_full_posefill", None)),  # box ticked first, then the preprocessor
        ("openpose_full", False, (None, None)),
        ("canny", True, (None, False)),  # an infotext that sets canny: the box followed it not (A1111 1.10.1)
        ("none", True, (None, False)),  # Send to ControlNet sets none
        ("None", True, (None, False)),  # Forge's none
        ("canny", False, (None, None)),
    ],
)
def test_dropdown_change_keeps_checkbox_and_module_in_step(module, ticked, expected):
    assert checkbox_for_module(module, ticked, ALL) == expected


def build_unit(units, tab="txt2img", unit="ControlNet-0", extra_ids=()):
    """Create components the way ControlNet does, firing on_after_component like the WebUI's patched gradio."""
    prefix = f"{tab}_controlnet_{unit}_controlnet"
    with gr.Blocks() as demo, gr.Row():
        made = {}
        for elem_id, make in [
            (f"{prefix}_enable_checkbox", lambda i: gr.Checkbox(label="Enable", elem_id=i)),
            (f"{prefix}_pixel_perfect_checkbox", lambda i: gr.Checkbox(label="Pixel Perfect", elem_id=i)),
            *extra_ids,
            (
                f"{prefix}_preprocessor_dropdown",
                lambda i: gr.Dropdown(
                    ["none", "dw_openpose_full", "dw_openpose_full_posefill"], value="none", elem_id=i
                ),
            ),
        ]:
            made[elem_id] = make(elem_id)
            script_callbacks.after_component_callback(made[elem_id], elem_id=elem_id)
    return demo, made


def functions(demo):
    fns = demo.fns.values() if isinstance(demo.fns, dict) else demo.fns
    return [(list(f.inputs), list(f.outputs)) for f in fns]


@pytest.mark.parametrize(
    ("tab", "unit"), [("txt2img", "ControlNet-0"), ("img2img", "ControlNet-2"), ("txt2img", "ControlNet")]
)
def test_checkbox_is_added_to_each_unit_and_wired_to_its_dropdown(webui_state, tab, unit):
    units = UnitCheckboxes(ALL, default=lambda: True)
    script_callbacks.on_after_component(units.after_component)
    demo, made = build_unit(units, tab, unit)
    key = f"{tab}_controlnet_{unit}"
    checkbox = units.wired[key]
    assert checkbox.elem_id == f"{key}_posefill_checkbox" and checkbox.label == "PoseFill"
    assert checkbox.visible and checkbox.value is True
    assert checkbox.do_not_save_to_config is True  # ui-config.json must not override the setting at start
    dropdown = made[f"{key}_controlnet_preprocessor_dropdown"]
    wiring = functions(demo)
    assert ([checkbox, dropdown], [dropdown]) in wiring
    assert ([dropdown, checkbox], [dropdown, checkbox]) in wiring


def test_checkbox_stays_hidden_without_the_dropdown_id(webui_state):
    units = UnitCheckboxes(ALL)
    script_callbacks.on_after_component(units.after_component)
    prefix = "txt2img_controlnet_ControlNet-0_controlnet"
    with gr.Blocks():
        pp = gr.Checkbox(elem_id=f"{prefix}_pixel_perfect_checkbox")
        script_callbacks.after_component_callback(pp, elem_id=pp.elem_id)
        other = gr.Dropdown(["none"], elem_id=f"{prefix}_renamed_dropdown")
        script_callbacks.after_component_callback(other, elem_id=other.elem_id)
    assert not units.wired
    (checkbox,) = units.pending.values()
    assert checkbox.visible is False


def test_unrelated_components_are_ignored(webui_state):
    units = UnitCheckboxes(ALL)
    with gr.Blocks():
        for elem_id in ("txt2img_prompt", "txt2img_controlnet_ControlNet-0_controlnet_enable_checkbox", None):
            units.after_component(gr.Textbox(elem_id=elem_id), elem_id=elem_id)
    assert not units.pending and not units.wired


def test_components_rebuilt_for_an_event_are_ignored(webui_state):
    """gradio 4 re-creates every component an event updates (render=False, outside any Blocks) and Forge passes
    them to after_component: an infotext paste must neither wire anything again nor raise."""
    units = UnitCheckboxes(ALL)
    script_callbacks.on_after_component(units.after_component)
    demo, made = build_unit(units)
    key = "txt2img_controlnet_ControlNet-0"
    checkbox, wiring = units.wired[key], functions(demo)
    for _ in range(3):  # three pastes, each rebuilding Pixel Perfect and the preprocessor dropdown
        for elem_id, make in (
            (f"{key}_controlnet_pixel_perfect_checkbox", gr.Checkbox),
            (f"{key}_controlnet_preprocessor_dropdown", lambda **kw: gr.Dropdown(["none"], **kw)),
        ):
            rebuilt = make(elem_id=elem_id, render=False)
            script_callbacks.after_component_callback(rebuilt, elem_id=elem_id, render=False)
    assert script_callbacks.errors == []
    assert units.wired == {key: checkbox} and not units.pending
    assert functions(demo) == wiring


def test_a_second_ui_build_wires_its_own_units(webui_state):
    """AUTOMATIC1111's Reload UI builds every component again inside a new Blocks: those are wired too."""
    units = UnitCheckboxes(ALL)
    script_callbacks.on_after_component(units.after_component)
    build_unit(units)
    first = units.wired["txt2img_controlnet_ControlNet-0"]
    demo, _ = build_unit(units)
    second = units.wired["txt2img_controlnet_ControlNet-0"]
    assert second is not first and script_callbacks.errors == []
    assert any(second in inputs for inputs, _ in functions(demo))
