"""How far seeded alternatives move the filled joints: a lot where the pose is uncertain (legs of a waist-up
portrait), little where it is not (one occluded joint)."""

from __future__ import annotations

import numpy as np

from ..completion import complete_arrays
from ..filler import Filler
from ..options import Options
from .protocol import Cases


def alternative_spread(filler: Filler, cases: Cases, seeds: int = 8) -> dict:
    """Over the hidden scored joints: mean distance of the seeded alternatives from their mean (spread) and the
    error of the best of them (best-of-n), both / torso length; and the best guess's error for reference."""
    want = cases.scored
    runs = np.stack(
        [complete_arrays(cases.truth, cases.present, cases.frame, Options(seed=s), filler).xy for s in range(seeds)]
    )  # (S, N, 18, 2)
    best = complete_arrays(cases.truth, cases.present, cases.frame, Options(), filler).xy
    torso = cases.torso[:, None]
    spread = np.linalg.norm(runs - runs.mean(0), axis=-1).mean(0) / torso
    per_seed = (np.linalg.norm(runs - cases.truth, axis=-1) / torso * want).sum(-1) / want.sum(-1)
    guess = np.linalg.norm(best - cases.truth, axis=-1) / torso
    return {
        "cases": len(cases.truth),
        "spread": float(spread[want].mean()),
        "best_of_n": float(per_seed.min(0).mean()),
        "best_guess": float(((guess * want).sum(-1) / want.sum(-1)).mean()),
    }


def one_joint(cases: Cases) -> Cases:
    """The cases of a family with exactly one scored joint hidden."""
    keep = cases.scored.sum(1) == 1
    return Cases(
        cases.family + " (one joint)",
        cases.truth[keep],
        cases.labelled[keep],
        cases.present[keep],
        cases.frame[keep],
        cases.torso[keep],
    )
