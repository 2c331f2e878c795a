"""The Python API: complete pose documents or arrays of people, and render documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .completion import Completion, complete, complete_arrays
from .document import parse_documents, write_documents
from .filler import Filler
from .model import cached_filler
from .options import Options
from .sequence.complete import complete_frames


def as_options(options: Options | Mapping[str, Any] | None = None, **overrides: Any) -> Options:
    """Options from an Options, a dict or None, with keyword overrides; validated."""
    base = options if isinstance(options, Options) else Options.from_mapping(options)
    return base.replace(**overrides) if overrides else base


def complete_document(
    value: Any,
    options: Options | Mapping[str, Any] | None = None,
    *,
    frame: tuple[float, float, float, float] | None = None,
    filler: Filler | None = None,
) -> Any:
    """Complete a decoded pose document (dict) or a list of them; returns the same shape.

    ``frame`` (x0, y0, x1, y1) is the real picture inside the canvas, when the canvas was padded.
    Raises PoseFillError on bad input.
    """
    opts = as_options(options)
    docs, is_list = parse_documents(value, opts)
    out = write_documents(complete(docs, opts, filler or cached_filler(), [frame] * len(docs) if frame else None))
    return out if is_list else out[0]


def complete_people(
    xy: np.ndarray,
    present: np.ndarray,
    canvas: np.ndarray | tuple[float, float],
    options: Options | Mapping[str, Any] | None = None,
    *,
    filler: Filler | None = None,
) -> Completion:
    """Complete N people at once: xy (N, 18, 2) pixels, present (N, 18) bool, canvas (N, 2) or (2,) as (W, H)."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 18, 2)
    wh = np.asarray(canvas, dtype=np.float64).reshape(-1, 2)
    frame = np.concatenate([np.zeros(wh.shape), wh], axis=1)
    return complete_arrays(xy, present, frame, as_options(options), filler or cached_filler())


def complete_sequence(
    frames: Any, options: Options | Mapping[str, Any] | None = None, *, filler: Filler | None = None
) -> Any:
    """Complete a list of decoded pose documents as the consecutive frames of one video; returns the same shape.

    People are tracked across frames (each gets a ``posefill.track`` id), joints seen in other frames of a
    person fill the frames where they are missing, and filled joints are steadied along time; given joints
    never move. Raises PoseFillError on bad input.
    """
    opts = as_options(options)
    docs, is_list = parse_documents(frames, opts)
    out = write_documents(complete_frames(docs, opts, filler or cached_filler()))
    return out if is_list else out[0]
