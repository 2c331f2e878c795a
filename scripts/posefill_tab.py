"""WebUI entry point for the PoseFill tab (AUTOMATIC1111 and Forge): registers it with on_ui_tabs, and finds
ControlNet's units (on_after_component) for its Send to ControlNet button."""

from modules import script_callbacks

from lib_posefill.hosts.send import UnitFinder
from lib_posefill.ui.detect import controlnet_detector
from lib_posefill.ui.handlers import Handlers

units = UnitFinder()


def on_ui_tabs():
    from lib_posefill.ui.blocks import build_tab

    tab = build_tab(Handlers(detector=controlnet_detector()), standalone=False, controlnet_units=units.targets())
    return [(tab, "PoseFill", "posefill")]


script_callbacks.on_after_component(units.after_component)
script_callbacks.on_ui_tabs(on_ui_tabs)
