"""A stand-in WebUI with ControlNet units, to drive Send to ControlNet in a browser: ``python webui_standin.py PORT``.

Built from what the real sources do (read, not copied): both WebUIs call every ``on_after_component`` callback
after each component's __init__; extension tabs (``on_ui_tabs``) are built after txt2img and img2img, as their
own Blocks, then rendered into the page's ``#tabs``. A ControlNet unit has the element ids
``{tab}_controlnet_ControlNet-0_…``; its input image is, under gradio 3 (AUTOMATIC1111 + sd-webui-controlnet),
``gr.Image(source="upload", tool="sketch", type="numpy")``, and under gradio 4 (Forge) a canvas: a gr.HTML with
that id followed by two hidden textboxes holding PNG data URLs (classes logical_image_foreground/background).
In img2img, ticking "upload independent control image" empties the unit's image, as ControlNet does. The
installed models are where each ControlNet keeps them (``scripts.global_state.cn_models`` /
``lib_controlnet.global_state.controlnet_names``). Each tab's Generate button reports what a unit built from
these components at generation time would hold (both ControlNets rebuild the unit from them on Generate).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import types
from collections import OrderedDict
from pathlib import Path

import cv2
import gradio as gr
import numpy as np

from lib_posefill.render import encode_png

REPO = Path(__file__).resolve().parents[2]
GRADIO3 = gr.__version__.startswith("3.")
OPENPOSE = "control_v11p_sd15_openpose [cab727d4]"
MODELS = ["None", "control_v11p_sd15_canny [d14c016b]", OPENPOSE]
callbacks: list = []


def install_webui_modules() -> None:
    """``modules.script_callbacks`` for the PoseFill tab script, and ControlNet's model list."""
    modules = types.ModuleType("modules")
    script_callbacks = types.ModuleType("modules.script_callbacks")
    script_callbacks.tabs = []
    script_callbacks.on_after_component = callbacks.append
    script_callbacks.on_ui_tabs = script_callbacks.tabs.append
    modules.script_callbacks = script_callbacks
    sys.modules.update({"modules": modules, "modules.script_callbacks": script_callbacks})
    state = types.ModuleType("global_state")
    if GRADIO3:
        state.cn_models = OrderedDict((name, None) for name in MODELS)
        sys.modules["scripts.global_state"] = state
    else:
        state.controlnet_names = list(MODELS)
        sys.modules["lib_controlnet.global_state"] = state


def report_components() -> None:
    """Every component's __init__ ends by calling the after_component callbacks, as in both WebUIs."""
    base = gr.components.IOComponent if GRADIO3 else gr.components.Component
    original = base.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        for callback in callbacks:
            callback(self, **kwargs)

    base.__init__ = init


def data_url(image: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(encode_png(image)).decode()


def from_data_url(text) -> np.ndarray | None:
    if not isinstance(text, str) or "," not in text:
        return None
    return cv2.imdecode(np.frombuffer(base64.b64decode(text.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)[..., ::-1]


def canvas_layer():
    """A textbox holding a picture as a PNG data URL (a class: gradio 4 re-creates an updated component from
    its class for the session). Like Forge, no .pyi interface file is written for it."""
    import gradio.component_meta

    gradio.component_meta.create_or_modify_pyi = lambda *args, **kwargs: None

    class CanvasLayer(gr.Textbox):
        def preprocess(self, payload):
            return from_data_url(payload)

        def postprocess(self, value):
            return None if value is None else data_url(np.asarray(value)[..., :3])

        def get_block_name(self):
            return "textbox"

    return CanvasLayer


def input_image(prefix: str):
    """The unit's input image component (what Generate reads), as each ControlNet builds it."""
    if GRADIO3:
        return gr.Image(source="upload", tool="sketch", type="numpy", elem_id=f"{prefix}_input_image")
    gr.HTML("<div>canvas</div>", elem_id=f"{prefix}_input_image")
    layer = canvas_layer()
    return [layer(visible=False, elem_classes=[f"logical_image_{kind}"]) for kind in ("foreground", "background")][1]


def unit(tab: str) -> list:
    """Unit 0 inside ControlNet's closed accordion: on a unit tab (sd-webui-controlnet), or in the unit's own
    closed accordion (Forge)."""
    prefix = f"{tab}_controlnet_ControlNet-0"
    with (
        gr.Group(elem_id=f"{tab}_controlnet"),
        gr.Accordion("ControlNet", open=False, elem_id="controlnet"),
        gr.Tabs() if GRADIO3 else gr.Accordion("ControlNet Unit 0", open=False),
    ):
        with gr.Tab("ControlNet Unit 0") if GRADIO3 else gr.Group():
            image = input_image(prefix)
            enabled = gr.Checkbox(label="Enable", elem_id=f"{prefix}_controlnet_enable_checkbox")
            independent = None
            if tab == "img2img":
                independent = gr.Checkbox(
                    label="Upload independent control image", elem_id=f"{prefix}_controlnet_same_img2img_checkbox"
                )
                # ControlNet empties the unit's image when this is ticked
                independent.change(lambda on: None, [independent], [image])
            none = "none" if GRADIO3 else "None"
            module = gr.Dropdown(
                [none, "canny", "dw_openpose_full"],
                value=none,
                label="Preprocessor",
                elem_id=f"{prefix}_controlnet_preprocessor_dropdown",
            )
            model = gr.Dropdown(MODELS, value="None", label="Model", elem_id=f"{prefix}_controlnet_model_dropdown")
        if GRADIO3:
            with gr.Tab("ControlNet Unit 1"):
                gr.Markdown("another unit")
    return [image, enabled, module, model] + ([independent] if independent else [])


def generate(image, enabled, module, model, independent=None) -> str:
    if isinstance(image, dict):  # gr.Image with the sketch tool gives {"image": ..., "mask": ...}
        image = image.get("image")
    shown = None if image is None else np.asarray(image)[..., :3]
    return json.dumps(
        {
            "enabled": enabled,
            "module": module,
            "model": model,
            "independent": independent,
            "image": None if shown is None else {"shape": list(shown.shape), "sum": int(shown.astype(np.int64).sum())},
        }
    )


def tab_blocks(tab: str):
    with gr.Blocks(analytics_enabled=False) as blocks:
        gr.Textbox(label="Prompt", elem_id=f"{tab}_prompt")
        parts = unit(tab)
        result = gr.Textbox(label="unit at generation", elem_id=f"{tab}_result")
        gr.Button("Generate", elem_id=f"{tab}_generate").click(generate, parts, [result])
    return blocks


def main(port: int) -> None:
    install_webui_modules()
    report_components()
    spec = importlib.util.spec_from_file_location("posefill_tab", REPO / "scripts" / "posefill_tab.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    interfaces = [(tab_blocks("txt2img"), "txt2img", "txt2img"), (tab_blocks("img2img"), "img2img", "img2img")]
    for build in sys.modules["modules.script_callbacks"].tabs:
        interfaces += build()
    with gr.Blocks(analytics_enabled=False, title="Stable Diffusion") as demo, gr.Tabs(elem_id="tabs"):
        for blocks, label, ident in interfaces:
            with gr.Tab(label, id=ident, elem_id=f"tab_{ident}"):
                blocks.render()
    demo.queue()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    demo.block_thread()


if __name__ == "__main__":
    main(int(sys.argv[1]))
