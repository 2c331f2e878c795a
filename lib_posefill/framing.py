"""``framing=fit``, the one place it is applied: zoom out (never in) and shift a document's points into its
picture with the margin. ``complete`` and ``render`` call it; a video's frames share one zoom and shift."""

from __future__ import annotations

import numpy as np

from .document import PoseDocument, parts_of, present_points
from .options import Options
from .suspicious import absurd_points


@np.errstate(all="ignore")  # absurd coordinates (1e308) may overflow on the way; the result stays finite
def fit_transform(pts: np.ndarray, frame: np.ndarray, margin: float) -> tuple[float, np.ndarray, np.ndarray] | None:
    """For points (M, 2): (scale, centre, shift) that zoom out (never in) about the frame's centre and shift them
    into the frame with the margin, or None when they already fit."""
    if not len(pts):
        return None
    x0, y0, x1, y1 = (float(v) for v in frame)
    mx, my = margin * (x1 - x0), margin * (y1 - y0)
    region = np.array([x0 + mx, y0 + my, x1 - mx, y1 - my])
    lo, hi = pts.min(0), pts.max(0)
    if (lo >= region[:2]).all() and (hi <= region[2:]).all():
        return None
    size = np.maximum(hi - lo, 1e-9)
    scale = min(1.0, *((region[2:] - region[:2]) / size))
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    lo, hi = centre + scale * (lo - centre), centre + scale * (hi - centre)
    shift = np.where(lo < region[:2], region[:2] - lo, np.where(hi > region[2:], region[2:] - hi, 0.0))
    return scale, centre, shift


@np.errstate(all="ignore")
def move_document(doc: PoseDocument, scale: float, centre: np.ndarray, shift: np.ndarray) -> None:
    """Scale every present point of the document about ``centre``, then shift it, in place."""
    for part in (part for person in doc.people for part in parts_of(person)):
        part.xy = np.where(part.present[:, None], centre + scale * (part.xy - centre) + shift, part.xy)


def fittable(pts: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The points framing fits: absurd ones (``suspicious.absurd_points``) are moved along but not fitted, as they
    would shrink the rest to a point."""
    return pts[~absurd_points(pts[None], box)[0]]


def picture(doc: PoseDocument, frame: np.ndarray | None = None) -> np.ndarray:
    """The picture a document was seen in, [x0, y0, x1, y1]: its canvas unless a frame is given."""
    return np.array([0.0, 0.0, doc.width, doc.height]) if frame is None else np.asarray(frame, dtype=np.float64)


def apply_framing(
    docs: list[PoseDocument],
    options: Options,
    boxes: list[np.ndarray] | None = None,
    together: np.ndarray | None = None,
) -> None:
    """With ``framing=fit``, fit each document into its box (default: its canvas), in place; ``keep`` changes
    nothing. ``together`` (a video: per document the factor from its pixels to the first box's) fits every
    document with one zoom and shift, so people do not jump between frames. A document is framed once: a
    completed one is not framed again when it is drawn."""
    if options.framing != "fit" or not docs or all(d.framed for d in docs):
        return
    boxes = boxes or [picture(d) for d in docs]
    if together is None:
        for doc, box in zip(docs, boxes, strict=True):
            move = None if doc.framed else fit_transform(fittable(present_points(doc), box), box, options.margin)
            if move is not None:
                move_document(doc, *move)
            doc.framed = True
        return
    pts = np.concatenate([present_points(d) * s for d, s in zip(docs, together)] or [np.zeros((0, 2))])
    move = fit_transform(fittable(pts, boxes[0]), boxes[0], options.margin)
    for doc, s in zip(docs, together):
        if move is not None:
            scale, centre, shift = move
            move_document(doc, scale, centre / s, shift / s)
        doc.framed = True
