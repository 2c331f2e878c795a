"""The canvas and tail measures for the model and model v2's rules, as printable tables."""

from __future__ import annotations

import numpy as np

from lib_posefill.filler import Filler
from lib_posefill.options import Options

from .canvas import FAR, MOVED, PAD, canvas_scores
from .protocol import FAMILIES, Cases
from .report import markdown_table
from .tails import SEEDS, TRUE_SHARE, NearestPose, tail_scores


def robust_report(fillers: list[Filler], cases: dict[str, Cases], pool: np.ndarray, seed: int) -> tuple[dict, str]:
    """Canvas independence on occluded people (best guess and seed 1) and per-seed tails in every family."""
    nearest = NearestPose(pool)
    results: dict = {}
    canvas_rows, tail_rows = [], []
    for filler in fillers:
        row = results.setdefault(filler.name, {})
        for label, options in (("best guess", Options()), ("seed 1", Options(seed=1))):
            c = row.setdefault("canvas", {})[label] = canvas_scores(filler, cases["occluded"], seed, options)
            cells = [f"{c['tight']:.4f}", f"{c['padded']:.4f}", f"{100 * (c['ratio'] - 1):+.1f} %"]
            cells += [f"{100 * c['outside']:.2f} %", f"{c['worst']:.2f}", f"{100 * c['far']:.2f} %"]
            canvas_rows.append([filler.name, label, *cells, f"{100 * c['moved']:.2f} %"])
        row["tails"] = {f: tail_scores(filler, cases[f], nearest) for f in FAMILIES}
        for measure, cell in (
            ("implausible, worst seed", lambda t: f"{100 * max(t['implausible']):.1f} %"),
            ("implausible, mean of seeds", lambda t: f"{100 * np.mean(t['implausible']):.1f} %"),
            (
                "shins crossed, worst seed (truth)",
                lambda t: f"{100 * max(t['crossed']):.1f} % ({100 * t['crossed_truth']:.1f} %)",
            ),
        ):
            tail_rows.append([filler.name, measure, *(cell(row["tails"][f]) for f in FAMILIES)])
    n = len(cases["occluded"].truth)
    text = (
        f"Canvas: occluded people (n={n}) on their canvas and on one {PAD:g}x as wide and tall (error / torso; "
        f"hidden joints filled outside the large canvas; largest error and share beyond {FAR:g} torso lengths on "
        f"it; share moved by more than {MOVED:g} torso length by the padding)\n\n"
    )
    head = ["filler", "fill", "tight", "padded", "change", "outside", "worst", f"> {FAR:g}", f"moved > {MOVED:g}"]
    text += markdown_table(head, canvas_rows)
    text += (
        f"\n\nAlternatives, seeds {SEEDS[0]}-{SEEDS[-1]}: share of fills farther from every COCO-train pose than "
        f"{100 * TRUE_SHARE:g} % of the true poses are (implausible), and of people with a hidden knee or ankle whose "
        "filled shins cross\n\n"
    )
    text += markdown_table(["filler", "measure", *FAMILIES], tail_rows)
    return results, text
