"""Canvas independence: the same occluded people on their own canvas and on one four times as wide and as tall.

Empty canvas around a person says nothing about their hidden joints, so the fill should barely change: the
error stays within 2 % of the tight canvas, no occluded joint is filled outside the canvas, none far off.
"""

from __future__ import annotations

import numpy as np

from lib_posefill.completion import complete_arrays
from lib_posefill.filler import Filler
from lib_posefill.options import Options

from .protocol import Cases
from .report import beyond_edges

PAD = 4.0
"""The padded canvas is this many times as wide and as tall as the person's own."""
FAR = 2.0
"""A fill more than this many torso lengths from the truth is counted as far off."""
MOVED = 1.0
"""A fill that the padding moves by more than this many torso lengths was thrown by the empty canvas."""


def padded(cases: Cases, seed: int) -> Cases:
    """The cases on a canvas PAD times as large, the original canvas at a random place inside it."""
    rng = np.random.default_rng([seed, 4])
    size = cases.frame[:, 2:] - cases.frame[:, :2]
    before = rng.random((len(size), 2)) * (PAD - 1) * size
    frame = np.concatenate([cases.frame[:, :2] - before, cases.frame[:, 2:] + (PAD - 1) * size - before], 1)
    return Cases(cases.family, cases.truth, cases.labelled, cases.present, frame, cases.torso)


def canvas_scores(filler: Filler, cases: Cases, seed: int, options: Options | None = None) -> dict:
    """Mean error on the tight and the padded canvas (hidden scored joints / torso), their ratio, the share of
    hidden joints filled outside the padded canvas, the largest error, the share beyond FAR torso lengths, and the
    share that the padding moved by more than MOVED torso lengths."""
    options = options or Options()
    big = padded(cases, seed)
    want = cases.scored
    errors, fills = [], []
    for c in (cases, big):
        done = complete_arrays(c.truth, c.present, c.frame, options, filler)
        fills.append(done.xy)
        errors.append(
            np.linalg.norm(done.xy - c.truth, axis=-1)[want] / np.broadcast_to(c.torso[:, None], want.shape)[want]
        )
    outside = beyond_edges(done.xy, big.frame).any(-1)[want]
    moved = np.linalg.norm(fills[1] - fills[0], axis=-1)[want] / np.broadcast_to(cases.torso[:, None], want.shape)[want]
    return {
        "cases": len(cases.truth),
        "tight": float(errors[0].mean()),
        "padded": float(errors[1].mean()),
        "ratio": float(errors[1].mean() / errors[0].mean()) if errors[0].mean() > 0 else float("nan"),
        "outside": float(outside.mean()),
        "worst": float(errors[1].max()),
        "far": float((errors[1] > FAR).mean()),
        "moved": float((moved > MOVED).mean()),
    }
