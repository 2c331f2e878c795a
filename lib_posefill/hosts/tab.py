"""The PoseFill tab inside a WebUI: the standalone tab (``ui``) with ControlNet's photo detector and, when
ControlNet has units, Send to ControlNet."""

from __future__ import annotations

from .detect import controlnet_detector
from .send import UnitFinder, add_send_controls


def webui_tab(units: UnitFinder):
    """The tab's Blocks for the WebUI's on_ui_tabs (gradio imported when it is built)."""
    from ..ui.blocks import build_tab
    from ..ui.handlers import Handlers

    handlers = Handlers(detector=controlnet_detector())
    targets = units.targets()

    def send_controls(gr, state, framing, margin) -> None:
        add_send_controls(gr, targets, state, framing, margin, handlers.conditioning)

    return build_tab(handlers, standalone=False, extra_controls=send_controls if targets else None)
