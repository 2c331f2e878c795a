"""Sequence mode: complete the frames of a video as one whole.

1. People are tracked from frame to frame (``tracking``); each person keeps one ``posefill.track`` id.
2. A joint missing in a frame but seen in other frames of the same track is carried over (``memory``).
3. The model fills the rest, every frame of every track in one call, with the carried joints as evidence.
4. A seeded alternative is one offset from the best guess per track (in body sizes), the most typical of the
   per-frame offsets, so the same seed gives the same kind of legs in every frame.
5. Filled joints are steadied along time without moving any given joint (``steady``), then the options'
   scope, neck rule, hands and faces and framing apply as for single documents.

With ``suspicious=refill`` each frame's detections are checked first as for single documents
(``suspicious.find_suspicious``): the joints it takes out are tracked, carried over and filled like missing ones
and listed in ``posefill.replaced``.

Coordinates are compared across frames in the first frame's canvas: a frame with another canvas size of the
same shape (aspect ratio) is taken to show the same picture at another resolution. A frame of another shape (a
crop, another export) cannot be placed in the first frame's picture, so the clip is refused, naming that frame.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..completion import (
    Bodies,
    Completion,
    add_hands,
    apply_fill,
    apply_findings,
    gather_bodies,
    predict_rows,
    skip_reasons,
    store_results,
)
from ..document import PoseDocument
from ..errors import PoseFillError
from ..filler import Filler, seed_array
from ..framing import apply_framing, picture
from ..options import Options
from ..suspicious import Findings, find_suspicious
from .memory import carry_over
from .steady import steady
from .timeline import lay_out
from .tracking import fallback_sizes, track_people

CONDITION_WEIGHT = 0.5
"""Carried joints at least this trusted are evidence for the model."""
SEED_SAMPLE = 32
"""Frames per track whose seeded offsets are compared to pick the track's most typical one."""
SHAPE_TOLERANCE = 0.01
"""Canvases whose aspect ratios differ by at most this share are one picture's shape (rounded resizes)."""


class CanvasShapeError(PoseFillError):
    """A sequence whose frames are pictures of different shapes; ``frame`` is the first such frame's index."""

    def __init__(self, message: str, *, where: str = "", frame: int = 0) -> None:
        super().__init__(message, where=where)
        self.frame = frame


def check_shapes(docs: list[PoseDocument]) -> None:
    """CanvasShapeError at the first frame whose canvas has another aspect ratio than the first frame's."""
    if not docs:
        return
    first = docs[0].width / docs[0].height
    for i, d in enumerate(docs):
        if abs(d.width / d.height / first - 1) > SHAPE_TOLERANCE:
            raise CanvasShapeError(
                f"canvas {d.width:g}x{d.height:g} has another shape than the first frame's "
                f"{docs[0].width:g}x{docs[0].height:g}; sequence mode needs every frame of one picture shape "
                "(complete frames of another shape as a sequence of their own, or without sequence mode)",
                where=f"[{i}]",
                frame=i,
            )


@np.errstate(all="ignore")  # absurd coordinates (1e308) overflow on the way; non-finite results are handled
def complete_frames(docs: list[PoseDocument], options: Options, filler: Filler) -> list[PoseDocument]:
    """Complete parsed documents as consecutive frames of one video, in place (as ``completion.complete`` does,
    with a ``track`` in every record and one framing for all frames); returns ``docs``.
    CanvasShapeError when the frames' canvases differ in shape."""
    check_shapes(docs)
    boxes = [picture(d) for d in docs]
    bodies = gather_bodies(docs, boxes)
    ref = np.array([docs[0].width, docs[0].height]) if docs else np.ones(2)
    to_ref = np.array([ref / (d.width, d.height) for d in docs]).reshape(-1, 2)
    tracks = np.zeros(0, dtype=int)
    result = None
    refill = options.suspicious == "refill"
    if len(bodies.xy):
        k = to_ref[bodies.doc][:, None, :]
        found = find_suspicious(filler, bodies.xy, bodies.present, bodies.frame, True) if refill else None
        work = bodies if found is None else replace(bodies, xy=found.xy, present=bodies.present & ~found.replaced)
        tracks = track_people(work.doc, work.xy * k, work.present, fallback_sizes(np.full(len(k), ref[1])))
        est, skipped = _estimate(work, k, tracks, options, filler)
        result = _fill(bodies, found, est / k, skipped, options)
    store_results(docs, result, [int(t) if t >= 0 else None for t in tracks], refill)
    add_hands(docs, result, options)
    apply_framing(docs, options, [np.array([0.0, 0.0, *ref])], together=to_ref)
    return docs


def _fill(bodies: Bodies, found: Findings | None, est: np.ndarray, skipped: list, options: Options) -> Completion:
    """The estimates put in as ``completion.complete_arrays`` does: with ``suspicious=refill`` (``found``) the
    joints it takes out are filled and listed, swapped twins exchanged back, collapsed people skipped."""
    if found is None:
        return apply_fill(bodies.xy, bodies.present, bodies.frame, options, est, skipped)
    for i in np.flatnonzero(found.collapsed):
        skipped[i] = found.notes[i][-1]
    done = apply_findings(bodies.xy, bodies.present, bodies.frame, options, est, skipped, found)
    done.warnings = found.notes
    return done


def _estimate(bodies: Bodies, k: np.ndarray, tracks: np.ndarray, options: Options, filler: Filler):
    """Every joint's estimate (N, 18, 2) in reference coordinates, and why each person is skipped (or None)."""
    skipped = skip_reasons(bodies.present, options)
    ok = np.array([s is None for s in skipped])
    given = bodies.present
    hinted = bodies.hint_present & ~given
    line = lay_out(tracks, bodies.doc)
    xy_ref, wanted = bodies.xy * k, ok[:, None] & ~(given | hinted)
    carried, trust = np.zeros(bodies.xy.shape), np.zeros(given.shape)
    for part in line.blocks():
        c, w = carry_over(
            line.gather(xy_ref, part=part),
            line.gather(given, False, part),
            line.track[part],
            line.gather(wanted, False, part),
        )
        line.scatter(c, carried, part)
        line.scatter(w, trust, part)

    a = np.flatnonzero(ok)
    guess = _model_guesses(bodies, k, a, carried, trust >= CONDITION_WEIGHT, options, filler)
    plain, main = guess.plain, guess.main
    if guess.seeded is not None:
        offset = _typical_offsets(guess.seeded, main, tracks[a], guess.seeded_failed)
        main, plain = main + offset, plain + offset
    for i, reason in zip(a, guess.reasons):
        skipped[i] = reason
    est = np.full(bodies.xy.shape, np.nan)
    mix = trust[a, :, None]
    est[a] = np.where(mix > 0, mix * carried[a] + (1 - mix) * plain, main)
    est = np.where(hinted[..., None], bodies.hint_xy * k, est)

    estimated = np.array([s is None for s in skipped])[:, None] & ~given & np.isfinite(est).all(-1)
    size = np.full(len(est), np.nan)
    size[a] = _radius(main)
    steadied = est.copy()
    plain_est = np.nan_to_num(est)
    for part in line.blocks():
        out = steady(
            line.gather(xy_ref, part=part),
            line.gather(given, False, part),
            line.gather(plain_est, part=part),
            line.gather(estimated, False, part),
            line.track[part],
            line.gather(size, np.nan, part),
        )
        line.scatter(out, steadied, part)
    on_line = line.step >= 0
    return np.where(on_line[:, None, None] & estimated[..., None], steadied, est), skipped


@dataclass
class Guesses:
    """The model's guesses for people ``a`` (reference coordinates), from one call."""

    plain: np.ndarray  # (A, 18, 2) from each person's given and hinted joints
    main: np.ndarray  # (A, 18, 2) with the trusted carried joints as evidence too (plain where there are none)
    seeded: np.ndarray | None  # (A, 18, 2) the seeded version of main, with a seed
    seeded_failed: np.ndarray | None  # (A,) seeded rows without a guess
    reasons: list[str | None]  # per person why it has no guess, or None


def _model_guesses(bodies: Bodies, k: np.ndarray, a: np.ndarray, carried, condition, options: Options, filler):
    """Guesses for the people ``a``: every person as given, those with ``condition`` carried joints again with
    them as evidence, and with a seed the seeded version of the latter, all in one model call."""
    given = bodies.present
    evidence = given | bodies.hint_present
    evidence_xy = np.where(given[..., None], bodies.xy, bodies.hint_xy)
    b = a[condition[a].any(1)]
    main_rows = np.where(np.isin(a, b), len(a) + np.searchsorted(b, a), np.arange(len(a)))
    xy = np.concatenate([evidence_xy[a], np.where(condition[b, :, None], carried[b] / k[b], evidence_xy[b])])
    ev = np.concatenate([evidence[a], evidence[b] | condition[b]])
    people = np.concatenate([a, b])
    seeds = seed_array(None, len(xy))
    if options.seed is not None:
        xy, ev, people = np.concatenate([xy, xy[main_rows]]), np.concatenate([ev, ev[main_rows]]), np.r_[people, a]
        seeds = np.r_[seeds, seed_array(options.seed, len(a))]
    pred, reasons = predict_rows(filler, xy, ev, bodies.frame[people], seeds)
    pred = pred * k[people]
    failed = np.array([r is not None for r in reasons], dtype=bool)
    plain = pred[: len(a)]
    main = np.where(failed[main_rows][:, None, None], plain, pred[main_rows])
    seeded = slice(len(a) + len(b), None)
    with_seed = options.seed is not None
    return Guesses(
        plain, main, pred[seeded] if with_seed else None, failed[seeded] if with_seed else None, reasons[: len(a)]
    )


def _radius(pose: np.ndarray) -> np.ndarray:
    """(N,) RMS distance of a whole pose's joints from their centre: the body size the model drew."""
    return np.sqrt(((pose - pose.mean(1, keepdims=True)) ** 2).sum(-1).mean(1))


def _typical_offsets(seeded: np.ndarray, best: np.ndarray, tracks: np.ndarray, failed: np.ndarray) -> np.ndarray:
    """Per person the seeded-minus-best offset its track shares: the medoid of the track's per-frame offsets
    (in body sizes, over up to ``SEED_SAMPLE`` frames), scaled back to each frame's body size."""
    size = _radius(best)[:, None, None]
    rel = (seeded - best) / size
    out = np.zeros_like(best)
    for t in np.unique(tracks):
        mine = np.flatnonzero((tracks == t) & ~failed & np.isfinite(rel).all((1, 2)))
        if not len(mine):
            continue
        sample = mine[np.linspace(0, len(mine) - 1, min(len(mine), SEED_SAMPLE)).astype(int)]
        flat = rel[sample].reshape(len(sample), -1)
        medoid = flat[np.argmin(np.linalg.norm(flat[:, None] - flat[None], axis=-1).sum(1))]
        out[tracks == t] = medoid.reshape(best.shape[1:])
    return out * size
