"""WebUI entry point for the PoseFill tab (AUTOMATIC1111 and Forge): registers it with on_ui_tabs, and finds
ControlNet's units (on_after_component) for its Send to ControlNet button."""

from modules import script_callbacks

from lib_posefill.hosts.send import UnitFinder

units = UnitFinder()


def on_ui_tabs():
    from lib_posefill.hosts.tab import webui_tab

    return [(webui_tab(units), "PoseFill", "posefill")]


script_callbacks.on_after_component(units.after_component)
script_callbacks.on_ui_tabs(on_ui_tabs)
