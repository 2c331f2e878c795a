"""Tracks laid end to end on one time axis, so that every per-track operation over time runs on all tracks at once.

Step ``s`` of the timeline is one frame of one track; tracks are ``PAD`` empty steps apart, so a time filter
narrower than the gap never mixes two people, and look-ups of the nearest step check the track.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

PAD = 16
"""Empty steps between two tracks (wider than any filter used along time)."""
BLOCK_STEPS = 20_000
"""Steps worked on at once by per-track operations (``Timeline.blocks``): memory stays that of one block."""


@dataclass
class Timeline:
    row: np.ndarray  # (L,) the person row at each step, -1 where the person was not detected (or between tracks)
    track: np.ndarray  # (L,) the track at each step, -1 between tracks
    step: np.ndarray  # (N,) each row's step, -1 for rows without a track

    def gather(self, values: np.ndarray, fill=0, part: slice | None = None) -> np.ndarray:
        """Row values (N, ...) laid out on the timeline (L, ...) or its ``part``, ``fill`` where there is no row."""
        row = self.row if part is None else self.row[part]
        out = np.full((len(row), *values.shape[1:]), fill, dtype=values.dtype)
        has = row >= 0
        out[has] = values[row[has]]
        return out

    def scatter(self, values: np.ndarray, out: np.ndarray, part: slice | None = None) -> None:
        """Write timeline values (of ``part``) back to the rows they came from, in ``out`` (N, ...)."""
        row = self.row if part is None else self.row[part]
        has = row >= 0
        out[row[has]] = values[has]

    def blocks(self, steps: int = BLOCK_STEPS) -> list[slice]:
        """The timeline cut between tracks into parts of about ``steps`` steps (a longer track alone), so that
        per-track work done part by part gives the same result in the memory of one part."""
        starts = np.flatnonzero((self.track >= 0) & (np.r_[-1, self.track[:-1]] != self.track)).tolist()
        cuts = [0]
        for s in starts[1:]:
            if s - cuts[-1] >= steps:
                cuts.append(s)
        cuts.append(len(self.row))
        return [slice(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def lay_out(track: np.ndarray, frame: np.ndarray) -> Timeline:
    """The timeline of rows with track ids ``track`` (-1: none) seen at frames ``frame``; a track spans the
    frames from its first to its last row, missed frames included."""
    has = track >= 0
    ids, inv = np.unique(track[has], return_inverse=True)
    first = np.full(len(ids), np.iinfo(np.int64).max)
    last = np.full(len(ids), -1)
    np.minimum.at(first, inv, frame[has])
    np.maximum.at(last, inv, frame[has])
    length = last - first + 1
    offset = np.concatenate([[0], np.cumsum(length + PAD)])
    step = np.full(len(track), -1)
    step[has] = offset[inv] + frame[has] - first[inv]
    row = np.full(int(offset[-1]), -1)
    row[step[has]] = np.flatnonzero(has)
    on = np.concatenate([np.r_[np.full(n, k), np.full(PAD, -1)] for k, n in zip(ids, length)] or [np.zeros(0, int)])
    return Timeline(row=row, track=on.astype(np.int64), step=step)


def nearest(mask: np.ndarray, track: np.ndarray, after: bool = False) -> np.ndarray:
    """(L, J) index of the nearest step at or before (``after``: at or after) each step where ``mask`` (L, J)
    holds, within the same track; -1 where there is none."""
    n = len(mask)
    steps = np.arange(n)[:, None]
    if after:
        idx = np.where(mask, steps, n)
        found = np.minimum.accumulate(idx[::-1], axis=0)[::-1]
        found = np.where(found < n, found, -1)
    else:
        found = np.maximum.accumulate(np.where(mask, steps, -1), axis=0)
    same = (found >= 0) & (track[np.maximum(found, 0)] == track[:, None]) & (track[:, None] >= 0)
    return np.where(same, found, -1)


def gaussian_smooth(values: np.ndarray, weights: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian-weighted local linear fit along axis 0, evaluated at each step: unlike a plain weighted average
    it does not lag behind steady motion at the ends of a track or next to gaps. ``values`` (L, J, C),
    ``weights`` (L, J); NaN where no weight is in reach. With weight on one side only, the fit's slope comes
    from that side."""
    radius = int(np.ceil(3 * sigma))
    w = np.pad(weights.astype(np.float64), [(radius, radius), (0, 0)])
    wv = np.pad(
        np.where(weights[..., None] > 0, values, 0.0) * w[radius : len(w) - radius, :, None],
        [(radius, radius), (0, 0), (0, 0)],
    )
    n = len(values)
    s0, s1, s2 = (np.zeros(weights.shape) for _ in range(3))
    t0, t1 = np.zeros(values.shape), np.zeros(values.shape)
    for i, d in enumerate(range(-radius, radius + 1)):
        g = np.exp(-0.5 * (d / sigma) ** 2)
        gw, gwv = g * w[i : i + n], g * wv[i : i + n]
        s0 += gw
        s1 += d * gw
        s2 += (d * d) * gw
        t0 += gwv
        t1 += d * gwv
    det = s0 * s2 - s1 * s1
    with np.errstate(invalid="ignore", divide="ignore"):
        linear = (s2[..., None] * t0 - s1[..., None] * t1) / det[..., None]
        level = t0 / s0[..., None]
    out = np.where((det > 1e-6 * np.maximum(s0 * s2, 1e-12))[..., None], linear, level)
    return np.where(s0[..., None] > 1e-9, out, np.nan)
