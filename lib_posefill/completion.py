"""Completing bodies: which joints to fill (scope), the neck rule, hints from hands and face, framing.

``complete_arrays`` is the array-level core shared by every entry point; ``complete`` applies it to parsed
documents in one batch, gives each person its ``posefill`` record, adds hands and faces at filled joints
(``hands``) and applies the framing: parsed documents in, the same documents completed out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import compress

import numpy as np

from .document import PoseDocument
from .filler import Filler, seed_array
from .framing import apply_framing, picture
from .hands import attach
from .options import Options
from .skeleton import (
    HEAD_JOINTS,
    JOINT_NAMES,
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
from .suspicious import Findings, absurd_points, find_suspicious

log = logging.getLogger("posefill")
PERSON_WARNING = "posefill_person_warning"
"""Set on the log records of a person's warnings (the CLI prints those itself, with the file's path)."""

LIMB_MASK = np.isin(np.arange(NUM_JOINTS), LIMB_JOINTS)
HEAD_MASK = np.isin(np.arange(NUM_JOINTS), HEAD_JOINTS)
FACE_NOSE_TIP = 30  # 68/70-point face: nose tip, right eye 36..41, left eye 42..47 (the person's own sides)
FACE_R_EYE = slice(36, 42)
FACE_L_EYE = slice(42, 48)


@dataclass
class Completion:
    """Result of a fill: every person's joints after the fill, and what was added, replaced or skipped."""

    xy: np.ndarray  # (N, 18, 2) pixels
    present: np.ndarray  # (N, 18) bool, after the fill
    filled: np.ndarray  # (N, 18) bool, joints PoseFill added
    skipped: list[str | None]  # per person: why it was left unchanged, or None
    replaced: np.ndarray | None = None  # (N, 18) bool, detected joints taken out and filled (suspicious=refill)
    warnings: list[list[str]] | None = None  # per person: one-line warnings (absurd input, a failed fill)


CHUNK_ROWS = 4096
"""Rows per filler call: a batch of any size needs the memory of one chunk. The model takes about 10 kB a row
while it runs (measured: 10,000 rows in one call +106 MB resident, in calls of 4,096 +51 MB, at the same speed)."""


def predict_rows(
    filler: Filler,
    xy: np.ndarray,
    evidence: np.ndarray,
    frame: np.ndarray,
    seeds: np.ndarray,
    made: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, list[str | None]]:
    """``filler.predict`` on N rows (in chunks of CHUNK_ROWS) that never raises: (N, 18, 2) predictions and, per
    row, why it has none (the call failed, or the model returned non-finite coordinates) or None. ``made``: (N,)
    rows already predicted (in the screen's network call, ``Findings.fill``) and their predictions (N, 18, 2)."""
    n = len(xy)
    pred = np.empty((n, NUM_JOINTS, 2))
    rows = np.arange(n) if made is None else np.flatnonzero(~made[0])
    if made is not None:
        pred[made[0]] = made[1][made[0]]
    reasons: list[str | None] = [None] * n
    try:  # absurd coordinates (1e308) may overflow inside the filler: non-finite results are handled below
        for lo in range(0, len(rows), CHUNK_ROWS):
            part = rows[lo : lo + CHUNK_ROWS]
            with np.errstate(all="ignore"):
                out = filler.predict(
                    np.where(evidence[part, :, None], xy[part], 0.0).astype(np.float32),
                    evidence[part],
                    np.asarray(frame[part]).astype(np.float32),
                    seeds[part],
                )
            out = np.asarray(out, dtype=np.float64)
            if out.shape != (len(part), NUM_JOINTS, 2):
                raise ValueError(f"filler returned shape {out.shape}")
            pred[part] = out
    except Exception as err:  # a failing fill must never lose the user's pose
        log.warning("PoseFill: fill failed, people left unrepaired: %s", err)
        pred[rows] = np.nan
        for i in rows.tolist():
            reasons[i] = f"fill failed: {err}"
    bad = ~np.isfinite(pred).all(2)
    for i in np.flatnonzero(bad.any(1)):
        if reasons[i] is None:
            names = ", ".join(JOINT_NAMES[j] for j in np.flatnonzero(bad[i]))
            reasons[i] = f"fill failed: the model returned non-finite coordinates for {names}"
    return pred, reasons


def skip_reasons(present: np.ndarray, options: Options) -> list[str | None]:
    """Per person: why it is left unchanged (fewer visible joints than ``min_visible``), or None."""
    return [
        None
        if v >= options.min_visible
        else f"only {v} visible body joints, fewer than min_visible={options.min_visible}"
        for v in present.sum(1).tolist()
    ]


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
    where the scope fills that joint, its position. Given joints are returned exactly as given, except those
    ``suspicious=refill`` replaces. Absurd joints (``suspicious.absurd_points``) are never evidence; with ``keep``
    they are returned as given, with a warning.
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, NUM_JOINTS, 2)
    present = np.asarray(present, dtype=bool).reshape(-1, NUM_JOINTS)
    n = len(xy)
    frame = np.asarray(frame, dtype=np.float64).reshape(-1, 4)
    if len(frame) != n:
        frame = np.broadcast_to(frame, (n, 4))
    if hint_xy is None or hint_present is None:
        hint_xy, hint_present = np.zeros_like(xy), np.zeros_like(present)
    if hint_present.any():
        hint_present = hint_present & ~absurd_points(hint_xy, frame)
    refill = options.suspicious == "refill"
    planned = None  # the best guess's input if the check finds nothing: filled in the screen's network call
    if refill and options.seed is None:
        planned = np.where(present[..., None], xy, hint_xy), present | hint_present
    found = find_suspicious(filler, xy, present, frame, refill, planned)  # None: nothing to do
    given = present if found is None else present & ~found.replaced
    evidence_given = given if found is None else given & ~found.absurd
    notes = [[] for _ in range(n)] if found is None else found.notes
    hint_present = hint_present & ~given
    skipped = skip_reasons(evidence_given, options)
    if found is not None:
        for i in np.flatnonzero(found.collapsed):
            skipped[i] = found.notes[i][-1]
    todo = np.array([s is None for s in skipped], dtype=bool)
    pred = np.full((n, NUM_JOINTS, 2), np.nan)
    if todo.any():
        evidence = evidence_given[todo] | hint_present[todo]
        detected = xy if found is None else found.xy
        evidence_xy = np.where(evidence_given[todo, :, None], detected[todo], hint_xy[todo])
        seeds = seed_array(options.seed, int(todo.sum()))
        made = None if found is None or found.fill is None else (found.fill_done[todo], found.fill[todo])
        pred[todo], reasons = predict_rows(filler, evidence_xy, evidence, frame[todo], seeds, made)
        for i, reason in zip(np.flatnonzero(todo), reasons):
            skipped[i] = reason
            if reason is not None:
                notes[i].append(reason + "; the person is left unrepaired")
        pred = np.where(hint_present[..., None], hint_xy, pred)
    done = (
        apply_fill(xy, present, frame, options, pred, skipped)
        if found is None
        else apply_findings(xy, present, frame, options, pred, skipped, found)
    )
    done.warnings = notes
    return done


def apply_findings(
    xy: np.ndarray,
    present: np.ndarray,
    frame: np.ndarray,
    options: Options,
    pred: np.ndarray,
    skipped: list[str | None],
    found: Findings,
) -> Completion:
    """``apply_fill`` with ``suspicious``'s findings (for people not ``skipped``): the joints it takes out are
    filled and listed in ``replaced``, swapped twins exchanged back, and no neck is made from an absurd shoulder
    it kept."""
    unchanged = np.array([s is not None for s in skipped], dtype=bool)[:, None]
    refill = found.replaced & ~unchanged
    base = np.where(unchanged[..., None], xy, found.xy)
    done = apply_fill(base, present & ~refill, frame, options, pred, skipped, refill)
    done.replaced = refill | (found.swapped & ~unchanged)
    kept_absurd = found.absurd & ~refill
    absurd_neck = done.filled[:, NECK] & (kept_absurd[:, R_SHOULDER] | kept_absurd[:, L_SHOULDER])
    done.filled[absurd_neck, NECK] = done.present[absurd_neck, NECK] = False
    done.xy[absurd_neck, NECK] = 0.0
    return done


def apply_fill(
    xy: np.ndarray,
    present: np.ndarray,
    frame: np.ndarray,
    options: Options,
    pred: np.ndarray,
    skipped: list[str | None],
    replaced: np.ndarray | None = None,
) -> Completion:
    """Put predictions (N, 18, 2) in where the scope fills them (and at every ``replaced`` joint), for people not
    ``skipped``; the neck rule.

    Given joints are returned exactly as given; skipped people come back unchanged.
    """
    out_xy = np.where(present[..., None], xy, 0.0)
    filled = np.zeros(present.shape, dtype=bool)
    filling = np.array([s is None for s in skipped], dtype=bool)
    todo = np.flatnonzero(filling)
    if len(todo):
        p, f = pred[todo], frame[todo]
        outside = (
            (p[..., 0] < f[:, None, 0])
            | (p[..., 1] < f[:, None, 1])
            | (p[..., 0] > f[:, None, 2])
            | (p[..., 1] > f[:, None, 3])
        )
        want = ~present[todo]
        if options.scope == "limbs":
            want &= LIMB_MASK | (HEAD_MASK & outside)
        elif options.scope == "outside":
            want &= outside
        if replaced is not None:
            want |= replaced[todo]
        filled[todo] = want
        out_xy[todo] = np.where(want[..., None], p, out_xy[todo])
    after = present | filled
    neck_rule = filling & ~present[:, NECK] & after[:, R_SHOULDER] & after[:, L_SHOULDER]
    if neck_rule.any():
        with np.errstate(over="ignore", invalid="ignore"):  # absurd shoulders: complete_arrays takes that neck back
            out_xy[neck_rule, NECK] = (out_xy[neck_rule, R_SHOULDER] + out_xy[neck_rule, L_SHOULDER]) / 2
        filled[neck_rule, NECK] = True
    if replaced is None:
        return Completion(out_xy, present | filled, filled, skipped, np.zeros(present.shape, dtype=bool))
    filled &= ~replaced
    return Completion(out_xy, present | filled | replaced, filled, skipped, replaced)


@np.errstate(over="ignore", invalid="ignore")  # absurd face points (1e308) average to inf: never evidence (absurd)
def document_hints(doc: PoseDocument) -> tuple[np.ndarray, np.ndarray]:
    """Hints per person with a body: wrists from hand root points, nose and eyes from the face."""
    people = [p for p in doc.people if p.body is not None]
    hint_xy = np.zeros((len(people), NUM_JOINTS, 2))
    hint_present = np.zeros((len(people), NUM_JOINTS), dtype=bool)
    for i, person in enumerate(people):
        if not person.parts:  # a body alone: no hints
            continue
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


@dataclass
class Bodies:
    """Every person with body keypoints, over all documents in order, as arrays."""

    doc: np.ndarray  # (N,) index of the person's document
    xy: np.ndarray  # (N, 18, 2) pixels
    present: np.ndarray  # (N, 18) bool
    frame: np.ndarray  # (N, 4) the picture of the person's document
    hint_xy: np.ndarray  # (N, 18, 2)
    hint_present: np.ndarray  # (N, 18) bool


def gather_bodies(docs: list[PoseDocument], boxes: list[np.ndarray]) -> Bodies:
    """The people with a body, with their document's picture and their hints from hands and face."""
    people = [(i, p) for i, d in enumerate(docs) for p in d.people if p.body is not None]
    hints = [document_hints(d) for d in docs]
    if not people:
        empty = np.zeros((0, NUM_JOINTS), dtype=bool)
        return Bodies(
            np.zeros(0, int), np.zeros((0, NUM_JOINTS, 2)), empty, np.zeros((0, 4)), np.zeros((0, NUM_JOINTS, 2)), empty
        )
    doc = np.array([i for i, _ in people])
    return Bodies(
        doc=doc,
        xy=np.stack([p.body.xy for _, p in people]),
        present=np.stack([p.body.present for _, p in people]),
        frame=np.asarray(boxes, dtype=np.float64)[doc],
        hint_xy=np.concatenate([h[0] for h in hints]),
        hint_present=np.concatenate([h[1] for h in hints]),
    )


def index_lists(mask: np.ndarray) -> list[list[int]]:
    """Per row of an (N, K) mask, the indices where it is set, as lists of ints."""
    columns = range(mask.shape[1])
    return [list(compress(columns, row)) for row in mask.tolist()]


def store_results(
    docs: list[PoseDocument],
    result: Completion | None,
    tracks: list[int | None] | None = None,
    refill: bool = False,
) -> None:
    """Put completed bodies back into the documents and give every person its ``posefill`` record
    (``Person.record``), in place. ``tracks`` (per body) adds a ``track`` to each record, ``refill`` the
    ``replaced`` joints; a person's warnings go into its record (``warnings``) and the log."""
    filled = index_lists(result.filled) if result is not None else []
    replaced = index_lists(result.replaced) if result is not None and refill else []
    k = 0
    for d, doc in enumerate(docs):
        for i, person in enumerate(doc.people):
            if person.body is None:
                person.record = {"filled": [], "skipped": "no body keypoints"}
                if tracks is not None:
                    person.record["track"] = None
                continue
            person.body.xy, person.body.present = result.xy[k], result.present[k]
            record: dict = {"filled": filled[k]}
            if refill:
                record["replaced"] = replaced[k]
            if result.skipped[k] is not None:
                record["skipped"] = result.skipped[k]
            if result.warnings and result.warnings[k]:
                record["warnings"] = result.warnings[k]
                who = f"document {d}, person {i}" if len(docs) > 1 else f"person {i}"
                for text in result.warnings[k]:
                    log.warning("PoseFill: %s: %s", who, text, extra={PERSON_WARNING: True})
            if tracks is not None:
                record["track"] = tracks[k]
            person.record = record
            k += 1


def add_hands(docs: list[PoseDocument], result: Completion | None, options: Options) -> None:
    """With ``hands`` auto: hands at filled wrists and faces at filled heads (``hands.attach``), in place."""
    if options.hands == "auto" and result is not None and result.filled.any():
        attach(docs, result.xy, result.present, result.filled, options.seed)


def complete(
    docs: list[PoseDocument], options: Options, filler: Filler, frames: list[np.ndarray | None] | None = None
) -> list[PoseDocument]:
    """Complete every person of every document in one filler batch, in place: bodies filled, records given, hands
    added, framing applied. ``frames``: per document the picture inside a padded canvas (None: the canvas).
    Returns ``docs``; ``document.write_documents`` turns them into JSON-ready dicts."""
    boxes = [picture(d, f) for d, f in zip(docs, frames or [None] * len(docs), strict=True)]
    bodies = gather_bodies(docs, boxes)
    result = None
    if len(bodies.xy):
        result = complete_arrays(
            bodies.xy, bodies.present, bodies.frame, options, filler, bodies.hint_xy, bodies.hint_present
        )
    store_results(docs, result, refill=options.suspicious == "refill")
    add_hands(docs, result, options)
    apply_framing(docs, options, boxes)
    return docs
