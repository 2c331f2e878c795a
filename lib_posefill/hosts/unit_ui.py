"""The PoseFill checkbox in every ControlNet unit, added through the WebUI's ``on_after_component``.

ControlNet gives each unit's elements ids like ``txt2img_controlnet_ControlNet-0_controlnet_pixel_perfect_checkbox``
(``..._ControlNet_controlnet_...`` with a single unit). The checkbox is created, hidden, next to Pixel
Perfect, and shown once the unit's preprocessor dropdown is found and wired: ticking it switches an
OpenPose preprocessor to its PoseFill variant, unticking switches back, picking a variant (or pasting an
infotext that names one) ticks it, and any other preprocessor without a variant (canny, none; picked, pasted,
sent or set by the Control Type radio) unticks it. Without those ids, the variants stay selectable in the
dropdown itself.

Only components created while a Blocks is being built are units: gradio 4 re-creates every component an
event updates (an infotext paste updates Pixel Perfect and the preprocessor), outside any Blocks, and the
WebUI passes those to ``on_after_component`` too. Each unit of a Blocks is wired once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from .variants import original_name, variant_name

UNIT_ELEMENT = re.compile(
    r"^(?P<unit>(?:txt2img|img2img)_controlnet_ControlNet(?:-\d+)?)_controlnet_"
    r"(?P<part>pixel_perfect_checkbox|preprocessor_dropdown)$"
)
UPDATE = {"queue": False, "show_progress": "hidden"}


def module_for_checkbox(ticked: bool, module: str, variants: Collection[str]) -> str | None:
    """The module a unit should switch to when its checkbox becomes ``ticked``; None = leave it."""
    if ticked and variant_name(module or "") in variants:
        return variant_name(module)
    if not ticked and original_name(module or "") is not None:
        return original_name(module)
    return None


def checkbox_for_module(module: str, ticked: bool, variants: Collection[str]) -> tuple[str | None, bool | None]:
    """After the dropdown changed, by the user or by anything else (an infotext paste, Send to ControlNet, the
    Control Type radio, a script): (module to switch to, checkbox value to set); None = leave it. Afterwards the
    box shows whether the preprocessor is a PoseFill variant: a ticked box turns an OpenPose preprocessor into its
    variant, and is unticked by any preprocessor without one (canny, none)."""
    if module in variants:
        return None, (None if ticked else True)
    if ticked and variant_name(module or "") in variants:
        return variant_name(module), None
    return None, (False if ticked else None)


def _blocks_being_built() -> Any | None:
    """The gradio Blocks whose ``with`` block is running (gradio 3 and 4), or None during an event."""
    from gradio.context import Context

    return Context.root_block


class UnitCheckboxes:
    """Listens to component creation and wires a PoseFill checkbox into each ControlNet unit."""

    def __init__(self, variants: Collection[str], default: Callable[[], bool] = lambda: False) -> None:
        self.variants = variants  # filled by registration, read when the user clicks
        self.default = default
        self.pending: dict[str, Any] = {}
        self.wired: dict[str, Any] = {}
        self.blocks: dict[str, Any] = {}  # the Blocks each unit was wired in

    def after_component(self, component: Any, **kwargs: Any) -> None:
        """``script_callbacks.on_after_component`` callback."""
        match = UNIT_ELEMENT.match(getattr(component, "elem_id", None) or kwargs.get("elem_id") or "")
        blocks = _blocks_being_built()
        if not match or blocks is None:
            return
        unit = match["unit"]
        if self.blocks.get(unit) is blocks:  # wired in this Blocks already
            return
        if match["part"] == "pixel_perfect_checkbox":
            self.pending[unit] = self._checkbox(unit)
        elif unit in self.pending:
            checkbox = self.pending.pop(unit)
            self._wire(checkbox, component)
            self.wired[unit] = checkbox
            self.blocks[unit] = blocks

    def _checkbox(self, unit: str) -> Any:
        import gradio as gr

        checkbox = gr.Checkbox(
            label="PoseFill",
            value=self.default(),
            visible=False,
            elem_id=f"{unit}_posefill_checkbox",
            elem_classes=["posefill-checkbox"],
        )
        # The box starts as Settings -> PoseFill says, not as ui-config.json last saved it: AUTOMATIC1111 and Forge
        # (modules/ui_loadsave.py) restore every checkbox's saved value unless it carries this flag.
        checkbox.do_not_save_to_config = True
        return checkbox

    def _wire(self, checkbox: Any, dropdown: Any) -> None:
        import gradio as gr

        def on_checkbox(ticked, module):
            new = module_for_checkbox(ticked, module, self.variants)
            return gr.update() if new is None else gr.update(value=new)

        def on_dropdown(module, ticked):
            new, tick = checkbox_for_module(module, ticked, self.variants)
            return (
                gr.update() if new is None else gr.update(value=new),
                gr.update() if tick is None else gr.update(value=tick),
            )

        checkbox.change(on_checkbox, inputs=[checkbox, dropdown], outputs=[dropdown], **UPDATE)
        dropdown.change(on_dropdown, inputs=[dropdown, checkbox], outputs=[dropdown, checkbox], **UPDATE)
        checkbox.visible = True
