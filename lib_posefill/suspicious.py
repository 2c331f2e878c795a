"""Detected joints that the rest of the person makes implausible, for ``suspicious=refill`` (and absurd input).

Checked in this order, each on the detections the previous left:

- absurd: a coordinate that is not finite or lies farther outside the picture than ABSURD_FRAMES times its size
  (never used as evidence, whatever the option); with refill, a person whose joints all lie on one point is
  ``collapsed`` (skipped, with a warning);
- swap: an elbow, wrist, knee or ankle exchanged with its left/right twin: when the model's guesses for the pair
  (both hidden) fit them exchanged much better than as labelled (SWAP_GAIN, SWAP_RATIO), or somewhat better
  (SWAP_GAIN_LONG) when exchanging them also mends a span longer than any seen (``anatomy``), they are exchanged
  back (``_swaps``); a whole arm or leg labelled as the other (elbow and wrist, knee and ankle: SWAP_SETS) is
  tested when its upper bones cross at the root or a pair of it is suggested, and exchanged back at once when a row
  hiding all four joints fits them exchanged much better (WHOLE_GAIN, WHOLE_RATIO);
- snap: two joints closer than SNAP person-scale units (a detector parks an unseen joint on a visible one): the one
  the rest of the body explains worse is taken out when its leave-one-out guess misses it by Z_SNAP_EXACT expected
  errors (a person seen from the side can have both shoulders on one point); within SNAP_NEAR (a joint parked a
  few pixels off, as a detector's heatmap peak one cell away puts it) only when its leave-one-out guess also
  misses it by more than Z_SNAP_TWIN (parked on its left/right twin) or Z_SNAP and SNAP_OFF units (on any other
  joint) times its expected error;
- outlier: the model's leave-one-out guess misses the joint by more than Z_OUTLIER times its own expected error
  (the network's ``uncertainty`` head) and MIN_OFF person sizes; with anatomical evidence (``anatomy``: a span
  longer than any seen in COCO train; perspective only shortens them) less suffices: Z_LONG expected errors and
  OFF_LONG sizes when two of its spans are too long (the joint itself is off, not a neighbour: an elbow flung
  away stretches the upper arm and the forearm, a wrist the forearm and shoulder-wrist), Z_LONG_NEAR and
  OFF_LONG_NEAR when one is longer than LONG_NEAR of the longest seen. Sizes are the robust
  ``anatomy.person_size`` (torso lengths), which one wrong joint cannot move; expected errors are the network's
  own, so both carry over to a retrained model.

Beside these rules a learned judge (``suspicion_model``, a small network trained on COCO train people with broad
injected errors and detector jitter) reads the screened person whole and gives each joint a probability that it is
wrong and each twin pair one that it is exchanged. A joint above LEARNED is taken out like an outlier; a pair above
LEARNED_SWAP is exchanged back if the row hiding the pair agrees; and a rule's find stands only where the judge
gives it at least VOUCH (it vetoes the rules' false alarms on unusual but real poses). Without the judge's file the
rules work alone.

Leave-one-out over every joint would cost a model row per joint. Instead two screening rows per person hide
complementary halves of the body (SCREEN_GROUPS, twins together so the swap test comes free), and only joints the
screen marks (above Z_SCREEN, snapped, with a span too long, or above LEARNED) get their own leave-one-out row; up
to MAX_ROUNDS rounds, one joint per person each (the one ending the most spans too long, then the one farthest from
its guess), so one bad joint cannot get a good one taken out with it: its neighbour, guessed next to it, is checked
again without it (and its spans measured again). The rules' constants were calibrated on COCO train people with
injected errors (``python -m posefill_dev.evaluation.suspicious DATA``; the spans with ``--anatomy``), the judge's on
train people it was not trained on (``--grid 2``), never on val.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .anatomy import excess
from .baselines import COCO_MEAN_POSE
from .features import encode_fitted, fit
from .skeleton import JOINT_NAMES, MIRROR, NUM_JOINTS
from .suspicion_model import (
    FACE_PAIRS,
    TWIN_U,
    TWIN_V,
    TWINS,
    Screen,
    features,
    pair_fits,
    pair_sq,
    sq,
    suspicion_model,
    swap_gain,
)

ABSURD_FRAMES = 4.0
"""A coordinate farther than this many picture sizes (its longer side) outside the picture is absurd."""
COLLAPSE = 1e-3
"""Three or more joints all within this share of the picture's longer side of each other: a collapsed person."""
SCREEN_GROUPS = (
    np.isin(np.arange(NUM_JOINTS), (0, 1, 3, 6, 9, 12, 16, 17)),
    np.isin(np.arange(NUM_JOINTS), (2, 4, 5, 7, 8, 10, 11, 13, 14, 15)),
)
"""Joints hidden together in each screening row: elbows, knees, nose, neck and ears; then the rest. Every joint
is hidden in exactly one row, each twin pair in the same one, and an elbow or knee sees both its neighbours."""
ERROR_FLOOR = 0.05
"""Expected errors below this many person-scale units count as this (the head can be over-sure)."""
MEAN_TORSO = float(np.linalg.norm(COCO_MEAN_POSE[1] - (COCO_MEAN_POSE[8] + COCO_MEAN_POSE[11]) / 2))
"""A person without a bone to measure has the size of the mean pose fitted to its joints (``features.fit``)."""
Z_SCREEN = 2.5
SCREEN_OFF = 0.5
Z_OUTLIER = 8.0
MIN_OFF = 1.2
Z_LONG = 3.0
OFF_LONG = 0.3
LONG_NEAR = 0.9
Z_LONG_NEAR = 4.0
OFF_LONG_NEAR = 0.8
SNAP = 0.01
SNAP_NEAR = 0.1
Z_SNAP_EXACT = 2.0
Z_SNAP = 5.0
SNAP_OFF = 0.3
Z_SNAP_TWIN = 5.0
TWIN_PAIRS = np.zeros((NUM_JOINTS, NUM_JOINTS), dtype=bool)
TWIN_PAIRS[np.arange(NUM_JOINTS), MIRROR] = True
TWIN_PAIRS[0, 0] = TWIN_PAIRS[1, 1] = False
"""A joint and its left/right twin: where a detector parks an unseen joint (the hidden knee on the seen one)."""
SWAP_SCREEN = 1.0
SWAP_GAIN = 4.0
SWAP_RATIO = 0.3
SWAP_GAIN_LONG = 1.0
SWAP_SETS = ((0,), (1,), (2,), (3,), (0, 1), (2, 3))
"""Twin pairs of TWINS exchanged together: each pair alone, then a whole arm (elbows and wrists) and a whole leg
(knees and ankles), which a detector that takes one limb for the other exchanges at once."""
SET_PAIRS = np.array([(s[0], s[-1]) for s in SWAP_SETS])
SET_WHOLE = np.array([len(s) == 2 for s in SWAP_SETS])
UPPER_PAIRS = np.array([0, 2])
"""The elbows and the knees in TWINS (the wrists and ankles follow them)."""
LIMB_ROOTS = np.array([(2, 5), (8, 11)])
"""The shoulders above the elbows, the hips above the knees (right, left)."""
_ROOT_U, _ROOT_V = LIMB_ROOTS.T
_U, _V = TWIN_U[UPPER_PAIRS], TWIN_V[UPPER_PAIRS]
CROSS_ROOTS = np.concatenate([_ROOT_U, _ROOT_V, _ROOT_U, _ROOT_V])
CROSS_ENDS = np.concatenate([_U, _V, _V, _U])
"""The upper bones of ``_crossed``: as labelled (right root to right joint, left to left), then exchanged."""
WHOLE_GAIN = 1.0
WHOLE_RATIO = 0.5
WHOLE_VOUCH = 0.1
"""The judge's probability a whole limb's test needs (on one of its pairs or joints): it never saw a whole limb
exchanged, so it is asked less than for a pair (VOUCH); 0: the test alone."""
MAX_ROUNDS = 2
CHECK_PEOPLE = 1024
"""People checked at once: two screening rows each per step, plus rows for the few finds the judge can vouch for,
so a step stays within the fill's 4,096-row chunks (10,000 people at once took 0.6-0.9 GB)."""
PARALLEL_PEOPLE = 512
"""From this many people on, parts are checked on the filler's threads at once, one core each: the numpy work of one
part runs beside the network of the other (2 cores: 15-35 % more people a second for 512-4,096 people than one part
at a time on a two-thread network; the same at about 300-400 people, slower below)."""
LEARNED = 0.9
"""A joint the learned judge (``suspicion_model``) finds wrong with more than this probability is taken out."""
LEARNED_SWAP = 0.9
"""A twin pair it finds exchanged with more than this probability is exchanged back, if the row hiding the pair
agrees (exchanged fits better than labelled)."""
VOUCH = 0.6
"""A find of the rules stands only where the judge gives it at least this probability (the joint, or for a swap the
pair or either twin); without the judge's file the rules stand alone."""


@dataclass
class Findings:
    """What the check found, per person: the detections with swapped twins exchanged back, the joints to take out
    and fill, the twins exchanged back, the absurd joints, collapsed people and one-line notes; and, when the fill's
    input was given (``find_suspicious``'s ``fill``), the filled poses of the people the check found nothing in
    (``fill_done``), made in the screen's network call."""

    xy: np.ndarray  # (N, 18, 2)
    replaced: np.ndarray  # (N, 18) bool
    swapped: np.ndarray  # (N, 18) bool
    absurd: np.ndarray  # (N, 18) bool
    collapsed: np.ndarray  # (N,) bool
    notes: list[list[str]]
    fill: np.ndarray | None = None  # (N, 18, 2): meaningful where fill_done
    fill_done: np.ndarray | None = None  # (N,) bool


def absurd_points(xy: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """(N, M) points (N, M, 2) with a non-finite coordinate or one farther outside their frame (N, 4) than
    ABSURD_FRAMES times its longer side."""
    frame = np.asarray(frame, dtype=np.float64).reshape(-1, 1, 4)
    lo, hi = frame[..., :2], frame[..., 2:]
    reach = ABSURD_FRAMES * np.maximum((hi - lo).max(-1, keepdims=True), 1.0)
    return ~((xy >= lo - reach) & (xy <= hi + reach)).all(-1)  # NaN compares False: absurd


def absurd_joints(xy: np.ndarray, present: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """(N, 18) present joints with absurd coordinates (``absurd_points``)."""
    return present & absurd_points(xy, frame)


def collapsed_people(xy: np.ndarray, present: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """(N,) people with three or more present joints all within COLLAPSE of the frame's longer side of each other."""
    frame = np.asarray(frame, dtype=np.float64).reshape(-1, 4)
    side = np.maximum(np.maximum(frame[:, 2] - frame[:, 0], frame[:, 3] - frame[:, 1]), 1.0)
    mask = present[..., None]
    extent = (np.where(mask, xy, -np.inf).max(1) - np.where(mask, xy, np.inf).min(1)).max(1)
    return (present.sum(1) >= 3) & (extent <= COLLAPSE * side)


def point(xy: np.ndarray) -> str:
    return f"({xy[0]:.6g}, {xy[1]:.6g})"


def find_suspicious(
    filler, xy: np.ndarray, present: np.ndarray, frame: np.ndarray, refill: bool, fill=None
) -> Findings | None:
    """None when there is nothing to do (keep, nothing absurd). Absurd joints always; with ``refill`` also
    collapsed people and (with a filler that knows its expected error) swapped twins, snapped and outlying joints.
    ``fill``: the best-guess fill's input if nothing is found (joints (N, 18, 2), evidence (N, 18)), filled in the
    screen's network call (``Findings.fill``)."""
    xy = np.asarray(xy, dtype=np.float64)
    absurd = absurd_joints(xy, present, frame)
    if not refill and not absurd.any():  # keep, nothing absurd: the fill as before
        return None
    collapsed = collapsed_people(xy, present & ~absurd, frame) if refill else np.zeros(len(xy), dtype=bool)
    notes: list[list[str]] = [[] for _ in xy]
    for i in np.flatnonzero(absurd.any(1)):
        joints = np.flatnonzero(absurd[i])
        named = ", ".join(f"{JOINT_NAMES[j]} at {point(xy[i, j])}" for j in joints[:3])
        more = f" and {len(joints) - 3} more" if len(joints) > 3 else ""
        what = "replaced" if refill else "not used for the fill, kept as given"
        notes[i].append(f"{named}{more} far outside the picture ({what})")
    for i in np.flatnonzero(collapsed):
        notes[i].append(
            f"all {int((present[i] & ~absurd[i]).sum())} joints lie on one point {point(xy[i][present[i]][0])}"
        )
    replaced = absurd.copy() if refill else np.zeros(absurd.shape, dtype=bool)
    out = Findings(
        np.where(absurd[..., None], 0.0, xy), replaced, np.zeros(absurd.shape, dtype=bool), absurd, collapsed, notes
    )
    if refill and hasattr(filler, "guess"):
        todo = np.flatnonzero(~collapsed & ((present & ~absurd).sum(1) >= 3))
        if fill is not None:
            out.fill, out.fill_done = np.empty_like(xy), np.zeros(len(xy), dtype=bool)
        frame = np.asarray(frame)
        parts, workers = _parts(filler, todo)

        def check(part):
            fill_part = None if fill is None else (fill[0][part], fill[1][part] & ~absurd[part])
            worker = filler.one_thread() if workers > 1 else filler
            return _check(worker, out.xy[part], present[part] & ~absurd[part], frame[part], fill_part)

        if workers > 1:
            suspicion_model()  # loaded once, before the threads
            with ThreadPoolExecutor(workers) as pool:
                results = list(pool.map(check, parts))
        else:
            results = map(check, parts)
        for part, (fixed_xy, wrong, swapped, filled) in zip(parts, results, strict=True):
            out.xy[part] = fixed_xy
            out.replaced[part] |= wrong
            out.swapped[part] = swapped
            if filled is not None:
                out.fill[part] = filled
                out.fill_done[part] = ~(out.replaced[part] | swapped).any(1)
    out.xy = np.where(absurd[..., None], xy, out.xy)
    return out


def _parts(filler, todo: np.ndarray) -> tuple[list[np.ndarray], int]:
    """The people to check split into parts (people are checked independently), and how many threads check them:
    the filler's (``OnnxFiller.one_thread``) from PARALLEL_PEOPLE people on, one otherwise. The parts in work at
    once hold at most CHECK_PEOPLE people."""
    workers = getattr(filler, "threads", 1) if len(todo) >= PARALLEL_PEOPLE and hasattr(filler, "one_thread") else 1
    count = max(-(-len(todo) // (CHECK_PEOPLE // workers)), workers)
    return ([todo] if count == 1 else np.array_split(todo, count)) if len(todo) else [], workers


def _rows_error(filler, xy, evidence, frame, scale):
    pred, err = filler.predict_with_error(
        np.where(evidence[..., None], xy, 0.0).astype(np.float32), evidence, frame.astype(np.float32)
    )
    return _usable(pred, err, scale)


def _usable(pred: np.ndarray, err: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Guesses in float64 and expected errors that are never NaN (inf: the largest finite) nor below ERROR_FLOOR."""
    err = np.where(np.isnan(err), np.inf, np.minimum(err, np.finfo(err.dtype).max))
    err = np.maximum(err, ERROR_FLOOR * scale[:, None])
    return pred.astype(np.float64), err


def screen(filler, xy: np.ndarray, present: np.ndarray, frame: np.ndarray) -> Screen:
    """The person's fit, and every joint's guess and expected error from two rows a person that hide complementary
    halves of the body (SCREEN_GROUPS). They run in the person's canonical orientation without blending the other
    (``OnnxFiller.blended``): a screen only points at joints to check, and blending cost a person near the
    boundary two more rows."""
    return _screen(filler, xy, present, frame)[0]


def _screen(filler, xy, present, frame, fill=None) -> tuple[Screen, np.ndarray | None]:
    """``screen``, and with ``fill`` (joints, evidence) the filled poses (N, 18, 2) from the same network call
    (``OnnxFiller.guess``, blended as a fill is): a call costs about as much for one row as for three. The person
    itself is encoded with the rows, for the judge."""
    n = len(xy)
    group_a, group_b = SCREEN_GROUPS
    rows_xy, evidence = [xy] * 3, [present, present & ~group_a, present & ~group_b]
    if fill is not None:
        rows_xy.append(fill[0])
        evidence.append(fill[1])
    rows_xy, evidence = np.concatenate(rows_xy), np.concatenate(evidence)
    rows_xy = np.where(evidence[..., None], rows_xy, 0.0).astype(np.float32)
    frames = np.concatenate([frame] * (len(rows_xy) // n)).astype(np.float32)
    scale, shift = fit(rows_xy, evidence, frames)
    encoded = encode_fitted(rows_xy, evidence, frames, scale, shift)
    rows = slice(n, None)
    blend = False if fill is None else np.arange(len(rows_xy) - n) >= 2 * n
    guess, err, logits = filler.guess(encoded[rows], scale[rows], shift[rows], blend)
    pred, err = _usable(guess[: 2 * n], err[: 2 * n], np.concatenate([scale[:n], scale[:n]]).astype(np.float64))
    pred = np.where(group_a[None, :, None], pred[:n], pred[n:])
    err = np.where(group_a[None], err[:n], err[n:])
    filled = None
    if fill is not None:
        last = slice(3 * n, None)
        filled = filler.finish(
            rows_xy[last], evidence[last], frames[last], guess[2 * n :], logits[2 * n :], scale[last]
        )
    gain = swap_gain(xy, pred, err)
    return Screen(scale[:n], encoded[:n], pred, err, *gain), filled


def judge_inputs(xy, present, frame, screened: Screen) -> np.ndarray:
    """The learned judge's input rows (``suspicion_model.features``) for the screened detections."""
    return features(xy, present, frame, screened, *_anatomy(xy, present, screened.scale.astype(np.float64)))


def _check(filler, xy: np.ndarray, present: np.ndarray, frame: np.ndarray, fill=None):
    """The detections with swapped twins exchanged back, (N, 18) the joints to take out, the twins exchanged, and
    with ``fill`` the filled poses (``_screen``)."""
    n = len(xy)
    frame = np.asarray(frame, dtype=np.float64)
    screened, filled = _screen(filler, xy, present, frame, fill)
    scale, pred, err = screened.scale.astype(np.float64), screened.pred, screened.err
    size, worst, too_long = _anatomy(xy, present, scale)
    learned, learned_pair, vouch = _judge(xy, present, frame, screened, (size, worst, too_long))
    xy, swapped = _swaps(filler, xy, present, frame, scale, screened.gain, (learned, learned_pair, vouch))
    wrong = np.zeros(present.shape, dtype=bool)
    if swapped.any():  # spans measured again with the twins exchanged back (and left out)
        size, worst, too_long = _anatomy(xy, present & ~swapped, scale)
    off = np.sqrt(sq(xy - pred))
    candidate = present & ~swapped & (off > Z_SCREEN * err) & (off > SCREEN_OFF * size[:, None])
    candidate |= present & ~swapped & ((worst > LONG_NEAR) | (learned > LEARNED))
    gap = pair_sq(xy)
    pairs = present[:, :, None] & present[:, None] & ~swapped[:, :, None] & ~swapped[:, None]
    pairs &= ~FACE_PAIRS
    snapped = pairs & (gap < (SNAP * scale[:, None, None]) ** 2)
    near = pairs & (gap < (SNAP_NEAR * scale[:, None, None]) ** 2)
    near_twin = near & TWIN_PAIRS
    candidate |= near.any(2)
    candidate &= (learned >= vouch) | (learned > LEARNED)  # no row for a find the judge could not let stand
    for _ in range(MAX_ROUNDS):
        person, joint = np.nonzero(candidate)
        if not len(person):
            break
        evidence = present[person] & ~wrong[person]
        evidence[np.arange(len(person)), joint] = False
        p, e = _rows_error(filler, xy[person], evidence, frame[person], scale[person])
        k = np.arange(len(person))
        miss = np.sqrt(sq(xy[person, joint] - p[k, joint]))
        z = miss / e[k, joint]
        vouched = learned[person, joint] >= vouch
        is_snap = vouched & (
            (snapped[person, joint].any(1) & (z > Z_SNAP_EXACT))
            | (near_twin[person, joint].any(1) & (z > Z_SNAP_TWIN))
            | (near[person, joint].any(1) & (z > Z_SNAP) & (miss > SNAP_OFF * scale[person]))
        )
        size_p = size[person]
        outlier = vouched & (
            ((z > Z_OUTLIER) & (miss > MIN_OFF * size_p))
            | ((too_long[person, joint] >= 2) & (z > Z_LONG) & (miss > OFF_LONG * size_p))
            | ((worst[person, joint] > LONG_NEAR) & (z > Z_LONG_NEAR) & (miss > OFF_LONG_NEAR * size_p))
        )
        outlier |= learned[person, joint] > LEARNED
        # blamed first: the joint ending the most spans too long (an elbow flung away, not the wrist guessed from
        # it), then the farthest off its guess (miss / (miss + size) < 1 orders by the miss within a span count)
        score = np.where(is_snap | outlier, too_long[person, joint] + miss / (miss + size_p), -np.inf)
        best = np.full(n, -np.inf)
        np.maximum.at(best, person, score)
        take = np.isfinite(score) & (score == best[person])
        first = np.zeros(n, dtype=bool)
        for i, j in zip(person[take], joint[take], strict=True):  # one joint per person and round
            if not first[i]:
                first[i] = True
                wrong[i, j] = True
                candidate[i, j] = False
                for m in (snapped, near, near_twin):
                    m[i, :, j] = m[i, j, :] = False
        candidate &= first[:, None] & ~wrong  # only people with a find get another round
        if first.any():  # spans measured again without the joints taken out
            _, worst[first], too_long[first] = _anatomy(
                xy[first], present[first] & ~swapped[first] & ~wrong[first], scale[first]
            )
        candidate[person[~is_snap & ~outlier], joint[~is_snap & ~outlier]] = False
    return xy, wrong, swapped, filled


def _judge(xy, present, frame, screened: Screen, anatomy) -> tuple[np.ndarray, np.ndarray, float]:
    """The learned judge's (N, 18) probability that each joint is wrong and (N, 4) that each twin pair is
    exchanged (``suspicion_model``) given the detections' ``anatomy`` (``_anatomy``), and the probability that
    vouches for a rule's find (VOUCH); zeros without its model file (no vouching needed)."""
    judge = suspicion_model()
    if judge is None:
        return np.zeros(present.shape), np.zeros((len(xy), len(TWINS))), 0.0
    return *judge(features(xy, present, frame, screened, *anatomy)), VOUCH


def _anatomy(xy: np.ndarray, present: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``anatomy.excess``, with the fitted mean pose's torso as the size of a person without a bone to measure."""
    size, worst, too_long = excess(xy, present)
    return np.where(np.isfinite(size) & (size > 0), size, MEAN_TORSO * scale), worst, too_long


def _crossed(xy: np.ndarray, present: np.ndarray) -> np.ndarray:
    """(N, 2) per arm and leg: its upper bones (shoulder to elbow, hip to knee) are longer as labelled than with the
    elbows (knees) exchanged, as when a detector labels a whole limb as the other one."""
    bones = np.sqrt(sq(xy[:, CROSS_ROOTS] - xy[:, CROSS_ENDS])).reshape(len(xy), 2, 2, 2)
    labelled, exchanged = bones.sum(2).transpose(1, 0, 2)  # each (N, 2): per arm and leg
    return present[:, _ROOT_U] & present[:, _ROOT_V] & (labelled > exchanged)


def _swaps(filler, xy, present, frame, scale, screen_gain, judged) -> tuple[np.ndarray, np.ndarray]:
    """Twins exchanged back where a row hiding them confirms it: a pair the screen suggests (``Screen.gain`` above
    SWAP_SCREEN, or the judge), with gain above SWAP_GAIN and exchanged below SWAP_RATIO of labelled; a whole arm or
    leg (SWAP_SETS) whose upper bones cross at the root (``_crossed``) or with a pair suggested, when its row fits
    both pairs exchanged better than either alone, with gain above WHOLE_GAIN and ratio below WHOLE_RATIO. One set
    per arm and per leg: a whole limb first, else the best pair (the wrists are guessed from the elbows, so swapped
    elbows make the wrists look swapped too)."""
    learned_joint, learned, vouch = judged
    both = present[:, TWIN_U] & present[:, TWIN_V]
    suggested = both & ((screen_gain > SWAP_SCREEN) | (learned > LEARNED_SWAP))
    upper, lower = UPPER_PAIRS, UPPER_PAIRS + 1
    whole = both[:, upper] & both[:, lower] & (_crossed(xy, present) | suggested[:, upper] | suggested[:, lower])
    which, person = np.nonzero(np.concatenate([suggested, whole], 1).T)  # set by set
    pairs, is_whole = SET_PAIRS[which], SET_WHOLE[which]  # (M, 2): a single pair twice
    u, v = TWIN_U[pairs], TWIN_V[pairs]
    set_joints = np.concatenate([u, v], 1)
    pair_learned = learned[person[:, None], pairs].max(1)
    vouched = np.maximum(pair_learned, learned_joint[person[:, None], set_joints].max(1)) >= np.where(
        is_whole, min(vouch, WHOLE_VOUCH), vouch
    )
    keep = vouched | (~is_whole & (pair_learned > LEARNED_SWAP))  # a set that cannot be confirmed gets no row
    which, person, pairs, is_whole, u, v, set_joints, pair_learned, vouched = (
        a[keep] for a in (which, person, pairs, is_whole, u, v, set_joints, pair_learned, vouched)
    )
    swapped = np.zeros(present.shape, dtype=bool)
    if not len(person):
        return xy, swapped
    rows = np.arange(len(person))[:, None]
    evidence = present[person].copy()
    evidence[rows, u] = evidence[rows, v] = False
    p, e = _rows_error(filler, xy[person], evidence, frame[person], scale[person])
    x = xy[person]
    slot = np.stack([np.ones(len(person), dtype=bool), is_whole], 1)  # the second pair counts for whole limbs
    xu, xv, pu, pv = x[rows, u], x[rows, v], p[rows, u], p[rows, v]
    fit_given, fit_exchanged = pair_fits(xu, xv, pu, pv)  # (M, 2): per pair of the set
    as_given = np.where(slot, fit_given, 0.0).sum(1)
    exchanged_sq = np.where(slot, fit_exchanged, 0.0).sum(1)
    one_only = np.minimum(fit_exchanged[:, 0] + fit_given[:, 1], fit_given[:, 0] + fit_exchanged[:, 1])
    gain = (as_given - exchanged_sq) / np.where(slot, e[rows, u] ** 2 + e[rows, v] ** 2, 0.0).sum(1)
    ratio = exchanged_sq / np.maximum(as_given, 1e-12)
    exchanged = x.copy()
    exchanged[rows, u], exchanged[rows, v] = xv, xu
    set_worst = [excess(p_xy, present[person])[1][rows, set_joints].max(1) for p_xy in (x, exchanged)]
    mended = (set_worst[0] > 1.0) & (set_worst[1] < LONG_NEAR)  # exchanged, no span of the set is too long
    enough = np.where(
        is_whole,
        (gain > WHOLE_GAIN) & (ratio < WHOLE_RATIO) & (exchanged_sq < one_only),
        (gain > SWAP_GAIN) & (ratio < SWAP_RATIO),
    )
    pair_only = ~is_whole  # a whole limb needs its own test (its spans are rarely too long; the judge never saw one)
    confirmed = vouched & (enough | (pair_only & mended & (gain > SWAP_GAIN_LONG)))
    confirmed |= pair_only & (pair_learned > LEARNED_SWAP) & (gain > 0)
    gain = np.where(confirmed, gain, -np.inf)
    limb = pairs[:, 0] // 2
    best = np.full((len(xy), 2), -np.inf)  # per person: the best gain among arm pairs, among leg pairs
    np.maximum.at(best, (person[~is_whole], limb[~is_whole]), gain[~is_whole])
    xy = xy.copy()
    applied = np.zeros_like(best, dtype=bool)
    for m in np.argsort(~is_whole, kind="stable"):  # whole limbs first
        i, k, g, chosen = person[m], limb[m], gain[m], which[m]
        if np.isfinite(g) and (is_whole[m] or g == best[i, k]) and not applied[i, k]:
            applied[i, k] = True
            for a, b in (TWINS[t] for t in SWAP_SETS[chosen]):
                xy[i, [a, b]] = xy[i, [b, a]]
                swapped[i, [a, b]] = True
    return xy, swapped
