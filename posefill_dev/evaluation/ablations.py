"""Ablations of the model's inference-time parts: the shipped model with one part switched off at a time, scored
on the same cases (``python -m lib_posefill evaluate --ablations``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lib_posefill.model import OnnxFiller, model_path, unflip

from ..training.data import load_people
from .alternatives import alternative_spread, one_elbow_or_knee
from .protocol import DEFAULT_SEED, FAMILIES, make_cases, split
from .report import CUT_FAMILIES, evaluate, markdown_table


class WithoutShaping(OnnxFiller):
    """The network's fill as it comes: no limb-length rule, no placing beyond the edge."""

    def shape(self, pose, missing, outside, frame, scale):
        return pose


class HardMirror(OnnxFiller):
    """Mirrored into the canonical orientation and back, without blending both orientations near the boundary."""

    def best(self, feats):
        flip, _, out = self.run_canonical(feats)
        return unflip(flip, out["best"], out["outside"])


class FlowMedian(OnnxFiller):
    """The best guess replaced by the joint-wise median of the flow's samples for seeds 0-7."""

    def best(self, feats):
        samples = [self.alternative(feats, np.full(len(feats), s)) for s in range(8)]
        offsets = np.median(np.stack([o for o, _ in samples]), 0).astype(np.float32)
        return offsets, samples[0][1]


class Unsettled(OnnxFiller):
    """Alternatives keep all of the flow's departure from the best guess, however certain the limb."""

    def __init__(self, path, threads=None):
        super().__init__(path, threads)
        self.settle = (-2.0, -1.0)


VARIANTS = {
    "shipped": OnnxFiller,
    "without the shaping rules": WithoutShaping,
    "hard mirror, no blend": HardMirror,
    "best guess = median of 8 flow samples": FlowMedian,
    "alternatives without settling": Unsettled,
}


def ablation_table(location: str | Path, model: str | Path | None = None, seed: int | None = None) -> str:
    """A markdown table, one row per variant: average error, the bone-length median furthest from 1, the worst
    cut family's share filled beyond the edge, occluded joints filled inside, the mirror gap, and the spread of
    seeds 0-7 on waist-up people and on one hidden elbow or knee."""
    seed = DEFAULT_SEED if seed is None else seed
    path = Path(model) if model else model_path()
    val = split(load_people(location, "val"), "report")
    cases = {f: make_cases(val, f, seed) for f in FAMILIES}
    single = one_elbow_or_knee(val, seed)
    head = [
        "variant",
        "error (avg)",
        "bone length (worst family)",
        "beyond the cut (worst family)",
        "occluded inside (worst)",
        "mirror gap",
        "spread waist-up",
        "spread one elbow/knee",
    ]
    rows = []
    for name, cls in VARIANTS.items():
        filler = cls(path)
        filler.name = name
        row = evaluate([filler], cases)[name]
        bones = [row[f]["bone_ratio"] for f in FAMILIES]
        cells = [
            name,
            f"{row['average']['error']:.4f}",
            f"{max(bones, key=lambda b: abs(b - 1)):.3f}",
            f"{100 * min(row[f]['beyond'] for f in CUT_FAMILIES):.1f} %",
            f"{100 * min(row[f]['inside'] for f in ('occluded', 'shoulder')):.1f} %",
            f"{row['average']['mirror']:.4f}",
            f"{alternative_spread(filler, cases['waist-up'])['spread']:.3f}",
            f"{alternative_spread(filler, single)['spread']:.3f}",
        ]
        rows.append(cells)
    return markdown_table(head, rows)
