"""The flow's starting noise for a seeded alternative: drawn per person from the seed and the person's given joints.

A seed shared by everyone would make one unlucky noise vector a poor alternative for every person; keyed by the
person too, each seed is a fresh draw for each person, and still the same draw for the same person in any batch
and in any order. The key reads the person's canonical features (the visible joints relative to their fitted mean
pose, rounded to KEY_STEP), not the canvas, so empty canvas around a person does not change the draw. Each joint's
two numbers are a standard 2-D normal cut off at radius TRUNCATE: no alternative starts from the far tail.
"""

from __future__ import annotations

import numpy as np

from .skeleton import NUM_JOINTS

KEY_STEP = 1 / 16
"""Given joints are rounded to this (mean-pose units, about 1/15 of a torso) before they key the noise."""
TRUNCATE = 2.0
"""Each joint's 2-D noise is cut off at this radius (a normal's radius goes beyond 2 in 13.5 % of draws)."""

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_KEY_WEIGHTS = np.random.default_rng(20261205).integers(1, 2**63, 3 * NUM_JOINTS, dtype=np.uint64) | np.uint64(1)
_COUNTERS = np.arange(1, 2 * NUM_JOINTS + 1, dtype=np.uint64) * _GOLDEN


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on uint64 arrays (wrapping arithmetic): every input bit moves every output bit."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def person_keys(feats: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """(N,) uint64: one key per person from their seed and their rounded given joints and visibility
    (``features`` columns before the canvas edges)."""
    q = np.round(feats[:, : 3 * NUM_JOINTS] / KEY_STEP).astype(np.int64).view(np.uint64)
    person = (q * _KEY_WEIGHTS).sum(1, dtype=np.uint64)
    return _mix(person ^ _mix(np.asarray(seeds).astype(np.int64).view(np.uint64) + _GOLDEN))


def seed_noise(keys: np.ndarray, temperature: float) -> np.ndarray:
    """(N, 36) float32 noise for the keys: per joint a 2-D normal truncated to radius TRUNCATE (Box-Muller with the
    radius drawn from the truncated distribution), times the temperature."""
    bits = _mix(keys[:, None] + _COUNTERS)  # (N, 36) counter-based uniform bits
    u = (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53  # [0, 1)
    floor = np.exp(-(TRUNCATE**2) / 2)
    radius = np.sqrt(-2 * np.log(floor + (1 - floor) * (1 - u[:, :NUM_JOINTS])))
    angle = 2 * np.pi * u[:, NUM_JOINTS:]
    noise = np.empty((len(keys), 2 * NUM_JOINTS), dtype=np.float32)
    noise[:, 0::2] = radius * np.cos(angle)
    noise[:, 1::2] = radius * np.sin(angle)
    return temperature * noise
