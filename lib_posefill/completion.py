"""Completing bodies: which joints to fill (scope), the neck rule, hints from hands and face, framing.

``complete_arrays`` is the array-level core shared by every entry point; ``complete_parsed`` applies it
to parsed documents in one batch and writes the output documents.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .document import PoseDocument, parts_of, present_points, write_document
from .filler import Filler
from .options import Options
from .skeleton import (
    HEAD_JOINTS,
    L_EYE,
    L_SHOULDER,
    L_WRIST,
    LIMB_JOINTS,
    NECK,
    NOSE,
    NUM_JOINTS,
    R_EYE,
    R_SHOULDER,
    R_WRIST,
)

log = logging.getLogger("posefill")

LIMB_MASK = np.isin(np.arange(NUM_JOINTS), LIMB_JOINTS)
HEAD_MASK = np.isin(np.arange(NUM_JOINTS), HEAD_JOINTS)
FACE_NOSE_TIP = 30  # 68/70-point face: nose tip, right eye 36..41, left eye 42..47 (the person's own sides)
FACE_R_EYE = slice(36, 42)
FACE_L_EYE = slice(42, 48)


@dataclass
class Completion:
    """Result of a fill: every person's joints after the fill, and what was added or skipped."""

    xy: np.ndarray  # (N, 18, 2) pixels
    present: np.ndarray  # (N, 18) bool, after the fill
    filled: np.ndarray  # (N, 18) bool, joints PoseFill added
    skipped: list[str | None]  # per person: why it was left unchanged, or None


def _seeds(n: int, seed: int | None) -> np.ndarray:
    return np.full(n, -1 if seed is None else seed, dtype=np.int64)


def complete_arrays(
    xy: np.ndarray,
    present: np.ndarray,
    frame: np.ndarray,
    options: Options,
    filler: Filler,
    hint_xy: np.ndarray | None = None,
    hint_present: np.ndarray | None = None,
) -> Completion:
    """Fill missing joints of N people. frame is (N, 4) [x0, y0, x1, y1]: the picture each was seen in.

    Hints (a wrist from a hand's root point, head points from the face) are evidence for the filler and,
    where the scope fills that joint, its position. Given joints are returned exactly as given.
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, NUM_JOINTS, 2)
    present = np.asarray(present, dtype=bool).reshape(-1, NUM_JOINTS)
    n = len(xy)
    frame = np.broadcast_to(np.asarray(frame, dtype=np.float64).reshape(-1, 4), (n, 4))
    if hint_xy is None or hint_present is None:
        hint_xy, hint_present = np.zeros_like(xy), np.zeros_like(present)
    hint_present = hint_present & ~present
    out_xy = np.where(present[..., None], xy, 0.0)
    filled = np.zeros_like(present)
    visible = present.sum(1)
    skipped: list[str | None] = [
        None
        if v >= options.min_visible
        else f"only {v} visible body joints, fewer than min_visible={options.min_visible}"
        for v in visible
    ]
    todo = np.flatnonzero(visible >= options.min_visible)
    if len(todo):
        evidence = present[todo] | hint_present[todo]
        evidence_xy = np.where(present[todo, :, None], xy[todo], hint_xy[todo])
        try:  # absurd coordinates (1e308) may overflow inside the filler: non-finite results are handled below
            with np.errstate(all="ignore"):
                pred = filler.predict(
                    np.where(evidence[..., None], evidence_xy, 0.0).astype(np.float32),
                    evidence,
                    frame[todo].astype(np.float32),
                    _seeds(len(todo), options.seed),
                )
            pred = np.asarray(pred, dtype=np.float64)
            if pred.shape != (len(todo), NUM_JOINTS, 2):
                raise ValueError(f"filler returned shape {pred.shape}")
        except Exception as err:  # a failing fill must never lose the user's pose
            log.warning("PoseFill: fill failed, people left unrepaired: %s", err)
            for i in todo:
                skipped[i] = f"fill failed: {err}"
            todo = todo[:0]
            pred = np.zeros((0, NUM_JOINTS, 2))
        ok = np.isfinite(pred).all((1, 2))
        for i in todo[~ok]:
            skipped[i] = "fill failed: the model returned non-finite coordinates"
        todo, pred = todo[ok], pred[ok]
        pred = np.where(hint_present[todo, :, None], hint_xy[todo], pred)
        f = frame[todo]
        outside = (
            (pred[..., 0] < f[:, None, 0])
            | (pred[..., 1] < f[:, None, 1])
            | (pred[..., 0] > f[:, None, 2])
            | (pred[..., 1] > f[:, None, 3])
        )
        want = ~present[todo]
        if options.scope == "limbs":
            want &= LIMB_MASK | (HEAD_MASK & outside)
        elif options.scope == "outside":
            want &= outside
        filled[todo] = want
        out_xy[todo] = np.where(want[..., None], pred, out_xy[todo])
    after = present | filled
    neck_rule = ~present[:, NECK] & after[:, R_SHOULDER] & after[:, L_SHOULDER]
    neck_rule[[s is not None for s in skipped]] = False
    out_xy[neck_rule, NECK] = (out_xy[neck_rule, R_SHOULDER] + out_xy[neck_rule, L_SHOULDER]) / 2
    filled[neck_rule, NECK] = True
    return Completion(xy=out_xy, present=present | filled, filled=filled, skipped=skipped)


def document_hints(doc: PoseDocument) -> tuple[np.ndarray, np.ndarray]:
    """Hints per person with a body: wrists from hand root points, nose and eyes from the face."""
    people = [p for p in doc.people if p.body is not None]
    hint_xy = np.zeros((len(people), NUM_JOINTS, 2))
    hint_present = np.zeros((len(people), NUM_JOINTS), dtype=bool)
    for i, person in enumerate(people):
        for key, joint in (("hand_right_keypoints_2d", R_WRIST), ("hand_left_keypoints_2d", L_WRIST)):
            hand = person.parts.get(key)
            if hand is not None and len(hand.xy) and hand.present[0]:
                hint_xy[i, joint], hint_present[i, joint] = hand.xy[0], True
        face = person.parts.get("face_keypoints_2d")
        if face is not None and len(face.xy) >= 48:
            for joint, idx in (
                (NOSE, slice(FACE_NOSE_TIP, FACE_NOSE_TIP + 1)),
                (R_EYE, FACE_R_EYE),
                (L_EYE, FACE_L_EYE),
            ):
                seen = face.present[idx]
                if seen.all():
                    hint_xy[i, joint], hint_present[i, joint] = face.xy[idx].mean(0), True
    return hint_xy, hint_present


@np.errstate(all="ignore")  # absurd coordinates (1e308) may overflow on the way; the result stays finite
def fit_frame(doc: PoseDocument, frame: np.ndarray, margin: float) -> None:
    """framing=fit: zoom out (never in) and shift every point of the document into the frame, in place."""
    pts = present_points(doc)
    if not len(pts):
        return
    x0, y0, x1, y1 = (float(v) for v in frame)
    mx, my = margin * (x1 - x0), margin * (y1 - y0)
    region = np.array([x0 + mx, y0 + my, x1 - mx, y1 - my])
    lo, hi = pts.min(0), pts.max(0)
    if (lo >= region[:2]).all() and (hi <= region[2:]).all():
        return
    size = np.maximum(hi - lo, 1e-9)
    scale = min(1.0, *((region[2:] - region[:2]) / size))
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    lo, hi = centre + scale * (lo - centre), centre + scale * (hi - centre)
    shift = np.where(lo < region[:2], region[:2] - lo, np.where(hi > region[2:], region[2:] - hi, 0.0))
    for part in (part for person in doc.people for part in parts_of(person)):
        part.xy = np.where(part.present[:, None], centre + scale * (part.xy - centre) + shift, part.xy)


def complete_parsed(
    docs: list[PoseDocument], options: Options, filler: Filler, frames: list[np.ndarray | None] | None = None
) -> list[dict]:
    """Complete every person of every document in one filler batch; return the output documents."""
    frames = frames or [None] * len(docs)
    boxes = [
        np.array([0, 0, d.width, d.height], dtype=np.float64) if f is None else np.asarray(f, float)
        for d, f in zip(docs, frames, strict=False)
    ]
    bodies = [(box, p) for d, box in zip(docs, boxes, strict=False) for p in d.people if p.body is not None]
    hints = [document_hints(d) for d in docs]
    if bodies:
        result = complete_arrays(
            np.stack([p.body.xy for _, p in bodies]),
            np.stack([p.body.present for _, p in bodies]),
            np.stack([box for box, _ in bodies]),
            options,
            filler,
            np.concatenate([h[0] for h in hints]),
            np.concatenate([h[1] for h in hints]),
        )
    outputs = []
    k = 0
    for doc, box in zip(docs, boxes, strict=False):
        if not doc.people:  # nothing to fill: the document comes back as it was (no canvas keys added)
            outputs.append(dict(doc.raw))
            continue
        records = []
        for person in doc.people:
            if person.body is None:
                records.append({"filled": [], "skipped": "no body keypoints"})
                continue
            person.body.xy, person.body.present = result.xy[k], result.present[k]
            record: dict = {"filled": np.flatnonzero(result.filled[k]).tolist()}
            if result.skipped[k] is not None:
                record["skipped"] = result.skipped[k]
            records.append(record)
            k += 1
        if options.framing == "fit":
            fit_frame(doc, box, options.margin)
        outputs.append(write_document(doc, records))
    return outputs
