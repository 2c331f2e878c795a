"""Anatomical priors learned from COCO train: how long each span of the body can look in 2-D, relative to a robust
person size, for ``suspicious=refill``.

A span is a bone (neck-shoulder, shoulder-elbow, ...) or a two-bone chain (shoulder-wrist, hip-ankle, neck-elbow,
...; it still bounds a wrist or ankle whose elbow or knee is missing). Perspective only shortens a span in 2-D, so
one much longer than any seen is strong evidence that one of its ends is wrong.

The person's size is robust to one wrong joint: the median over the bones present (shown in SIZE_BONES) of the
bone's length divided by its typical length (a median person's bone / torso). A wrong joint moves at most three
bones, so it cannot move the median of many; in torso-length units for an average person.

SPANS rows: joint a, joint b, typical length / torso (bones only, else 0: not used for the size), the longest
plausible length / person size (the 99.9th percentile over COCO train people, cut and occluded as the evaluation
families do). Printed by ``python -m posefill_dev.evaluation.suspicious DATA --anatomy``.
"""

from __future__ import annotations

import numpy as np

from .skeleton import L_EAR, L_EYE, NUM_JOINTS, R_EAR, R_EYE

FACE = (R_EYE, L_EYE, R_EAR, L_EAR)

SPANS = np.array(
    [
        # a, b, typical / torso, longest / size
        (1, 2, 0.301, 0.58),
        (1, 5, 0.301, 0.58),
        (2, 3, 0.537, 1.18),
        (3, 4, 0.438, 0.95),
        (5, 6, 0.537, 1.18),
        (6, 7, 0.438, 0.95),
        (1, 8, 1.020, 1.55),
        (8, 9, 0.757, 1.36),
        (9, 10, 0.788, 1.37),
        (1, 11, 1.020, 1.55),
        (11, 12, 0.757, 1.36),
        (12, 13, 0.788, 1.37),
        (2, 5, 0.602, 1.16),
        (8, 11, 0.397, 0.82),
        (1, 0, 0.390, 0.91),
        (0, 14, 0.100, 0.22),
        (0, 15, 0.100, 0.22),
        (14, 16, 0.165, 0.51),
        (15, 17, 0.165, 0.51),
        (2, 8, 1.006, 1.57),
        (5, 11, 1.006, 1.57),
        (2, 4, 0.000, 1.74),
        (5, 7, 0.000, 1.74),
        (8, 10, 0.000, 2.39),
        (11, 13, 0.000, 2.39),
        (1, 3, 0.000, 1.35),
        (1, 6, 0.000, 1.35),
        (1, 9, 0.000, 2.49),
        (1, 12, 0.000, 2.49),
        (0, 2, 0.000, 1.06),
        (0, 5, 0.000, 1.06),
    ]
)
SPAN_A, SPAN_B = SPANS[:, 0].astype(int), SPANS[:, 1].astype(int)
TYPICAL, LONGEST = SPANS[:, 2], SPANS[:, 3]
SIZE_BONES = TYPICAL > 0
CHECKED = ~np.isin(SPAN_A, FACE) & ~np.isin(SPAN_B, FACE)
"""Spans judged by length: not the face's (eyes, ears), where a few pixels of detector noise look long."""


def _touching() -> np.ndarray:
    ends = [np.flatnonzero(CHECKED & np.isin(SPAN_A, [j]) | CHECKED & np.isin(SPAN_B, [j])) for j in range(NUM_JOINTS)]
    out = np.full((NUM_JOINTS, max(map(len, ends))), len(SPANS))
    for j, spans in enumerate(ends):
        out[j, : len(spans)] = spans
    return out


TOUCHING = _touching()
"""Per joint the CHECKED spans it ends, padded with an index past the last span (a column of zeros)."""


def span_lengths(xy: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, S) length of every span and whether both its ends are present."""
    d = xy[:, SPAN_A] - xy[:, SPAN_B]
    length = np.sqrt(d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1])
    return length, present[:, SPAN_A] & present[:, SPAN_B]


def person_size(length: np.ndarray, known: np.ndarray) -> np.ndarray:
    """(N,) robust size (torso-length units of an average person): the median over present bones of length / typical;
    NaN without any bone."""
    bones = known[:, SIZE_BONES]
    ratio = np.sort(np.where(bones, length[:, SIZE_BONES] / TYPICAL[SIZE_BONES], np.inf), 1)  # missing last
    count = bones.sum(1, keepdims=True)
    count = count[:, 0]
    rows = np.arange(len(ratio))
    low = ratio[rows, np.maximum(count - 1, 0) // 2]
    high = ratio[rows, count // 2 - (count == 0)]  # the two middle ones (one when odd)
    return np.where(count > 0, (low + high) / 2, np.nan)


def excess(xy: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N,) the person's size; (N, 18) each joint's worst span: the longest of its spans with both ends present as a
    share of that span's longest plausible length (above 1: longer than any seen), 0 without such a span (and for
    the eyes and ears, not CHECKED); (N, 18) how many of its spans are longer than any seen."""
    length, known = span_lengths(xy, present)
    size = person_size(length, known)
    unit = np.where(size > 0, size, np.inf)[:, None] * LONGEST  # NaN > 0 is False: no size, no evidence
    share = np.zeros((len(length), len(SPANS) + 1))
    share[:, :-1] = np.where(known, length / unit, 0.0)
    touching = share[:, TOUCHING]  # (N, 18, spans a joint ends)
    return size, touching.max(2), (touching > 1.0).sum(2)
