"""Wiring PoseFill into a running WebUI (AUTOMATIC1111 or Forge); ``scripts/posefill_controlnet.py`` calls ``setup``.

Variants are registered as soon as a ControlNet registry is loaded and again (idempotently) before the
UI is built, so the order in which extensions load does not matter.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from ..http.routes import add_routes
from ..model import MODEL_ENV
from ..options import Options
from . import controlnet, forge, settings
from .unit_ui import UnitCheckboxes

log = logging.getLogger("posefill")


def apply_command_line(cmd_opts: Any) -> None:
    """``--posefill-model PATH`` (see preload.py) selects the model file."""
    path = getattr(cmd_opts, "posefill_model", None)
    if path:
        os.environ[MODEL_ENV] = str(path)


class WebUI:
    """PoseFill's state inside one WebUI process."""

    def __init__(self, shared: Any) -> None:
        self.shared = shared
        self.variants: set[str] = set()
        self.units = UnitCheckboxes(self.variants, default=lambda: settings.checkbox_default(shared.opts))

    def options(self) -> Options:
        return settings.current_options(self.shared.opts)

    def register_preprocessors(self) -> list[str]:
        names: list[str] = []
        registry = controlnet.find_registry()
        if registry is not None:
            names += controlnet.register(registry, self.options)
        found = forge.find_registry()
        if found is not None:
            names += forge.register(*found, self.options)
        self.variants.update(names)
        return names

    def on_before_ui(self) -> None:
        if not self.register_preprocessors():
            log.warning(
                "PoseFill: no ControlNet with a preprocessor registry (sd-webui-controlnet >= 1.1.444 or Forge)"
            )

    def on_ui_settings(self) -> None:
        settings.add_settings(self.shared)

    def on_app_started(self, demo: Any, app: Any) -> None:
        add_routes(app)
        if demo is not None and self.variants and not self.units.wired:
            log.warning(
                "PoseFill: no ControlNet unit elements found for the checkbox; pick the *_posefill "
                "preprocessors in a unit's Preprocessor list instead"
            )


def setup() -> WebUI:
    """Register everything with the WebUI's callbacks (call once per script load)."""
    from modules import script_callbacks, shared

    apply_command_line(shared.cmd_opts)
    webui = WebUI(shared)
    webui.register_preprocessors()
    script_callbacks.on_before_ui(webui.on_before_ui)
    script_callbacks.on_after_component(webui.units.after_component)
    script_callbacks.on_ui_settings(webui.on_ui_settings)
    script_callbacks.on_app_started(webui.on_app_started)
    return webui
