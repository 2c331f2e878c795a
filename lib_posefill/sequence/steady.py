"""Steady filled joints along time, offline, without ever moving a given joint.

Each joint's path (given positions where given, estimates elsewhere) is smoothed with a Gaussian along time;
the estimates are replaced by the smoothed path, shifted by the smoothed path's miss at the nearest given
positions (fading with time), so a filled stretch joins the given joints around it without a jump. Before
that, a limb whose left and right estimates swapped places against the neighbouring frames is swapped back.
"""

from __future__ import annotations

import numpy as np

from .timeline import gaussian_smooth, nearest

SIGMA = 2.0
"""Gaussian width along time, in frames."""
JOIN_FRAMES = 3.0
"""How fast (frames) the shift that joins a filled stretch to the given joints around it fades."""
SIDE_WINDOW = 7
"""Frames on each side that decide which side a limb belongs on."""
SIDE_CHAINS = (((2, 5), (3, 6), (4, 7)), ((8, 11), (9, 12), (10, 13)), ((14, 15), (16, 17)))
"""Right/left joint pairs of the arms, the legs and the head, each chain kept on its side as a whole."""
MIN_SEPARATION = 0.1
"""Left and right closer than this (body sizes), in the frame or on the neighbouring frames, are not told apart:
estimates that cross slowly (a person turning) are left alone."""


def keep_sides(est: np.ndarray, estimated: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Swap back right/left estimates (L, 18, 2) of a limb that sit the other way round than on the nearby
    frames (their mean over ``SIDE_WINDOW`` frames each side, which a minority of swapped frames cannot turn).
    Only pairs estimated on both sides are touched."""
    out = est.copy()
    for chain in SIDE_CHAINS:
        right, left = (np.array(side) for side in zip(*chain))
        both = estimated[:, right] & estimated[:, left]
        sep = np.where(both[..., None], (est[:, left] - est[:, right]) / size[:, None, None], 0.0)
        sep = np.nan_to_num(sep)
        total = np.cumsum(np.pad(sep, [(SIDE_WINDOW + 1, SIDE_WINDOW), (0, 0), (0, 0)]), axis=0)
        ref = total[2 * SIDE_WINDOW + 1 :] - total[: -2 * SIDE_WINDOW - 1]  # window sums
        count = np.cumsum(np.pad(both, [(SIDE_WINDOW + 1, SIDE_WINDOW), (0, 0)]), axis=0)
        count = count[2 * SIDE_WINDOW + 1 :] - count[: -2 * SIDE_WINDOW - 1]
        ref = ref / np.maximum(count, 1)[..., None]
        agree = (sep * ref).sum((1, 2))
        strength = ((ref**2).sum(-1) * both).sum(1)
        own = (sep**2).sum((1, 2))
        flip = (agree < 0) & (strength > MIN_SEPARATION**2) & (own > MIN_SEPARATION**2)
        t, p = np.nonzero(flip[:, None] & both)
        out[t, right[p]], out[t, left[p]] = est[t, left[p]], est[t, right[p]]
    return out


def steady(
    xy: np.ndarray, given: np.ndarray, est: np.ndarray, estimated: np.ndarray, track: np.ndarray, size: np.ndarray
) -> np.ndarray:
    """Steadied estimates (L, 18, 2) on the timeline: ``xy`` holds the given joints (where ``given``), ``est``
    the estimates (where ``estimated``), ``size`` (L,) the body size per step (to tell left from right)."""
    est = keep_sides(est, estimated, size)
    path = np.where(given[..., None], xy, est)
    smooth = gaussian_smooth(path, given | estimated, SIGMA)
    miss = np.where(given[..., None], xy - smooth, 0.0)
    steps = np.arange(len(xy))[:, None]
    joints = np.arange(xy.shape[1])[None, :]
    shift = np.zeros(xy.shape)
    total = np.zeros(given.shape)
    for side in (nearest(given, track), nearest(given, track, after=True)):
        w = np.where(side >= 0, np.exp(-np.abs(steps - side) / JOIN_FRAMES), 0.0)
        shift += w[..., None] * miss[np.maximum(side, 0), joints]
        total += w
    shift /= np.maximum(total, 1.0)[..., None]
    out = smooth + shift
    return np.where(estimated[..., None] & np.isfinite(out), out, est)
