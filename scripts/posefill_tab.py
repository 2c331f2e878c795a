"""WebUI entry point for the PoseFill tab (AUTOMATIC1111 and Forge): registers it with on_ui_tabs."""

from modules import script_callbacks

from lib_posefill.ui.detect import controlnet_detector
from lib_posefill.ui.handlers import Handlers


def on_ui_tabs():
    from lib_posefill.ui.blocks import build_tab

    tab = build_tab(Handlers(detector=controlnet_detector()), standalone=False)
    return [(tab, "PoseFill", "posefill")]


script_callbacks.on_ui_tabs(on_ui_tabs)
