"""The PoseFill section of the WebUI's Settings tab: defaults only.

Scope, minimum visible joints and hands are not preprocessor arguments, and ControlNet caches preprocessor
results by their arguments; the help text says that a change applies to new input images.
"""

from __future__ import annotations

import logging
from typing import Any

from ..errors import PoseFillError
from ..options import FIELD_BY_NAME, HANDS, SCOPES, SUSPICIOUS, Options

log = logging.getLogger("posefill")

SECTION = ("posefill", "PoseFill")
CHECKBOX_DEFAULT = "posefill_controlnet_default"
SCOPE = "posefill_scope"
MIN_VISIBLE = "posefill_min_visible"
HANDS_KEY = "posefill_hands"
SUSPICIOUS_KEY = "posefill_suspicious"
CACHE_NOTE = (
    "ControlNet caches preprocessor results: a change applies to new input images; to redo an image "
    "already processed, move a PoseFill slider of the unit or restart"
)


def add_settings(shared: Any) -> None:
    """Add the section to ``shared.opts`` (call from ``on_ui_settings``)."""
    import gradio as gr

    scope, min_visible, hands, suspicious = (FIELD_BY_NAME[k] for k in ("scope", "min_visible", "hands", "suspicious"))
    items = {
        CHECKBOX_DEFAULT: shared.OptionInfo(
            False, "PoseFill checkbox ticked in new ControlNet units", gr.Checkbox, section=SECTION
        ).info("ticking it switches an OpenPose preprocessor to its _posefill variant"),
        SCOPE: shared.OptionInfo(
            scope.default, "Joints PoseFill fills", gr.Radio, {"choices": list(SCOPES)}, section=SECTION
        ).info(f"{scope.help}. {CACHE_NOTE}"),
        MIN_VISIBLE: shared.OptionInfo(
            min_visible.default,
            "Minimum visible joints",
            gr.Slider,
            {"minimum": min_visible.low, "maximum": min_visible.high, "step": 1},
            section=SECTION,
        ).info(f"{min_visible.help}. {CACHE_NOTE}"),
        HANDS_KEY: shared.OptionInfo(
            hands.default, "Hands and faces at filled joints", gr.Radio, {"choices": list(HANDS)}, section=SECTION
        ).info(f"{hands.help}. {CACHE_NOTE}"),
        SUSPICIOUS_KEY: shared.OptionInfo(
            suspicious.default,
            "Suspicious detected joints (PoseFill variants)",
            gr.Radio,
            {"choices": list(SUSPICIOUS)},
            section=SECTION,
        ).info(f"{suspicious.help}. {CACHE_NOTE}"),
    }
    for key, info in items.items():
        shared.opts.add_option(key, info)


def _get(opts: Any, key: str, default: Any) -> Any:
    data = getattr(opts, "data", None) or {}
    return data.get(key, default)


def checkbox_default(opts: Any) -> bool:
    return bool(_get(opts, CHECKBOX_DEFAULT, False))


def current_options(opts: Any) -> Options:
    """Options from the settings; an invalid stored value falls back to the default, with a warning."""
    values = {
        "scope": _get(opts, SCOPE, FIELD_BY_NAME["scope"].default),
        "min_visible": _get(opts, MIN_VISIBLE, FIELD_BY_NAME["min_visible"].default),
        "hands": _get(opts, HANDS_KEY, FIELD_BY_NAME["hands"].default),
        "suspicious": _get(opts, SUSPICIOUS_KEY, FIELD_BY_NAME["suspicious"].default),
    }
    try:
        return Options.from_host(values)
    except PoseFillError as err:
        log.warning("PoseFill settings: %s; using the defaults", err)
        return Options()
