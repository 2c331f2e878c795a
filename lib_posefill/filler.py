"""The filler interface: given some joints of many people, predict every joint.

A filler sees pixel coordinates, which joints are present (given or hinted), the frame each person
was seen in, and a seed per person (``NO_SEED`` = best guess). It returns a position for all 18 joints; the
completion step decides which of them to use.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

NO_SEED = -1
"""The seeds array's entry for the best guess: an int64 array holds no None, ``Options.seed``'s "no seed"."""


def seed_array(seed: int | None, count: int) -> np.ndarray:
    """The seeds of ``count`` people filled with one options' ``seed`` (None: the best guess)."""
    return np.full(count, NO_SEED if seed is None else seed, dtype=np.int64)


class Filler(Protocol):
    name: str

    def predict(self, xy: np.ndarray, present: np.ndarray, frame: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        """xy (N, 18, 2) float32 pixels, present (N, 18) bool, frame (N, 4) float32 [x0, y0, x1, y1],
        seeds (N,) int64 -> (N, 18, 2) float32 pixels for every joint."""
        ...
