"""Stand-in for the component hook of Forge's modules/gradio_extensions.py.

Forge (and AUTOMATIC1111) replace gradio's ``Component.__init__`` so that every component, whenever it is
created, is passed to the ``after_component`` callbacks with its constructor arguments. Under gradio 4 that
includes the components gradio re-creates (``render=False``, outside any Blocks) while it applies an event's
``gr.update`` to an output: the WebUI installs the hook at import time; tests install it with ``component_hook``.
"""

import contextlib

import gradio as gr

from modules import script_callbacks


@contextlib.contextmanager
def component_hook():
    original = gr.components.Component.__init__

    def init(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        script_callbacks.after_component_callback(self, **kwargs)
        return result

    gr.components.Component.__init__ = init
    try:
        yield
    finally:
        gr.components.Component.__init__ = original
