"""The PoseFill variants of ControlNet's OpenPose preprocessors: names and their two sliders.

A variant is named ``<original>_posefill`` (it keeps "openpose" in its name, which is how ControlNet
decides to hand a preprocessor a pose-JSON callback). Its two sliders are framing and alternative: slider values
are part of ControlNet's preprocessor cache key and of the infotext. Both hosts show and pass only two sliders
to a preprocessor, so ``suspicious`` comes from the settings, except in ``<original>_posefill_refill``: the same
variant with ``suspicious=refill`` whatever the settings say (a per-unit switch that the infotext records).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..options import BEST_GUESS, Options, Spelling

ORIGINALS: tuple[str, ...] = ("dw_openpose_full", "openpose", "openpose_full", "openpose_hand", "openpose_face")
"""Body-pose preprocessors PoseFill repairs (not animal_openpose, not openpose_faceonly)."""
DRAWN_PARTS: dict[str, tuple[str, ...]] = {
    "dw_openpose_full": ("hand_left_keypoints_2d", "hand_right_keypoints_2d", "face_keypoints_2d"),
    "openpose_full": ("hand_left_keypoints_2d", "hand_right_keypoints_2d", "face_keypoints_2d"),
    "openpose_hand": ("hand_left_keypoints_2d", "hand_right_keypoints_2d"),
    "openpose_face": ("face_keypoints_2d",),
}
"""The hands and face each original detects and draws: its JSON writes null for one it did not find, so these
keys count as present (empty) for PoseFill's hands and faces, and a null left empty is written back as null."""
SUFFIX = "_posefill"
REFILL_SUFFIX = "_posefill_refill"
TAG = "OpenPose"
MAX_ALTERNATIVE = 32
"""Below 64, the slider value Forge's /controlnet/detect sends when none is given (so it means best guess)."""


def variant_name(original: str, refill: bool = False) -> str:
    return original + (REFILL_SUFFIX if refill else SUFFIX)


def original_name(name: str) -> str | None:
    """The original preprocessor of a variant name (either kind), or None when ``name`` is no PoseFill variant."""
    for suffix in (SUFFIX, REFILL_SUFFIX):
        if name and name.endswith(suffix) and name[: -len(suffix)] in ORIGINALS:
            return name[: -len(suffix)]
    return None


def is_refill(name: str) -> bool:
    """Whether ``name`` is a ``_posefill_refill`` variant."""
    return bool(name) and name.endswith(REFILL_SUFFIX) and original_name(name) is not None


@dataclass(frozen=True)
class Slider:
    """One preprocessor slider, in the host-neutral terms both registries use."""

    label: str
    minimum: float
    maximum: float
    step: float
    value: float


FRAMING_SLIDER = Slider("PoseFill framing (0 = keep, 1 = fit whole body)", 0, 1, 1, 0)
ALTERNATIVE_SLIDER = Slider(f"PoseFill alternative ({BEST_GUESS} = best guess)", 0, MAX_ALTERNATIVE, 1, BEST_GUESS)
SLIDERS = Spelling(unset=(BEST_GUESS,), positions=True, highs=(("seed", MAX_ALTERNATIVE),), lenient=True)
"""How the two sliders spell options: framing by position (0 keep, 1 fit), the seed as the alternative number
(``BEST_GUESS`` = no seed); a value off a slider (None, -1, Forge's /controlnet/detect default of 64, 2.5) means
the option's default, as ControlNet itself treats out-of-range slider values."""


def slider_options(base: Options, slider_1: Any, slider_2: Any, refill: bool = False) -> Options:
    """Options for one call: ``base`` (from the settings) with framing from slider 1 and the seed from slider 2
    (and ``suspicious=refill`` for a refill variant)."""
    base = base.replace(suspicious="refill") if refill else base
    return Options.from_host({"framing": slider_1, "seed": slider_2}, SLIDERS, base)
