"""The bars: kNN-5 over a pool of whole COCO-train bodies, and the pool's mean pose, both fitted by scale and
translation to every visible joint (head points included). kNN-5 also reads the canvas: among the pool poses that
fit best it prefers those that put the hidden joints beyond the canvas edges, as cut joints are. Vectorised; they
implement the Filler interface."""

from __future__ import annotations

import numpy as np

from lib_posefill.skeleton import MIRROR, NUM_JOINTS

from ..training.data import People, body_complete

BODY = np.arange(1, 14)
"""Neck .. ankles: the joints poses are normalised on."""
SHORTLIST = 5
"""kNN-k reads the canvas among the SHORTLIST * k pool poses that fit the visible joints best."""


def normalise(xy: np.ndarray) -> np.ndarray:
    """Centre each pose on its body joints and scale it to unit RMS radius there."""
    centre = xy[:, BODY].mean(1, keepdims=True)
    rms = np.sqrt(((xy[:, BODY] - centre) ** 2).sum(-1).mean(1))
    return (xy - centre) / rms[:, None, None]


def build_pool(train: People) -> np.ndarray:
    """(M, 18, 2): train people with all 13 body joints labelled plus their mirror images, normalised.
    Unlabelled head joints take the pool's mean position."""
    people = train.subset(body_complete(train))
    xy = people.xy.astype(np.float64)
    mirrored = xy[:, list(MIRROR)] * np.array([-1.0, 1.0])
    pool = normalise(np.concatenate([xy, mirrored]))
    lab = np.concatenate([people.labelled, people.labelled[:, list(MIRROR)]])
    mean = (pool * lab[..., None]).sum(0) / np.maximum(lab.sum(0), 1)[:, None]
    return np.where(lab[..., None], pool, mean).astype(np.float32)


class KnnFiller:
    """Average of the k pool poses that fit the visible body joints best (scale >= 0 and translation).

    Pool poses whose visible joints spread less than ``min_spread`` times the pool's median spread over the
    same joints are not candidates (without this guard, neck + shoulders alone pick side views scaled 1000x).
    """

    def __init__(
        self,
        pool: np.ndarray,
        k: int = 5,
        name: str | None = None,
        chunk: int = 128,
        min_spread: float = 0.25,
        canvas_weight: float = 0.0,
    ) -> None:
        self.pool = np.asarray(pool, dtype=np.float32)
        self.canvas_weight = canvas_weight
        self.min_spread = min_spread if len(self.pool) > 1 else 0.0
        self.k = min(k, len(self.pool))
        self.name = name or f"kNN-{self.k}"
        self.chunk = chunk
        self._px, self._py = self.pool[..., 0].T.copy(), self.pool[..., 1].T.copy()  # (18, M)
        self._pp = (self.pool**2).sum(-1).T.copy()

    def predict(self, xy: np.ndarray, present: np.ndarray, frame: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        out = np.empty((len(xy), NUM_JOINTS, 2), dtype=np.float32)
        for a in range(0, len(xy), self.chunk):
            part = slice(a, a + self.chunk)
            out[part] = self._predict(xy[part], present[part], frame[part])
        return out

    def _predict(self, xy: np.ndarray, present: np.ndarray, frame: np.ndarray) -> np.ndarray:
        x = xy.astype(np.float32)
        w = present.astype(np.float32)
        n = np.maximum(w.sum(1), 1.0)[:, None]  # (C, 1)
        xm = (x * w[..., None]).sum(1) / n  # (C, 2)
        sxx = (((x - xm[:, None]) ** 2).sum(-1) * w).sum(1)  # (C,)
        spx, spy = w @ self._px, w @ self._py  # (C, M): sums of pool coordinates over visible joints
        spp = w @ self._pp
        sxp = (w * x[..., 0]) @ self._px + (w * x[..., 1]) @ self._py
        num = sxp - (spx * xm[:, :1] + spy * xm[:, 1:])
        den = np.maximum(spp - (spx**2 + spy**2) / n, 1e-9)
        scale = np.maximum(num / den, 0.0)
        sse = sxx[:, None] - scale * num
        if self.min_spread > 0:
            # A pool pose whose visible joints are foreshortened far below the pool's typical spread (a side view
            # when only the shoulders show) would be blown up to any size by the free scale: not a neighbour.
            typical = np.partition(den, den.shape[1] // 2, axis=1)[:, den.shape[1] // 2]
            sse = np.where(den < self.min_spread * typical[:, None], np.inf, sse)
        short = min(len(self.pool), SHORTLIST * self.k if self.canvas_weight > 0 else self.k)
        best = np.argpartition(sse, short - 1, axis=1)[:, :short]  # (C, short)
        rows = np.arange(len(x))[:, None]
        s = scale[rows, best]
        pm = np.stack([spx[rows, best], spy[rows, best]], -1) / n[..., None]  # (C, short, 2)
        fitted = s[..., None, None] * (self.pool[best] - pm[:, :, None]) + xm[:, None, None]
        if short > self.k:
            # Joints a cut hid lie beyond the canvas: rank by the fit's residual (relative to the person's spread)
            # plus canvas_weight per hidden joint the pool pose puts inside the canvas.
            f = frame[:, None, None]
            inside = (fitted[..., 0] > f[..., 0]) & (fitted[..., 1] > f[..., 1])
            inside &= (fitted[..., 0] < f[..., 2]) & (fitted[..., 1] < f[..., 3])
            rank = sse[rows, best] / np.maximum(sxx[:, None], 1e-9)
            rank = rank + self.canvas_weight * (inside & ~present[:, None]).sum(-1)
            keep = np.argsort(rank, axis=1, kind="stable")[:, : self.k]
            fitted = fitted[rows, keep]
        return fitted.mean(1)


def mean_pose_filler(pool: np.ndarray) -> KnnFiller:
    """The pool's mean pose, fitted the same way."""
    return KnnFiller(pool.mean(0, keepdims=True), k=1, name="mean pose")
