"""Hard poses: the waist-up cases a single best guess finds hardest, scored on their own.

Taken from the waist-up family's cases (the same people and cuts, nothing drawn anew), by their true pose:
- leaning, hips hidden: the torso (neck -> mid-hip) more than LEAN degrees from vertical, both hips below the cut
  (a photographer bent over a tripod, someone reaching down);
- side-on, hips hidden: the shoulders less than SIDE_ON torso lengths apart across the picture, both hips hidden;
- legs bent, cut at the waist: a thigh that drops less than BENT of its length (seated, crouching, kneeling), its
  knee hidden;
- chest-up: the cut less than CHEST torso lengths below the shoulders.
"""

from __future__ import annotations

import numpy as np

from lib_posefill.completion import complete_arrays
from lib_posefill.filler import Filler
from lib_posefill.options import Options
from lib_posefill.skeleton import L_HIP, L_KNEE, L_SHOULDER, NECK, R_HIP, R_KNEE, R_SHOULDER

from .protocol import Cases
from .report import STUB, markdown_table, percent, score

LEAN = 30.0
SIDE_ON = 0.35
BENT = 0.5
CHEST = 0.5
SHORT_TORSO = 0.6
"""Hips filled closer to the neck than this share of the true torso sit at chest height."""
REFERENCE = "kNN-5"


def hard_masks(cases: Cases) -> dict[str, np.ndarray]:
    """(N,) bool per hard pose (see the module docstring) for waist-up cases."""
    t, torso = cases.truth, cases.torso
    hips_hidden = ~cases.present[:, R_HIP] & ~cases.present[:, L_HIP]
    down = (t[:, R_HIP] + t[:, L_HIP]) / 2 - t[:, NECK]
    lean = np.degrees(np.arctan2(np.abs(down[:, 0]), down[:, 1]))  # 0: upright, 90: level, 180: upside down
    thigh = t[:, [R_KNEE, L_KNEE]] - t[:, [R_HIP, L_HIP]]
    bent = (thigh[..., 1] < BENT * np.linalg.norm(thigh, axis=-1)) & ~cases.present[:, [R_KNEE, L_KNEE]]
    shoulders_y = (t[:, R_SHOULDER, 1] + t[:, L_SHOULDER, 1]) / 2
    return {
        f"leaning over {LEAN:g} degrees, hips hidden": hips_hidden & (lean > LEAN),
        "side-on, hips hidden": hips_hidden & (np.abs(t[:, R_SHOULDER, 0] - t[:, L_SHOULDER, 0]) < SIDE_ON * torso),
        "legs bent (seated, crouching), cut at the waist": bent.any(1),
        "chest-up": cases.frame[:, 3] < shoulders_y + CHEST * torso,
    }


def torso_ratios(filler: Filler, cases: Cases) -> np.ndarray:
    """Filled / true torso length (neck to mid-hip) of the cases whose hips are both hidden."""
    hidden = ~cases.present[:, R_HIP] & ~cases.present[:, L_HIP]
    done = complete_arrays(cases.truth, cases.present, cases.frame, Options(), filler)
    filled = np.linalg.norm((done.xy[:, R_HIP] + done.xy[:, L_HIP]) / 2 - done.xy[:, NECK], axis=-1)
    return (filled / cases.torso)[hidden]


def hard_report(fillers: list[Filler], waist_up: Cases) -> tuple[dict, str]:
    """{filler: {hard pose: score}} and a table: per hard pose its size, each filler's error, the first filler's
    lead over kNN-5, its bone lengths and where it put hidden hips (filled / true torso: median, share under
    SHORT_TORSO)."""
    groups = {name: waist_up.subset(keep) for name, keep in hard_masks(waist_up).items()}
    results = {f.name: {name: score(f, cases) for name, cases in groups.items()} for f in fillers}
    first = fillers[0].name
    rows = []
    for name, cases in groups.items():
        if not len(cases.truth):
            rows.append([name, "0", *("–" for _ in fillers), "–", "–", "–"])
            continue
        errors = [f"{results[f.name][name]['error']:.3f}" for f in fillers]
        mine, ref = results[first][name], results.get(REFERENCE, {}).get(name, {}).get("error")
        lead = f"{100 * (mine['error'] / ref - 1):+.1f} %" if ref else "–"
        torso = torso_ratios(fillers[0], cases)
        mine["torso_ratio"] = float(np.median(torso)) if len(torso) else float("nan")
        mine["short_torso"] = float((torso < SHORT_TORSO).mean()) if len(torso) else float("nan")
        hips = "–" if not len(torso) else f"{mine['torso_ratio']:.2f} / {percent(mine['short_torso'])}"
        rows.append(
            [name, str(len(cases.truth)), *errors, lead, f"{mine['bone_ratio']:.3f} / {percent(mine['stubs'])}", hips]
        )
    head = [
        "waist-up people",
        "n",
        *(f.name for f in fillers),
        f"{first} vs {REFERENCE}",
        f"{first}: bone / stubs",
        f"{first}: torso / under {SHORT_TORSO:g}",
    ]
    text = (
        "Hard poses among the waist-up cases (error / torso; bone: median filled / true length, stubs: filled under "
        f"{STUB:g} x true; torso: median filled / true neck to mid-hip where both hips are hidden, and the share under "
        f"{SHORT_TORSO:g}: hips at chest height)\n\n" + markdown_table(head, rows)
    )
    return results, text
