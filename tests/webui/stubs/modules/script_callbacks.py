"""Stand-in for the WebUI's modules/script_callbacks.py: registration and invocation of callbacks.

As in the WebUI, an exception in a component callback is reported (here: appended to ``errors``) and the
next callback runs; the WebUI logs "Error executing callback after_component_callback for ...".
"""

from collections import namedtuple

ScriptCallback = namedtuple("ScriptCallback", ["script", "callback", "name"])

errors = []
"""(job, exception) of every callback that raised, as the WebUI's report_exception logs them."""

callback_map = {
    "callbacks_app_started": [],
    "callbacks_ui_settings": [],
    "callbacks_after_component": [],
    "callbacks_before_ui": [],
}


def clear_callbacks():
    for callback_list in callback_map.values():
        callback_list.clear()
    errors.clear()


def add_callback(callbacks, fun, *, name=None):
    callbacks.append(ScriptCallback("posefill", fun, name))


def on_app_started(callback, *, name=None):
    """callback(demo: gradio Blocks | None, app: FastAPI)"""
    add_callback(callback_map["callbacks_app_started"], callback, name=name)


def on_ui_settings(callback, *, name=None):
    """callback(); add settings with shared.opts.add_option(key, shared.OptionInfo(...))"""
    add_callback(callback_map["callbacks_ui_settings"], callback, name=name)


def on_after_component(callback, *, name=None):
    """callback(component, **kwargs): kwargs are the component's constructor arguments."""
    add_callback(callback_map["callbacks_after_component"], callback, name=name)


def on_before_ui(callback, *, name=None):
    add_callback(callback_map["callbacks_before_ui"], callback, name=name)


def app_started_callback(demo, app):
    for c in callback_map["callbacks_app_started"]:
        c.callback(demo, app)


def ui_settings_callback():
    for c in callback_map["callbacks_ui_settings"]:
        c.callback()


def after_component_callback(component, **kwargs):
    for c in callback_map["callbacks_after_component"]:
        try:
            c.callback(component, **kwargs)
        except Exception as err:
            errors.append(("after_component_callback", err))


def before_ui_callback():
    for c in callback_map["callbacks_before_ui"]:
        c.callback()
