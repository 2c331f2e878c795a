"""sd-webui-controlnet (>= 1.1.444): register the PoseFill variants in its preprocessor registry.

The registry is the ``Preprocessor`` class of ``scripts/supported_preprocessor.py`` (re-exported by
``internal_controlnet/external_code.py``): a dataclass keyed by name and label whose
``add_supported_preprocessor`` asserts on a second registration, so we check first.
"""

from __future__ import annotations

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
    "returns_image",
    "show_control_mode",
    "do_not_need_model",
    "accepts_mask",
    "requires_mask",
    "corp_image_with_a1111_mask_when_in_img2img_inpaint_tab",
    "fill_mask_with_one_when_resize_and_fill",
    "use_soft_projection_in_hr_fix",
    "expand_mask_when_resize_and_fill",
)
REGISTRY_MODULES = ("internal_controlnet.external_code", "scripts.supported_preprocessor")


def find_registry() -> Any | None:
    """ControlNet's ``Preprocessor`` class, when sd-webui-controlnet is loaded (never imports it)."""
    for name in REGISTRY_MODULES:
        cls = getattr(sys.modules.get(name), "Preprocessor", None)
        if cls is not None and hasattr(cls, "add_supported_preprocessor") and hasattr(cls, "get_preprocessor"):
            return cls
    return None


def variant_class(base: type) -> type:
    """A subclass of ControlNet's ``Preprocessor`` that runs an original one through PoseFill."""
    parameter_class = sys.modules[base.__module__].PreprocessorParameter

    class PoseFillPreprocessor(VariantPreprocessor, base):
        @staticmethod
        def slider_default(parameter: Any) -> Any:
            return getattr(parameter, "value", None)

        def __init__(self, original: Any, options: Callable[[], Options], refill: bool = False) -> None:
            super().__init__(variants.variant_name(original.name, refill))
            self.adopt(original, options, COPIED, parameter_class)
            self.preprocessor_deps = [original.name]  # keeps the original loaded while the variant is in use

    return PoseFillPreprocessor


def register(registry: Any, options: Callable[[], Options] = Options) -> list[str]:
    """Register a variant of every supported original found; returns the variant names (idempotent)."""
    return register_variants(
        registry.get_preprocessor, registry.add_supported_preprocessor, lambda: variant_class(registry), options
    )
