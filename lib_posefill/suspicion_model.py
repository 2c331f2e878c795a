"""The learned judge of detected joints (models/suspicious.onnx) for ``suspicious=refill``.

A small network trained on COCO train people with injected errors (``posefill_dev.evaluation.judge``) reads a
person as the rule-based check sees it: the pose in the completion model's units, how far each detected joint lies
from the model's screening guess (in expected errors and in person sizes), how long its spans are against the
longest seen, how close it lies to another joint or its left/right twin, and how much better each twin pair fits
exchanged. It answers, per joint, the probability that the detector put it in the wrong place, and per twin pair
(elbows, wrists, knees, ankles) the probability that the pair is exchanged. ``suspicious`` acts on these beside
its rules. Without the model file the rules work alone.
"""

from __future__ import annotations

import functools
import logging
from typing import NamedTuple

import numpy as np

from .features import IN_DIM
from .resources import shipped_path
from .skeleton import HEAD_JOINTS, MIRROR, NUM_JOINTS

log = logging.getLogger("posefill")
MODEL_PATH = shipped_path("models") / "suspicious.onnx"
TWINS = ((3, 6), (4, 7), (9, 12), (10, 13))
"""Elbows, wrists, knees, ankles: the (right, left) pairs a detector exchanges."""
FACE_PAIRS = np.eye(NUM_JOINTS, dtype=bool)
FACE_PAIRS[np.ix_(HEAD_JOINTS, HEAD_JOINTS)] = True
"""A joint with itself, and two of nose, eyes and ears: never a snap (the face's points lie that close by nature)."""
TWIN = np.array(MIRROR)
HAS_TWIN = np.arange(NUM_JOINTS) != TWIN
"""Joints with a left/right twin (not the nose and neck)."""
TWIN_U, TWIN_V = np.array(TWINS).T
FIT_JOINTS = np.concatenate([TWIN_U, TWIN_V, TWIN_U, TWIN_V])
FIT_GUESSES = np.concatenate([TWIN_U, TWIN_V, TWIN_V, TWIN_U])
"""``swap_gain`` measures each twin from its own guess (as labelled), then from its twin's (exchanged)."""
NEAR = 0.1
"""Closeness to another joint is read as exp(-gap / NEAR person sizes)."""
COLUMN_JOINT = np.concatenate(
    [np.arange(NUM_JOINTS)] * 2 + [np.repeat(np.arange(NUM_JOINTS), 2)] + [np.arange(NUM_JOINTS)] * 4
)
"""The joint each per-joint column describes (zero where the joint is not detected)."""
FEATURES = IN_DIM + 8 * NUM_JOINTS + 2 * len(TWINS)
"""Inputs per person (``features``): the completion model's IN_DIM (58), then per joint its guess's miss in
expected errors and in sizes, the miss itself (x, y), worst span and spans too long, closeness to any joint and to
its twin; then per twin pair the exchange gain and ratio."""


class Screen(NamedTuple):
    """What the screening rows tell of each person (``suspicious.screen``): the completion model's fit (scale (N,))
    and view (``features.encode``: (N, IN_DIM)) of the detections, every joint's guess (N, 18, 2) and its expected
    error (N, 18), and per twin pair of TWINS the ``swap_gain`` of the guesses (gain, ratio: (N, 4) each)."""

    scale: np.ndarray
    encoded: np.ndarray
    pred: np.ndarray
    err: np.ndarray
    gain: np.ndarray
    ratio: np.ndarray


def sq(d: np.ndarray) -> np.ndarray:
    """Squared length along the last axis (of size 2; written out, a reduction over two numbers is slow)."""
    return d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1]


def pair_sq(xy: np.ndarray) -> np.ndarray:
    """(N, 18, 18) squared distance between every two joints of each person (x and y apart: a 4-D difference is
    slow)."""
    x, y = np.ascontiguousarray(xy[..., 0]), np.ascontiguousarray(xy[..., 1])
    dx, dy = x[:, :, None] - x[:, None], y[:, :, None] - y[:, None]
    dx *= dx
    dy *= dy
    dx += dy
    return dx


def pair_fits(xu, xv, pu, pv) -> tuple[np.ndarray, np.ndarray]:
    """Squared distance of twins at xu, xv from their guesses pu, pv, as labelled and exchanged."""
    return sq(xu - pu) + sq(xv - pv), sq(xu - pv) + sq(xv - pu)


def swap_gain(xy, pred, err) -> tuple[np.ndarray, np.ndarray]:
    """How much better the guesses fit each twin pair of TWINS exchanged than as labelled: the gain in squared
    distance over their expected errors squared, and the exchanged / labelled ratio ((N, 4) each; ``pair_fits`` for
    all four pairs in one go)."""
    n = len(xy)
    fits = sq(xy[:, FIT_JOINTS] - pred[:, FIT_GUESSES]).reshape(n, 4, len(TWINS))
    as_given, exchanged = fits[:, 0] + fits[:, 1], fits[:, 2] + fits[:, 3]
    spread = (err[:, FIT_JOINTS[: 2 * len(TWINS)]] ** 2).reshape(n, 2, len(TWINS))
    return (as_given - exchanged) / (spread[:, 0] + spread[:, 1]), exchanged / np.maximum(as_given, 1e-12)


def features(xy, present, frame, screen: Screen, size, worst, too_long) -> np.ndarray:
    """(N, FEATURES) float32: a person's detections (N, 18, 2) with their ``screen``, robust ``size`` (N,) and span
    excess ``worst``, ``too_long`` (N, 18) as ``suspicious`` computes them. Written column block by column block
    with few numpy calls (one person is dominated by the calls, not the arithmetic)."""
    n, j = len(xy), NUM_JOINTS
    pred, err = screen.pred, screen.err
    unit = size[:, None]
    d = xy - pred
    off = np.sqrt(sq(d))
    closest = pair_sq(xy.astype(np.float32))
    closest[~(present[:, :, None] & present[:, None] & ~FACE_PAIRS)] = np.inf
    out = np.empty((n, FEATURES), dtype=np.float64)
    out[:, :IN_DIM] = screen.encoded
    per_joint = out[:, IN_DIM : IN_DIM + 8 * j]
    per_joint[:, :j] = np.log1p(off / err)
    per_joint[:, j : 2 * j] = np.log1p(off / unit)
    per_joint[:, 2 * j : 4 * j] = np.maximum(np.minimum(d / unit[..., None], 5.0), -5.0).reshape(n, 2 * j)
    per_joint[:, 4 * j : 5 * j] = np.minimum(worst, 3.0)
    per_joint[:, 5 * j : 6 * j] = np.minimum(too_long, 3.0)
    per_joint[:, 6 * j : 7 * j] = np.sqrt(closest.min(2))
    per_joint[:, 7 * j :] = np.where(present[:, TWIN] & HAS_TWIN, np.sqrt(sq(xy - xy[:, TWIN])), np.inf)
    per_joint[:, 6 * j :] = np.exp(-per_joint[:, 6 * j :] / unit / NEAR)
    per_joint *= present[:, COLUMN_JOINT]
    gain, ratio = screen.gain, screen.ratio
    both = present[:, TWIN_U] & present[:, TWIN_V]
    per_pair = out[:, IN_DIM + 8 * j :].reshape(n, len(TWINS), 2)
    per_pair[..., 0] = np.tanh(gain / 10.0) * both
    per_pair[..., 1] = np.log(np.minimum(np.maximum(ratio, 1e-3), 1e3)) * both
    out[~np.isfinite(out)] = 0.0
    return out.astype(np.float32)


class SuspicionModel:
    """The ONNX judge: ``features`` rows -> (N, 18) probability each joint is wrong, (N, 4) each pair exchanged."""

    def __init__(self, model: bytes) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])

    def __call__(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (p,) = self.session.run(None, {"features": rows})
        return p[:, :NUM_JOINTS].astype(np.float64), p[:, NUM_JOINTS:].astype(np.float64)


@functools.cache
def suspicion_model() -> SuspicionModel | None:
    """The shipped judge, loaded once; None (with a warning) when its file is missing: the rules work alone."""
    if not MODEL_PATH.is_file():
        log.warning("%s is missing: suspicious=refill uses its rules alone", MODEL_PATH)
        return None
    return SuspicionModel(MODEL_PATH.read_bytes())
