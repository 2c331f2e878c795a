"""Following people from frame to frame: one track id per person, through crossings and short losses.

Each track remembers where its joints were last seen, carried along with the body's motion. A detection joins
the track whose predicted joints lie closest to it, measured in body sizes (plus how much the body size
differs), greedily from the closest pair, within a gate that widens while a track is lost. Only tracks whose
joints come within the gate of a detection are compared with it (a sparse candidate set), so a crowd costs
memory linear in its people. Only joint positions and body size are used, so the people's order inside each
frame's document does not matter.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..baselines import COCO_MEAN_POSE
from ..skeleton import NUM_JOINTS

TORSO_AND_LIMBS = (
    *((1, 2), (1, 5), (2, 5), (1, 8), (1, 11), (8, 11)),  # neck-shoulders, shoulders, neck-hips, hips
    *((2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10), (11, 12), (12, 13)),  # arms and legs
)
"""Segments whose length tells the body size (the head's are left out: their length changes as it turns)."""
_A, _B = np.array(TORSO_AND_LIMBS).T
_MEAN_LENGTH = np.linalg.norm(COCO_MEAN_POSE[_A] - COCO_MEAN_POSE[_B], axis=1).astype(np.float64)
_MEAN_HEIGHT = float(np.ptp(COCO_MEAN_POSE[:, 1]))

MAX_LOST = 30
"""Frames a track waits for its person to be detected again."""
MEMORY = 12
"""Frames a joint's last seen position still counts when matching."""
GATE = 0.7
"""Largest matching cost (body sizes; a body is about 3 tall) one frame after the track was last seen ..."""
GATE_GROWTH, GATE_MAX = 0.1, 2.0
"""... growing by this much per further lost frame, up to this."""
NO_COMMON_PENALTY = 0.3
"""Added when a detection shares no remembered joint with a track (then each detected joint is compared with
the track's nearest remembered joint)."""
SIZE_WEIGHT, SIZE_MIN_LIMBS = 0.5, 3
"""Cost per unit of |log(body size ratio)|, counted only when the detection shows this many limbs."""
CANDIDATES = 32
"""Tracks costed against each detection at most: those whose joints come nearest (only a crowd packed denser
than this within one gate can lose a match to it)."""
FEW_PAIRS = 64
"""Up to this many (track, detection) pairs every pair is costed (the gate decides)."""
PAIR_BLOCK, COST_BLOCK = 2**20, 4096
"""(track, detection) pairs screened, and costed, at once: memory stays linear in the people per frame."""


def body_sizes(xy: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N,) body size in pixels per mean-pose unit: the median of the seen limbs' length ratios to the mean
    pose (robust to foreshortened limbs), NaN where no torso or limb segment is seen; and (N,) how many were."""
    seen = present[:, _A] & present[:, _B]
    ratio = np.linalg.norm(xy[:, _A] - xy[:, _B], axis=-1) / _MEAN_LENGTH
    ratio = np.where(seen & (ratio > 0), ratio, np.nan)
    out = np.full(len(xy), np.nan)
    some = seen.any(1)
    if some.any():
        with warnings.catch_warnings():  # rows whose seen segments all have length 0 stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            out[some] = np.nanmedian(ratio[some], axis=1)
    return out, seen.sum(1)


class _Tracks:
    """The live tracks' state (lost for at most MAX_LOST frames), one row each, grown as people appear."""

    def __init__(self) -> None:
        self.id = np.zeros(0, dtype=np.int64)
        self.mem = np.zeros((0, NUM_JOINTS, 2))  # last known joint positions
        self.age = np.zeros((0, NUM_JOINTS))  # frames since each joint was seen, at ``last``
        self.vel = np.zeros((0, 2))  # body motion per frame
        self.size = np.zeros(0)
        self.last = np.zeros(0, dtype=np.int64)  # frame last seen
        self.count = 0

    def retire(self, t: int) -> None:
        """Forget the tracks lost for longer than MAX_LOST frames at frame ``t``."""
        keep = t - self.last <= MAX_LOST
        if not keep.all():
            for name in ("id", "mem", "age", "vel", "size", "last"):
                setattr(self, name, getattr(self, name)[keep])

    def add(self, xy: np.ndarray, present: np.ndarray, size: np.ndarray, frame: int) -> np.ndarray:
        ids = np.arange(self.count, self.count + len(xy))
        self.count += len(xy)
        self.id = np.concatenate([self.id, ids])
        self.mem = np.concatenate([self.mem, np.where(present[..., None], xy, 0.0)])
        self.age = np.concatenate([self.age, np.where(present, 0.0, np.inf)])
        self.vel = np.concatenate([self.vel, np.zeros((len(xy), 2))])
        self.size = np.concatenate([self.size, size])
        self.last = np.concatenate([self.last, np.full(len(xy), frame)])
        return ids


def _candidates(tracks: _Tracks, t: int, xy: np.ndarray, present: np.ndarray, gate: np.ndarray):
    """(track, detection) pairs worth costing: the detection's joints come within the track's gate of the
    track's predicted joints (their bounding boxes' gap, in body sizes, is a lower bound of the cost), at most
    ``CANDIDATES`` tracks per detection, the nearest. Screened in blocks, so memory stays linear in people."""
    if len(tracks.id) * len(xy) <= FEW_PAIRS:  # a few people: cost every pair
        return np.repeat(np.arange(len(tracks.id)), len(xy)), np.tile(np.arange(len(xy)), len(tracks.id))
    dt = (t - tracks.last).astype(np.float64)
    pred = tracks.mem + tracks.vel[:, None, :] * dt[:, None, None]
    known = np.isfinite(tracks.age)[..., None]
    t_lo, t_hi = np.where(known, pred, np.inf).min(1), np.where(known, pred, -np.inf).max(1)
    d_lo = np.where(present[..., None], xy, np.inf).min(1)
    d_hi = np.where(present[..., None], xy, -np.inf).max(1)
    best = np.full((len(xy), 0), np.inf)
    best_k = np.zeros((len(xy), 0), dtype=np.int64)
    block = max(1, PAIR_BLOCK // max(len(xy), 1))
    for lo in range(0, len(pred), block):
        sl = slice(lo, lo + block)
        gap_xy = np.maximum(np.maximum(t_lo[sl, None] - d_hi[None], d_lo[None] - t_hi[sl, None]), 0.0)
        gap = np.hypot(gap_xy[..., 0], gap_xy[..., 1]) / tracks.size[sl, None]
        gap = np.where(gap <= gate[sl, None], gap, np.inf).T  # (D, block)
        best = np.concatenate([best, gap], axis=1)
        best_k = np.concatenate([best_k, np.broadcast_to(np.arange(lo, lo + gap.shape[1]), gap.shape)], axis=1)
        if best.shape[1] > CANDIDATES:
            keep = np.argpartition(best, CANDIDATES - 1, axis=1)[:, :CANDIDATES]
            best, best_k = np.take_along_axis(best, keep, 1), np.take_along_axis(best_k, keep, 1)
    d, slot = np.nonzero(np.isfinite(best))
    return best_k[d, slot], d


def _pair_costs(tracks: _Tracks, t: int, xy: np.ndarray, present: np.ndarray, size: np.ndarray, k, d):
    """Matching costs (P,) of tracks ``k`` against detections ``d`` (P pairs each)."""
    cost = np.empty(len(k))
    for lo in range(0, len(k), COST_BLOCK):
        kk, dd = k[lo : lo + COST_BLOCK], d[lo : lo + COST_BLOCK]
        dt = (t - tracks.last[kk]).astype(np.float64)
        pred = tracks.mem[kk] + tracks.vel[kk, None, :] * dt[:, None, None]
        common = (tracks.age[kk] + dt[:, None] <= MEMORY) & present[dd]
        n = common.sum(-1)
        dist = np.sqrt(((pred - xy[dd]) ** 2).sum(-1))
        c = (dist * common).sum(-1) / np.maximum(n, 1) / tracks.size[kk]
        none = np.flatnonzero(n == 0)
        if len(none):
            known = np.isfinite(tracks.age[kk[none]])
            seen = present[dd[none]]
            gaps = np.sqrt(((pred[none][:, :, None] - xy[dd[none]][:, None, :]) ** 2).sum(-1))  # (M, known, seen)
            gaps = np.where(known[:, :, None] & seen[:, None, :], gaps, np.inf).min(1)
            nearest = np.where(seen, gaps, 0.0).sum(-1) / np.maximum(seen.sum(1), 1)
            c[none] = nearest / tracks.size[kk[none]] + NO_COMMON_PENALTY
        with np.errstate(invalid="ignore", divide="ignore"):
            size_term = SIZE_WEIGHT * np.abs(np.log(size[dd] / tracks.size[kk]))
        cost[lo : lo + COST_BLOCK] = c + np.where(np.isfinite(size_term), size_term, 0.0)
    return cost


def _greedy(k: np.ndarray, d: np.ndarray, cost: np.ndarray, gate: np.ndarray) -> list[tuple[int, int]]:
    """(track, detection) pairs among the candidates, cheapest first, each used once, each within its
    track's gate."""
    ok = cost <= gate[k]
    k, d, cost = k[ok], d[ok], cost[ok]
    pairs: list[tuple[int, int]] = []
    used_k, used_d = set(), set()
    for i in np.lexsort((d, k, cost)).tolist():
        a, b = int(k[i]), int(d[i])
        if a in used_k or b in used_d:
            continue
        pairs.append((a, b))
        used_k.add(a)
        used_d.add(b)
    return pairs


def track_people(frame: np.ndarray, xy: np.ndarray, present: np.ndarray, fallback_size: np.ndarray) -> np.ndarray:
    """Track id per person row (rows in frame order; ``frame`` (N,) their frame index, xy (N, 18, 2) in one
    coordinate space for the whole sequence, present (N, 18)). Ids count from 0 in order of first appearance;
    a row with no present joint gets -1. ``fallback_size`` (N,) is the body size used where none can be measured.
    """
    frame = np.asarray(frame)
    ids = np.full(len(frame), -1)
    sizes, limbs = body_sizes(xy, present)
    telling = np.where(limbs >= SIZE_MIN_LIMBS, sizes, np.nan)  # sizes sure enough to tell people apart
    tracks = _Tracks()
    seen = present.any(1)
    starts = np.flatnonzero(np.r_[True, frame[1:] != frame[:-1]]) if len(frame) else np.zeros(0, int)
    for begin, end in zip(starts.tolist(), np.r_[starts[1:], len(frame)].tolist()):
        t = int(frame[begin])
        rows = np.arange(begin, end)[seen[begin:end]]
        if not len(rows):
            continue
        dxy, dp, ds = xy[rows], present[rows], sizes[rows]
        tracks.retire(t)
        pairs: list[tuple[int, int]] = []
        if len(tracks.id):
            dt = (t - tracks.last).astype(np.float64)
            gate = np.minimum(GATE + GATE_GROWTH * (dt - 1), GATE_MAX)
            ck, cd = _candidates(tracks, t, dxy, dp, gate)
            pairs = _greedy(ck, cd, _pair_costs(tracks, t, dxy, dp, telling[rows], ck, cd), gate)
            for k, d in pairs:
                common = (tracks.age[k] + dt[k] <= MEMORY) & dp[d]
                _update(tracks, k, t, dt[k], dxy[d], dp[d], ds[d], common)
                ids[rows[d]] = tracks.id[k]
        if len(pairs) < len(rows):
            new = np.setdiff1d(np.arange(len(rows)), [d for _, d in pairs])
            centre_x = (dxy[new, :, 0] * dp[new]).sum(1) / dp[new].sum(1)
            new = new[np.argsort(centre_x, kind="stable")]
            size = np.where(np.isfinite(ds[new]), ds[new], fallback_size[rows[new]])
            ids[rows[new]] = tracks.add(dxy[new], dp[new], size, t)
    return ids


def _update(tracks: _Tracks, k: int, t: int, dt: float, xy: np.ndarray, present: np.ndarray, size: float, common):
    """Track row ``k`` saw this detection at frame ``t``: move its memory, velocity, size."""
    if common.any():
        step = (xy[common] - tracks.mem[k, common]).mean(0)
        tracks.vel[k] = 0.5 * tracks.vel[k] + 0.5 * step / dt
    else:
        step = tracks.vel[k] * dt
    tracks.mem[k] = np.where(present[:, None], xy, tracks.mem[k] + step)
    tracks.age[k] = np.where(present, 0.0, tracks.age[k] + dt)
    if size == size:  # not NaN
        tracks.size[k] = 0.7 * tracks.size[k] + 0.3 * size
    tracks.last[k] = t


def fallback_sizes(canvas_height: np.ndarray) -> np.ndarray:
    """A body a third of the canvas tall, in pixels per mean-pose unit."""
    return np.asarray(canvas_height, dtype=np.float64) / (3.0 * _MEAN_HEIGHT)
