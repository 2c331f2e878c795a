"""Scoring fillers on the evaluation cases through the real completion step, and the results table."""

from __future__ import annotations

import numpy as np

from ..completion import complete_arrays
from ..filler import Filler
from ..options import Options
from .protocol import FAMILIES, Cases


def score(filler: Filler, cases: Cases, options: Options | None = None) -> dict:
    """Mean error over the hidden shoulders .. ankles / torso length, and the cases left unanswered."""
    done = complete_arrays(cases.truth, cases.present, cases.frame, options or Options(), filler)
    want = cases.scored
    answered = (done.filled | ~want).all(1) & np.isfinite(done.xy).all((1, 2))
    err = np.linalg.norm(done.xy - cases.truth, axis=-1) / cases.torso[:, None]
    ok = want & answered[:, None]
    return {
        "error": float(err[ok].mean()) if ok.any() else float("nan"),
        "cases": len(cases.truth),
        "joints": int(want.sum()),
        "unanswered": int((~answered).sum()),
    }


def evaluate(fillers: list[Filler], cases: dict[str, Cases]) -> dict[str, dict[str, dict]]:
    """{filler name: {family: score}}, plus an "average" entry (mean over families) per filler."""
    results: dict[str, dict[str, dict]] = {}
    for filler in fillers:
        row = {family: score(filler, cases[family]) for family in cases}
        row["average"] = {
            "error": float(np.mean([row[f]["error"] for f in cases])),
            "cases": sum(row[f]["cases"] for f in cases),
            "joints": sum(row[f]["joints"] for f in cases),
            "unanswered": sum(row[f]["unanswered"] for f in cases),
        }
        results[filler.name] = row
    return results


def table(results: dict[str, dict[str, dict]], reference: str = "kNN-5") -> str:
    """A markdown table: one row per filler, one column per family, the average, unanswered cases, and the
    change of the average against ``reference``."""
    families = [f for f in FAMILIES if f in next(iter(results.values()))]
    first = next(iter(results.values()))
    head = ["filler", *(f"{f} (n={first[f]['cases']})" for f in families), "average", "unanswered", f"vs {reference}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ref = results.get(reference, {}).get("average", {}).get("error")
    for name, row in results.items():
        change = f"{100 * (row['average']['error'] / ref - 1):+.1f} %" if ref else ""
        cells = [name, *(f"{row[f]['error']:.3f}" for f in [*families, "average"]), str(row["average"]["unanswered"])]
        lines.append("| " + " | ".join([*cells, change]) + " |")
    return "\n".join(lines)
