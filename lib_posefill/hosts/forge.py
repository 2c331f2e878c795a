"""Forge's built-in ControlNet: register the PoseFill variants in ``modules_forge``'s registry.

Forge keeps preprocessors in ``modules_forge.shared.supported_preprocessors`` (a dict by name) and
adds them with ``add_supported_preprocessor``, which silently replaces a name; the base class is
``modules_forge.supported_preprocessor.Preprocessor`` (no constructor arguments, sliders carry
``gradio_update_kwargs``) and ControlNet calls it with ``input_image=`` as a keyword.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

from ..options import Options
from . import variants
from .wrapper import run_variant

COPIED = (
    "tags",
    "slider_resolution",
    "slider_3",
    "show_control_mode",
    "do_not_need_model",
    "corp_image_with_a1111_mask_when_in_img2img_inpaint_tab",
    "fill_mask_with_one_when_resize_and_fill",
    "use_soft_projection_in_hr_fix",
    "expand_mask_when_resize_and_fill",
)


def find_registry() -> tuple[Any, Any] | None:
    """``(modules_forge.shared, modules_forge.supported_preprocessor)`` in Forge, else None."""
    try:
        shared = sys.modules.get("modules_forge.shared") or importlib.import_module("modules_forge.shared")
        base = sys.modules.get("modules_forge.supported_preprocessor") or importlib.import_module(
            "modules_forge.supported_preprocessor"
        )
    except ImportError:
        return None
    if not hasattr(shared, "add_supported_preprocessor") or not hasattr(base, "Preprocessor"):
        return None
    return shared, base


def _parameter(base_module: Any, slider: variants.Slider) -> Any:
    return base_module.PreprocessorParameter(
        label=slider.label,
        minimum=slider.minimum,
        maximum=slider.maximum,
        step=slider.step,
        value=slider.value,
        visible=True,
    )


def _default(parameter: Any) -> Any:
    return (getattr(parameter, "gradio_update_kwargs", None) or {}).get("value")


def variant_class(base_module: Any) -> type:
    """A subclass of Forge's ``Preprocessor`` that runs an original one through PoseFill."""

    class PoseFillPreprocessor(base_module.Preprocessor):
        def __init__(self, original: Any, options: Callable[[], Options]) -> None:
            super().__init__()
            for attr in COPIED:
                if hasattr(original, attr):
                    setattr(self, attr, getattr(original, attr))
            self.name = variants.variant_name(original.name)
            self.tags = list(getattr(original, "tags", None) or [variants.TAG])
            # Listed right after the originals, which stay the default of the OpenPose control type.
            self.sorting_priority = getattr(original, "sorting_priority", 0) - 1
            self.model_filename_filters = list(getattr(original, "model_filename_filters", None) or ["openpose"])
            self.slider_1 = _parameter(base_module, variants.FRAMING_SLIDER)
            self.slider_2 = _parameter(base_module, variants.ALTERNATIVE_SLIDER)
            self.original = original
            self.options = options

        def __call__(self, input_image, resolution=512, slider_1=None, slider_2=None, slider_3=None, **kwargs):
            def options():
                return variants.slider_options(self.options(), slider_1, slider_2)

            originals = {"slider_1": _default(self.original.slider_1), "slider_2": _default(self.original.slider_2)}
            return run_variant(
                self.original, input_image, resolution, options, **originals, slider_3=slider_3, **kwargs
            )

    return PoseFillPreprocessor


def register(shared: Any, base_module: Any, options: Callable[[], Options] = Options) -> list[str]:
    """Register a variant of every supported original found; returns the variant names (idempotent)."""
    names = []
    cls = None
    for original_name in variants.ORIGINALS:
        name = variants.variant_name(original_name)
        original = shared.supported_preprocessors.get(original_name)
        if original is None:
            continue
        if name not in shared.supported_preprocessors:
            cls = cls or variant_class(base_module)
            shared.add_supported_preprocessor(cls(original, options))
        names.append(name)
    return names
