"""The host-agnostic PoseFill preprocessor: run the original, repair its pose JSON, re-render.

OpenPose preprocessors resize the input, pad it to a multiple of 64 (bottom and right), detect, and
crop the drawn image back; their pose JSON keeps the padded canvas. So the real picture is the
returned image's size: PoseFill fills against that frame (legs cut at the real bottom edge are
outside it, not hidden in the pad), draws on the JSON's canvas and crops to the returned size.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from itertools import product
from typing import Any

import numpy as np

from ..completion import complete
from ..document import parse_documents, write_documents
from ..model import cached_filler
from ..options import Options
from ..render import render
from . import variants

log = logging.getLogger("posefill")


def repair(image: np.ndarray, pose: Any, options: Options, parts: tuple[str, ...] = ()) -> tuple[np.ndarray, Any]:
    """The repaired conditioning image (same size as ``image``) and pose JSON (same type as ``pose``).

    ``parts``: the hand/face keys the original draws (``variants.DRAWN_PARTS``); PoseFill may add those at
    filled joints even where the JSON has null. Raises on anything it cannot handle; ``run_variant`` turns
    that into the unrepaired result.
    """
    if not isinstance(image, np.ndarray) or image.ndim != 3:
        raise TypeError(f"expected an H x W x C image from the preprocessor, got {type(image).__name__}")
    as_text = isinstance(pose, (str, bytes))
    doc = json.loads(pose) if as_text else pose
    h, w = image.shape[:2]
    doc, nulls = _nulls_as_empty(doc, parts)
    docs, is_list = parse_documents(doc, options)
    frame = np.array([0.0, 0.0, float(w), float(h)])
    written = write_documents(complete(docs, options, cached_filler(), [frame] * len(docs)))
    completed = written if is_list else written[0]
    for p, key in nulls:
        if completed["people"][p][key] == []:
            completed["people"][p][key] = None
    people = completed["people"] if isinstance(completed, dict) else []
    changed = options.framing == "fit" or any(p["posefill"]["filled"] or p["posefill"].get("replaced") for p in people)
    if changed and docs:
        drawn = render(docs[0], options)  # on the (padded) canvas of the JSON
        short = (max(0, h - drawn.shape[0]), max(0, w - drawn.shape[1]))
        if any(short):
            drawn = np.pad(drawn, ((0, short[0]), (0, short[1]), (0, 0)))
        image = np.ascontiguousarray(drawn[:h, :w])
    return image, (json.dumps(completed) if as_text else completed)


def _nulls_as_empty(doc: Any, keys: tuple[str, ...]) -> tuple[Any, list[tuple[int, str]]]:
    """A copy of the document with null values of ``keys`` as empty lists, and where they were."""
    people = doc.get("people") if isinstance(doc, dict) else None
    if not keys or not isinstance(people, list):
        return doc, []
    nulls = [(p, k) for p, person in enumerate(people) if isinstance(person, dict) for k in keys if k in person]
    nulls = [(p, k) for p, k in nulls if people[p][k] is None]
    if not nulls:
        return doc, []
    people = list(people)
    for p, k in nulls:
        people[p] = {**people[p], k: []}
    return {**doc, "people": people}, nulls


def run_variant(
    original: Callable[..., Any],
    input_image: Any,
    resolution: Any,
    options: Callable[[], Options],
    json_pose_callback: Callable[[Any], None] | None = None,
    **kwargs: Any,
) -> Any:
    """Call ``original`` with PoseFill's own JSON callback, repair, forward the repaired JSON.

    ``options`` is called only after the original ran, inside the guard (it reads settings and sliders).
    ``kwargs`` (sliders of the original, input_mask, low_vram, model ...) go to the original as they
    are. A failure inside PoseFill logs a warning and passes the original image and JSON on.
    """
    poses: list[Any] = []
    result = original(input_image=input_image, resolution=resolution, json_pose_callback=poses.append, **kwargs)
    if not poses:
        log.warning("PoseFill: the preprocessor gave no pose JSON; its image is passed on unrepaired")
        return result
    pose = poses[-1]
    parts = variants.DRAWN_PARTS.get(getattr(original, "name", ""), ())
    try:
        result, pose = repair(result, pose, options(), parts)
    except Exception as err:  # never break generation: pass the unrepaired pose on
        log.warning("PoseFill: repair failed, passing the unrepaired pose on: %s", err)
    if json_pose_callback is not None:
        json_pose_callback(pose)
    return result


class VariantPreprocessor:
    """What the variant classes of both hosts share; each host mixes it into its own ``Preprocessor``.

    The host class sets ``slider_default`` (how to read a slider's default value) and calls ``adopt``.
    """

    original: Any
    options: Callable[[], Options]

    @staticmethod
    def slider_default(parameter: Any) -> Any:
        raise NotImplementedError

    def adopt(self, original: Any, options: Callable[[], Options], copied: tuple[str, ...], parameter: Any) -> None:
        """Take over the original's fields listed in ``copied``; add the two PoseFill sliders, built with
        the host's ``PreprocessorParameter`` class ``parameter``."""
        for attr in copied:
            if hasattr(original, attr):
                setattr(self, attr, getattr(original, attr))
        self.tags = list(getattr(original, "tags", None) or [variants.TAG])
        # Listed right after the originals, which stay the default of the OpenPose control type (refill after).
        self.sorting_priority = getattr(original, "sorting_priority", 0) - 1 - variants.is_refill(self.name)
        self.slider_1, self.slider_2 = (
            parameter(label=s.label, minimum=s.minimum, maximum=s.maximum, step=s.step, value=s.value, visible=True)
            for s in (variants.FRAMING_SLIDER, variants.ALTERNATIVE_SLIDER)
        )
        self.original = original
        self.options = options

    def __call__(self, input_image, resolution=512, slider_1=None, slider_2=None, slider_3=None, **kwargs):
        def options():
            return variants.slider_options(self.options(), slider_1, slider_2, variants.is_refill(self.name))

        originals = {
            "slider_1": self.slider_default(self.original.slider_1),
            "slider_2": self.slider_default(self.original.slider_2),
        }
        return run_variant(self.original, input_image, resolution, options, **originals, slider_3=slider_3, **kwargs)


def register_variants(
    get: Callable[[str], Any],
    add: Callable[[Any], None],
    variant_class: Callable[[], type],
    options: Callable[[], Options],
) -> list[str]:
    """Register both variants (plain, refill) of every supported original a host's registry has (``get`` a
    preprocessor by name, None when absent; ``add`` one), the class made on first need; returns the variant names
    (idempotent)."""
    names = []
    cls = None
    for original_name, refill in product(variants.ORIGINALS, (False, True)):
        name = variants.variant_name(original_name, refill)
        original = get(original_name)
        if original is None:
            continue
        if get(name) is None:
            cls = cls or variant_class()
            add(cls(original, options, refill))
        names.append(name)
    return names
