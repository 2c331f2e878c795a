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
from .wrapper import VariantPreprocessor, register_variants

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


def variant_class(base_module: Any) -> type:
    """A subclass of Forge's ``Preprocessor`` that runs an original one through PoseFill."""

    class PoseFillPreprocessor(VariantPreprocessor, base_module.Preprocessor):
        @staticmethod
        def slider_default(parameter: Any) -> Any:
            return (getattr(parameter, "gradio_update_kwargs", None) or {}).get("value")

        def __init__(self, original: Any, options: Callable[[], Options], refill: bool = False) -> None:
            super().__init__()
            self.name = variants.variant_name(original.name, refill)
            self.adopt(original, options, COPIED, base_module.PreprocessorParameter)
            self.model_filename_filters = list(getattr(original, "model_filename_filters", None) or ["openpose"])

    return PoseFillPreprocessor


def register(shared: Any, base_module: Any, options: Callable[[], Options] = Options) -> list[str]:
    """Register a variant of every supported original found; returns the variant names (idempotent)."""
    return register_variants(
        shared.supported_preprocessors.get,
        shared.add_supported_preprocessor,
        lambda: variant_class(base_module),
        options,
    )
