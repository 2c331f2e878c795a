"""Alternatives without tails: every seed should give most people a pose people hold, not only most seeds on average.

Plausibility is the distance to the nearest real pose: every pose is centred on its body joints (neck .. ankles)
and scaled to unit RMS radius there, and its distance to a pool pose is the RMS of the 13 joint distances. Per
family the bar is the distance that 95 % of the true poses stay within; a fill beyond it is implausible. For each of
seeds 1-16 the share of implausible fills, and of fills with crossed shins (against the truth), is counted.
"""

from __future__ import annotations

import numpy as np

from lib_posefill.completion import complete_arrays
from lib_posefill.filler import Filler
from lib_posefill.options import Options
from lib_posefill.skeleton import L_ANKLE, L_KNEE, R_ANKLE, R_KNEE

from .knn import BODY, normalise
from .protocol import Cases

SEEDS = tuple(range(1, 17))
TRUE_SHARE = 0.95


class NearestPose:
    """Distance from poses to the nearest pose of a pool (normalised poses, ``knn.build_pool``)."""

    def __init__(self, pool: np.ndarray, chunk: int = 512) -> None:
        self.pool = np.ascontiguousarray(pool[:, BODY].reshape(len(pool), -1), dtype=np.float32)
        self.sq = (self.pool**2).sum(1)
        self.chunk = chunk

    def distance(self, xy: np.ndarray) -> np.ndarray:
        """(N,) RMS joint distance of each normalised pose (N, 18, 2) to its nearest pool pose."""
        q = normalise(np.asarray(xy, dtype=np.float64))[:, BODY].reshape(len(xy), -1).astype(np.float32)
        out = np.empty(len(q))
        for a in range(0, len(q), self.chunk):
            part = q[a : a + self.chunk]
            d2 = (part**2).sum(1)[:, None] + self.sq[None] - 2 * part @ self.pool.T
            out[a : a + self.chunk] = np.sqrt(np.maximum(d2.min(1), 0.0) / len(BODY))
        return out


def _turn(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a[:, 0] - o[:, 0]) * (b[:, 1] - o[:, 1]) - (a[:, 1] - o[:, 1]) * (b[:, 0] - o[:, 0])


def shins_cross(xy: np.ndarray) -> np.ndarray:
    """(N,) bool: the right and left shins (knee to ankle) cross each other."""
    p, q, r, s = xy[:, R_KNEE], xy[:, R_ANKLE], xy[:, L_KNEE], xy[:, L_ANKLE]
    return (_turn(r, s, p) * _turn(r, s, q) < 0) & (_turn(p, q, r) * _turn(p, q, s) < 0)


def tail_scores(filler: Filler, cases: Cases, nearest: NearestPose, seeds=SEEDS) -> dict:
    """Per seed: the share of fills farther from every pool pose than TRUE_SHARE of the true poses are, and the
    share with crossed shins among people with a hidden knee or ankle (the truth's share beside it)."""
    bar = float(np.quantile(nearest.distance(cases.truth), TRUE_SHARE))
    legs = (~cases.present[:, [R_KNEE, R_ANKLE, L_KNEE, L_ANKLE]]).any(1)
    implausible, crossed = [], []
    for s in seeds:
        xy = complete_arrays(cases.truth, cases.present, cases.frame, Options(seed=s), filler).xy
        implausible.append(float((nearest.distance(xy) > bar).mean()))
        crossed.append(float(shins_cross(xy)[legs].mean()) if legs.any() else 0.0)
    return {
        "cases": len(cases.truth),
        "bar": bar,
        "implausible": implausible,
        "crossed": crossed,
        "crossed_truth": float(shins_cross(cases.truth)[legs].mean()) if legs.any() else 0.0,
    }
