"""Send to ControlNet: the tab's button that puts the completed pose into a ControlNet unit of txt2img or img2img.

The units are found as the WebUI creates them (``on_after_component``), by the element ids both ControlNets
give a unit's parts: ``{txt2img|img2img}_controlnet_ControlNet-{n}_`` + ``input_image``,
``controlnet_enable_checkbox``, ``controlnet_preprocessor_dropdown``, ``controlnet_model_dropdown`` and, in
img2img, ``controlnet_same_img2img_checkbox`` ("upload independent control image"). The input image is a
gr.Image in sd-webui-controlnet; in Forge it is a ForgeCanvas: a gr.HTML with that id, followed by two hidden
textboxes (classes ``logical_image_foreground`` / ``logical_image_background``) that hold its pictures as PNG
data URLs, the background being the unit's input. A unit missing any part is not offered; with no unit the
button is absent.

Sending is two steps, because ticking img2img's "upload independent control image" makes ControlNet empty the
unit's image: first the unit is enabled, its preprocessor set to none, an OpenPose model picked (when one is
installed) and the checkbox ticked; then, once ControlNet has answered that tick, the conditioning image is
put in and the page switches to the unit's tab.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import PoseFillError
from ..ui.compat import event_kwargs
from ..ui.editor.widget import HIDDEN

UNIT_PART = re.compile(
    r"^(?P<tab>txt2img|img2img)_controlnet_ControlNet(?:-(?P<n>\d+))?_"
    r"(?P<part>input_image|controlnet_enable_checkbox|controlnet_preprocessor_dropdown|controlnet_model_dropdown"
    r"|controlnet_same_img2img_checkbox)$"
)
PARTS = {
    "controlnet_enable_checkbox": "enabled",
    "controlnet_preprocessor_dropdown": "module",
    "controlnet_model_dropdown": "model",
    "controlnet_same_img2img_checkbox": "independent",
}
CANVAS_BACKGROUND = "logical_image_background"
TICK_WAIT_MS = 1500
"""How long the page waits after ticking "upload independent control image" before putting the image in."""
STAGE_ID = "posefill-send-stage"
IMAGE_BUTTON_ID = "posefill-send-image"
MODEL_LISTS = (("scripts.global_state", "cn_models"), ("lib_controlnet.global_state", "controlnet_names"))
"""Where sd-webui-controlnet and Forge keep the installed ControlNet models (read when sending)."""


@dataclass
class Unit:
    """One ControlNet unit's components."""

    tab: str
    number: int
    image: Any = None
    enabled: Any = None
    module: Any = None
    model: Any = None
    independent: Any = None

    @property
    def label(self) -> str:
        return f"{self.tab} · ControlNet Unit {self.number}"

    @property
    def complete(self) -> bool:
        parts = [self.image, self.enabled, self.module, self.model]
        return all(p is not None for p in parts) and (self.tab == "txt2img" or self.independent is not None)

    def settings(self) -> list[Any]:
        """What step one sets: enabled, preprocessor, model (and, in img2img, the independent image checkbox)."""
        return [self.enabled, self.module, self.model] + ([self.independent] if self.tab == "img2img" else [])


class UnitFinder:
    """Collects ControlNet units from ``on_after_component``; only the first component of each id counts
    (gradio 4 builds a throwaway copy of a component for each update, and Forge reports those too)."""

    def __init__(self) -> None:
        self.units: dict[tuple[str, int], Unit] = {}
        self.canvas: Unit | None = None  # a Forge canvas seen, its background textbox still to come

    def after_component(self, component: Any, **kwargs: Any) -> None:
        elem_id = getattr(component, "elem_id", None) or kwargs.get("elem_id") or ""
        if self.canvas is not None and CANVAS_BACKGROUND in (getattr(component, "elem_classes", None) or []):
            self.canvas.image, self.canvas = component, None
            return
        match = UNIT_PART.match(elem_id)
        if not match:
            return
        key = (match["tab"], int(match["n"] or 0))
        unit = self.units.setdefault(key, Unit(*key))
        if match["part"] == "input_image":
            if unit.image is None and self.canvas is None:
                if type(component).__name__ == "HTML":
                    self.canvas = unit
                else:
                    unit.image = component
        elif getattr(unit, PARTS[match["part"]]) is None:
            setattr(unit, PARTS[match["part"]], component)

    def targets(self) -> list[Unit]:
        return sorted((u for u in self.units.values() if u.complete), key=lambda u: (u.tab != "txt2img", u.number))


def choice_values(component: Any) -> list[str]:
    """A dropdown's choices as values (gradio 3 keeps strings, gradio 4 (label, value) pairs)."""
    out = []
    for choice in getattr(component, "choices", None) or []:
        out.append(str(choice[1] if isinstance(choice, (tuple, list)) else choice))
    return out


def installed_models(model_dropdown: Any) -> list[str]:
    """ControlNet model names as the unit's model dropdown offers them, read from ControlNet when it is loaded."""
    for module_name, attr in MODEL_LISTS:
        names = getattr(sys.modules.get(module_name), attr, None)
        if names:
            return [str(n) for n in names]
    return choice_values(model_dropdown)


def openpose_model(names: list[str], current: str | None = None) -> str | None:
    """The current model when it is an OpenPose one, else the first installed OpenPose model, else None."""
    if current and "openpose" in current.lower():
        return current
    return next((n for n in names if "openpose" in n.lower()), None)


def no_preprocessor(module_dropdown: Any) -> str:
    """The preprocessor that passes the image through: ``none`` (sd-webui-controlnet) or ``None`` (Forge)."""
    return next((c for c in choice_values(module_dropdown) if c.lower() == "none"), "none")


def add_send_controls(gr: Any, units: list[Unit], state: Any, framing: Any, margin: Any, render: Callable) -> None:
    """The unit choice and the Send to ControlNet button (call inside the tab's Blocks). ``render(state,
    framing, margin)`` returns the conditioning image (RGB) or raises PoseFillError."""
    by_label = {u.label: u for u in units}
    with gr.Row():
        target = gr.Dropdown(
            list(by_label), value=units[0].label, label="ControlNet unit", elem_id="posefill-send-unit"
        )
        button = gr.Button("Send to ControlNet", elem_id="posefill-send")
    stage = gr.Textbox(elem_id=STAGE_ID, show_label=False, elem_classes=[HIDDEN])
    image_button = gr.Button("send image", elem_id=IMAGE_BUTTON_ID, elem_classes=[HIDDEN])
    settings = [c for u in units for c in u.settings()]
    independents = [u.independent for u in units if u.tab == "img2img"]
    sequence = itertools.count(1)

    def prepare(s, label, framing_, margin_, *ticked):
        unit = by_label.get(label)
        try:
            if unit is None:
                raise PoseFillError(f"no ControlNet unit {label!r}", where="ControlNet unit")
            render(s, framing_, margin_)  # refuse before changing anything when there is nothing to send
        except PoseFillError as err:
            if hasattr(gr, "Warning"):
                gr.Warning(str(err))
            return [json.dumps({"seq": next(sequence), "error": str(err)})] + [gr.update()] * len(settings)
        was_ticked = dict(zip([u.label for u in units if u.tab == "img2img"], ticked))
        updates = []
        for u in units:
            if u is not unit:
                updates += [gr.update()] * len(u.settings())
                continue
            model = openpose_model(installed_models(u.model))
            updates += [gr.update(value=True), gr.update(value=no_preprocessor(u.module))]
            updates.append(gr.update() if model is None else gr.update(value=model))
            if u.tab == "img2img":
                updates.append(gr.update(value=True))
        wait = TICK_WAIT_MS if unit.tab == "img2img" and not was_ticked.get(unit.label) else 0
        stage_ = {"seq": next(sequence), "tab": unit.tab, "unit": unit.number, "wait": wait}
        return [json.dumps(stage_), *updates]

    def put_image(s, label, framing_, margin_):
        unit = by_label.get(label)
        try:
            picture = render(s, framing_, margin_)
        except PoseFillError:
            return [gr.update()] * len(units)
        return [picture if u is unit else gr.update() for u in units]

    button.click(prepare, [state, target, framing, margin, *independents], [stage, *settings])
    stage.change(None, [stage], None, **event_kwargs(gr, SWITCH_JS))
    image_button.click(put_image, [state, target, framing, margin], [u.image for u in units])


SWITCH_JS = f"""(text) => {{
  let s; try {{ s = JSON.parse(text); }} catch (e) {{ return; }}
  if (!s || s.error) return;
  const app = document.querySelector("gradio-app"), root = (app && app.shadowRoot) || document;
  setTimeout(() => {{ const b = root.querySelector("#{IMAGE_BUTTON_ID}"); if (b) b.click(); }}, s.wait);
  const go = {{ txt2img: window.switch_to_txt2img, img2img: window.switch_to_img2img }}[s.tab];
  if (typeof go === "function") go();
  else {{
    const nav = Array.from(root.querySelectorAll("#tabs button")).find((b) => b.textContent.trim() === s.tab);
    if (nav) nav.click();
  }}
  // Show the unit: open ControlNet's accordion, then the unit's tab (sd-webui-controlnet) or accordion (Forge).
  // A change event on the unit's Enable box lets ControlNet's own script mark the unit active (Forge ticks the
  // box on the unit's accordion); it listens to the page's events, and a value set from python fires none.
  const open = (wrap) => {{ if (wrap && !wrap.classList.contains("open")) wrap.click(); }};
  setTimeout(() => {{
    const prefix = "#" + s.tab + "_controlnet_ControlNet-" + s.unit;
    const enable = root.querySelector(prefix + "_controlnet_enable_checkbox input");
    if (enable) enable.dispatchEvent(new Event("change", {{ bubbles: true }}));
    const group = root.querySelector("#" + s.tab + "_controlnet");
    if (!group) return;
    open(group.querySelector(".label-wrap"));
    const name = "ControlNet Unit " + s.unit, named = (t) => t === name || t.startsWith(name + " ");
    const unit = Array.from(group.querySelectorAll(".label-wrap, button")).find((e) => named(e.textContent.trim()));
    if (unit && unit.classList.contains("label-wrap")) open(unit);
    else if (unit) unit.click();
    setTimeout(() => {{
      const image = root.querySelector(prefix + "_input_image");
      if (image) image.scrollIntoView({{ block: "center" }});
    }}, 300);
  }}, 100);
}}"""
