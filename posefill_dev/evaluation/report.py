"""Scoring fillers on the evaluation cases through the real completion step, and the results table.

Per family: the error, the length of filled bones against the true ones, whether joints that left the frame are
filled beyond the edge they crossed (and occluded ones inside the canvas), and how far the fill moves when the
case is mirrored, filled and mirrored back.
"""

from __future__ import annotations

import numpy as np

from lib_posefill.completion import Completion, complete_arrays
from lib_posefill.filler import Filler
from lib_posefill.options import Options
from lib_posefill.skeleton import LIMBS, MIRROR

from .protocol import FAMILIES, Cases

BONES = tuple((a, b) for a, b in LIMBS if a <= 13 and b <= 13)
"""The body's bones (neck .. ankles): the plausibility check compares their filled and true lengths."""
CUT_FAMILIES = ("legs cut", "waist-up", "side cut")
STUB = 0.7
"""A filled bone shorter than this share of the true one is a stub."""


def beyond_edges(xy: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """(N, 18, 4) bool: each joint lies beyond the left, top, right, bottom edge of its person's frame."""
    f = frame[:, None]
    return np.stack(
        [xy[..., 0] < f[..., 0], xy[..., 1] < f[..., 1], xy[..., 0] > f[..., 2], xy[..., 1] > f[..., 3]], -1
    )


def bone_ratios(done: Completion, cases: Cases) -> np.ndarray:
    """Filled / true length of every labelled bone with at least one filled end."""
    out = []
    for a, b in BONES:
        use = (done.filled[:, a] | done.filled[:, b]) & cases.labelled[:, a] & cases.labelled[:, b]
        true = np.linalg.norm(cases.truth[use, a] - cases.truth[use, b], axis=-1)
        filled = np.linalg.norm(done.xy[use, a] - done.xy[use, b], axis=-1)
        out.append(filled[true > 1e-6] / true[true > 1e-6])
    return np.concatenate(out)


def mirrored(cases: Cases) -> Cases:
    """The cases flipped left-right inside their frames (joint labels swapped)."""
    axis = (cases.frame[:, 0] + cases.frame[:, 2])[:, None]
    truth = cases.truth[:, list(MIRROR)].copy()
    truth[..., 0] = axis - truth[..., 0]
    frame = cases.frame.copy()
    frame[:, 0], frame[:, 2] = axis[:, 0] - cases.frame[:, 2], axis[:, 0] - cases.frame[:, 0]
    return Cases(
        cases.family,
        truth,
        cases.labelled[:, list(MIRROR)],
        cases.present[:, list(MIRROR)],
        frame,
        cases.torso,
    )


def mirror_gap(filler: Filler, cases: Cases, done: Completion, options: Options) -> float:
    """Mean distance / torso between fill(x) and mirror(fill(mirror(x))) over the joints either fill added."""
    flip = mirrored(cases)
    back = complete_arrays(flip.truth, flip.present, flip.frame, options, filler)
    xy = back.xy[:, list(MIRROR)].copy()
    xy[..., 0] = (cases.frame[:, 0] + cases.frame[:, 2])[:, None] - xy[..., 0]
    both = done.filled | back.filled[:, list(MIRROR)]
    gap = np.linalg.norm(xy - done.xy, axis=-1) / cases.torso[:, None]
    return float(gap[both].mean()) if both.any() else 0.0


def _share(ok: np.ndarray, which: np.ndarray) -> float:
    return float(ok[which].mean()) if which.any() else float("nan")


def score(filler: Filler, cases: Cases, options: Options | None = None) -> dict:
    """Error over the hidden shoulders .. ankles / torso length, unanswered cases, median filled/true bone length,
    the share of joints beyond a cut filled beyond it, of occluded joints filled inside, and the mirror gap."""
    options = options or Options()
    done = complete_arrays(cases.truth, cases.present, cases.frame, options, filler)
    want = cases.scored
    answered = (done.filled | ~want).all(1) & np.isfinite(done.xy).all((1, 2))
    err = np.linalg.norm(done.xy - cases.truth, axis=-1) / cases.torso[:, None]
    ok = want & answered[:, None]
    truly_beyond = beyond_edges(cases.truth, cases.frame)
    filled_beyond = beyond_edges(done.xy, cases.frame)
    hidden = want & done.filled
    ratios = bone_ratios(done, cases)
    return {
        "error": float(err[ok].mean()) if ok.any() else float("nan"),
        "cases": len(cases.truth),
        "joints": int(want.sum()),
        "unanswered": int((~answered).sum()),
        "bone_ratio": float(np.median(ratios)) if len(ratios) else float("nan"),
        "stubs": float((ratios < STUB).mean()) if len(ratios) else float("nan"),
        "beyond": _share((filled_beyond | ~truly_beyond).all(-1), hidden & truly_beyond.any(-1)),
        "inside": _share(~filled_beyond.any(-1), hidden & ~truly_beyond.any(-1)),
        "mirror": mirror_gap(filler, cases, done, options),
    }


def evaluate(fillers: list[Filler], cases: dict[str, Cases]) -> dict[str, dict[str, dict]]:
    """{filler name: {family: score}}, plus an "average" entry per filler (errors averaged over families)."""
    results: dict[str, dict[str, dict]] = {}
    for filler in fillers:
        row = {family: score(filler, cases[family]) for family in cases}
        row["average"] = {
            "error": float(np.mean([row[f]["error"] for f in cases])),
            "cases": sum(row[f]["cases"] for f in cases),
            "joints": sum(row[f]["joints"] for f in cases),
            "unanswered": sum(row[f]["unanswered"] for f in cases),
            "mirror": float(np.mean([row[f]["mirror"] for f in cases])),
        }
        results[filler.name] = row
    return results


def markdown_table(head: list[str], rows: list[list[str]]) -> str:
    """A markdown table of ``rows`` (lists of cells) under ``head``."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(cells) + " |" for cells in rows])


def table(results: dict[str, dict[str, dict]], reference: str = "kNN-5") -> str:
    """A markdown table: one row per filler, one column per family, the average, unanswered cases, and the
    change of the average against ``reference``."""
    families = [f for f in FAMILIES if f in next(iter(results.values()))]
    first = next(iter(results.values()))
    head = ["filler", *(f"{f} (n={first[f]['cases']})" for f in families), "average", "unanswered", f"vs {reference}"]
    ref = results.get(reference, {}).get("average", {}).get("error")
    rows = []
    for name, row in results.items():
        change = f"{100 * (row['average']['error'] / ref - 1):+.1f} %" if ref else ""
        cells = [name, *(f"{row[f]['error']:.3f}" for f in [*families, "average"]), str(row["average"]["unanswered"])]
        rows.append([*cells, change])
    return markdown_table(head, rows)


def percent(v: float) -> str:
    return "–" if np.isnan(v) else f"{100 * v:.1f} %"


def plausibility_table(results: dict[str, dict[str, dict]]) -> str:
    """Per filler and family: median filled/true bone length, joints beyond a cut filled beyond it, occluded
    joints filled inside the canvas, and the mirror gap."""
    families = [f for f in FAMILIES if f in next(iter(results.values()))]
    measures = (
        ("bone length (median filled/true)", lambda r: f"{r['bone_ratio']:.3f}"),
        (f"stubs (filled < {STUB:g} x true)", lambda r: percent(r["stubs"])),
        ("beyond the cut, filled beyond", lambda r: percent(r["beyond"])),
        ("occluded, filled inside", lambda r: percent(r["inside"])),
        ("mirror gap / torso", lambda r: f"{r['mirror']:.4f}"),
    )
    rows = [
        [name, measure, *(cell(row[f]) for f in families)]
        for name, row in results.items()
        if all(f in row for f in families)
        for measure, cell in measures
    ]
    return markdown_table(["filler", "measure", *families], rows)
