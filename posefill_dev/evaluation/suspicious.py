"""How well ``suspicious=refill`` finds and repairs wrong detections: COCO people with one injected error each.

The people are the evaluation cases (``protocol.make_cases``: the five missing-joint families, plus the same people
with every labelled joint given, "whole"). Each gets one error on a given joint among shoulders .. ankles:

- outlier: moved 1-3 torso lengths in a random direction;
- snap: put exactly on another given joint of the same person at least a quarter torso away;
- swap: an elbow, wrist, knee or ankle exchanged with its given twin at least a quarter torso away;
- absurd: one coordinate set to +-10^4..10^12 pixels;
- limb: a whole arm or leg labelled as the other one: elbows and wrists (knees and ankles) exchanged with their
  twins at once (no target of its own; a detector that takes one limb for the other does this).

Caught = the joint (for a swap, either twin; for a limb, any of its four) is listed in ``replaced``. Error = distance of the injected joint (swap:
both twins; limb: all four) from the truth after the repair / torso length, over all people and over the caught ones (a person left
with too few other joints is skipped and keeps its absurd joint, with a warning). Clean = the same cases without injection: the share of
people with any joint replaced, and whether any joint not listed moved. ``calibrate`` chooses the detector's
thresholds on COCO *train* people the same way (never on val).
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, replace

import numpy as np

from lib_posefill import anatomy, suspicious
from lib_posefill.completion import complete_arrays
from lib_posefill.filler import Filler
from lib_posefill.options import Options
from lib_posefill.skeleton import MIRROR
from lib_posefill.suspicious import TWINS

from .protocol import SCORED, Cases, make_cases
from .report import markdown_table

KINDS = ("outlier", "snap", "swap", "absurd", "limb")
KIND_HELP = {
    "outlier": "moved 1-3 torso lengths",
    "snap": "put on another joint of the person",
    "swap": "elbow, wrist, knee or ankle exchanged with its twin",
    "absurd": "a coordinate of +-1e4 .. 1e12",
    "limb": "elbow and wrist, or knee and ankle, exchanged with their twins",
}
TARGETS = {"outlier": 0.95, "snap": 0.80, "swap": 0.80, "absurd": 0.95}
REFILL = Options(suspicious="refill")
FAR = 0.5
"""Also reported: the share caught among injected joints at least this many torso lengths from the truth (a swap of
twins close together, or a snap onto a joint near the true place, changes little)."""
SNAP_OFFSET = 0.05
"""An injected snap lands on the other joint or up to this many torso lengths off it (a heatmap cell or so)."""


@dataclass
class Injected:
    """Cases with one error each: the detections, and the joint (and for a swap its twin, else -1) made wrong."""

    cases: Cases
    xy: np.ndarray  # (N, 18, 2)
    joint: np.ndarray  # (N,)
    twin: np.ndarray  # (N,)
    lower: np.ndarray  # (N, 2): a limb's wrists or ankles, exchanged with its elbows or knees (else -1)


def whole(cases: Cases) -> Cases:
    """The same people with every labelled joint given, on the uncut canvas of the family's draw."""
    return replace(cases, family="whole", present=cases.labelled.copy())


def inject(cases: Cases, kind: str, rng: np.random.Generator) -> Injected:
    """One error of ``kind`` per person; people where it cannot be made are left out."""
    xy, present, torso = cases.truth.copy(), cases.present, cases.torso
    joint = np.full(len(xy), -1)
    twin = np.full(len(xy), -1)
    lower = np.full((len(xy), 2), -1)
    for i in range(len(xy)):
        given = np.flatnonzero(present[i])
        far = np.linalg.norm(xy[i, :, None] - xy[i, None], axis=-1) >= 0.25 * torso[i]
        if kind == "limb":
            limbs = [(TWINS[k], TWINS[k + 1]) for k in (0, 2)]
            limbs = [(a, b) for a, b in limbs if present[i, [*a, *b]].all() and far[a] and far[b]]
            if limbs:
                (joint[i], twin[i]), lower[i] = limbs[rng.integers(len(limbs))]
                for u, v in ((joint[i], twin[i]), lower[i]):
                    xy[i, [u, v]] = xy[i, [v, u]]
            continue
        if kind == "swap":
            pairs = [p for p in TWINS if present[i, list(p)].all() and far[p]]
            if pairs:
                joint[i], twin[i] = pairs[rng.integers(len(pairs))]
                xy[i, [joint[i], twin[i]]] = xy[i, [twin[i], joint[i]]]
            continue
        options = np.intersect1d(given, SCORED)
        if kind == "snap":
            options = [j for j in options if any(far[j, k] for k in given if k != j)]
        if not len(options):
            continue
        j = joint[i] = rng.choice(options)
        if kind == "outlier":
            d, a = rng.uniform(1, 3) * torso[i], rng.uniform(0, 2 * np.pi)
            xy[i, j] += d * np.array([np.cos(a), np.sin(a)])
        elif kind == "snap":  # parked on another joint, exactly or a few pixels off (a heatmap cell or so)
            d, a = rng.uniform(0, SNAP_OFFSET) * torso[i], rng.uniform(0, 2 * np.pi)
            xy[i, j] = xy[i, rng.choice([k for k in given if k != j and far[j, k]])] + d * np.array(
                [np.cos(a), np.sin(a)]
            )
        elif kind == "absurd":
            xy[i, j, rng.integers(2)] = rng.choice((-1.0, 1.0)) * 10 ** rng.uniform(4, 12)
        else:
            raise ValueError(f"unknown kind {kind!r}")
    keep = joint >= 0
    return Injected(cases.subset(keep), xy[keep], joint[keep], twin[keep], lower[keep])


def score_injected(filler: Filler, inj: Injected) -> dict:
    """Share caught, mean error of the injected joint(s) before and after the repair (/ torso), and whether any
    joint that is not listed in ``replaced`` moved."""
    c = inj.cases
    done = complete_arrays(inj.xy, c.present, c.frame, REFILL, filler)
    rows = np.arange(len(inj.xy))
    joints = np.concatenate([inj.joint[:, None], inj.twin[:, None], inj.lower], 1)  # (N, 4), -1: none
    made = joints >= 0
    joints = np.maximum(joints, 0)
    caught = (done.replaced[rows[:, None], joints] & made).any(1)
    with np.errstate(over="ignore", invalid="ignore"):
        off = [
            np.linalg.norm(p[rows[:, None], joints] - c.truth[rows[:, None], joints], axis=-1)
            for p in (done.xy, inj.xy)
        ]
        after, before = (np.where(made, d, 0.0).sum(1) / made.sum(1) for d in off)
    far = before / c.torso >= FAR
    return {
        "people": len(rows),
        "caught": float(caught.mean()) if len(rows) else float("nan"),
        "before": float(np.mean(before / c.torso)),
        "after": float(np.mean(after / c.torso)),
        "after_caught": float(np.mean((after / c.torso)[caught])) if caught.any() else float("nan"),
        "caught_far": float(caught[far].mean()) if far.any() else float("nan"),
        "moved": unlisted_moved(inj.xy, c.present, done),
    }


def unlisted_moved(xy: np.ndarray, present: np.ndarray, done) -> int:
    """How many given joints not listed in ``replaced`` came back anywhere but where they were given."""
    kept = present & ~done.replaced
    return int((kept & (done.xy != xy).any(-1)).sum())


def score_clean(filler: Filler, cases: Cases) -> dict:
    """Share of people with any joint replaced, joints replaced, and given joints not listed that moved."""
    done = complete_arrays(cases.truth, cases.present, cases.frame, REFILL, filler)
    return {
        "people": len(cases.truth),
        "touched": float(done.replaced.any(1).mean()),
        "joints": int(done.replaced.sum()),
        "moved": unlisted_moved(cases.truth, cases.present, done),
    }


def all_cases(people, seed: int) -> list[Cases]:
    from .protocol import FAMILIES

    cases = [make_cases(people, f, seed) for f in FAMILIES]
    return [*cases, whole(cases[FAMILIES.index("occluded")])]


def concat(cases: list[Cases]) -> Cases:
    return Cases(
        "all",
        *(np.concatenate([getattr(c, k) for c in cases]) for k in ("truth", "labelled", "present", "frame", "torso")),
    )


def suspicious_report(filler: Filler, people, seed: int) -> tuple[dict, str]:
    """Every kind on every family's people (one injected error each), and the clean cases; the printable table."""
    cases = concat(all_cases(people, seed))
    rng = np.random.default_rng([seed, 17])
    results = {kind: score_injected(filler, inject(cases, kind, rng)) for kind in KINDS}
    results["clean"] = score_clean(filler, cases)
    rows = [
        [
            kind,
            KIND_HELP[kind],
            str(r["people"]),
            f"{100 * r['caught']:.1f} %" + (f" (target {100 * TARGETS[kind]:.0f} %)" if kind in TARGETS else ""),
            f"{100 * r['caught_far']:.1f} %",
            "absurd" if kind == "absurd" else f"{r['before']:.2f}",
            f"{r['after']:.3f}" if r["after"] < 1e3 else "absurd",
            f"{r['after_caught']:.3f}",
            str(r["moved"]),
        ]
        for kind, r in results.items()
        if kind in KINDS
    ]
    clean = results["clean"]
    text = (
        f"Suspicious joints, suspicious=refill (COCO val people of every family and whole bodies, seed {seed}; "
        "error / torso length)\n\n"
        + markdown_table(
            [
                "injected",
                "how",
                "people",
                "caught",
                f"caught, >= {FAR:g} torso off",
                "error before",
                "error after",
                "after, caught ones",
                "unlisted moved",
            ],
            rows,
        )
        + f"\n\nClean (no injection, n={clean['people']}): {100 * clean['touched']:.2f} % of people had a joint "
        f"replaced ({clean['joints']} joints; target <= 1 %); unlisted joints moved: {clean['moved']}"
    )
    return results, text


def suspicious_location(location, model=None, seed: int | None = None) -> tuple[dict, str]:
    """``suspicious_report`` for the COCO val people at ``location`` with the model at ``model`` (default: shipped)."""
    from lib_posefill.model import load_filler

    from ..training.data import load_people
    from .protocol import DEFAULT_SEED

    return suspicious_report(load_filler(model), load_people(location, "val"), DEFAULT_SEED if seed is None else seed)


@contextlib.contextmanager
def thresholds_of(module, **values):
    """A module's constants set to ``values`` for the duration (calibration only)."""
    old = {k: getattr(module, k) for k in values}
    for k, v in values.items():
        setattr(module, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(module, k, v)


def thresholds(**values: float):
    """The detector's constants set to ``values`` for the duration (calibration only)."""
    return thresholds_of(suspicious, **values)


def learn_anatomy(train, seed: int = 11, people: int = 20_000, share: float = 0.999) -> tuple[np.ndarray, str]:
    """``anatomy.SPANS`` learned from COCO train people (a random ``people`` of them, cut and occluded as the
    evaluation families do, plus whole bodies): each bone's median length / torso on whole bodies, then each span's
    ``share`` quantile of length / robust size over every case where both ends are given. Returns the table and
    its text to paste into ``anatomy.py``."""
    rng = np.random.default_rng(seed)
    cases = all_cases(train.subset(rng.permutation(len(train))[:people]), seed)
    table = anatomy.SPANS.copy()
    ends = [tuple(sorted(p)) for p in zip(anatomy.SPAN_A, anatomy.SPAN_B, strict=True)]
    twin = [ends.index(tuple(sorted((MIRROR[a], MIRROR[b])))) for a, b in ends]  # left and right pooled
    full = cases[-1]
    length, known = anatomy.span_lengths(full.truth, full.present)
    for s in np.flatnonzero(anatomy.SIZE_BONES):
        both = [length[known[:, k], k] / full.torso[known[:, k]] for k in {s, twin[s]}]
        table[s, 2] = np.median(np.concatenate(both))
    every = concat(cases)
    length, known = anatomy.span_lengths(every.truth, every.present)
    with thresholds_of(anatomy, TYPICAL=table[:, 2]):
        size = anatomy.person_size(length, known)
    for s in range(len(table)):
        both = [
            length[known[:, k] & np.isfinite(size), k] / size[known[:, k] & np.isfinite(size)] for k in {s, twin[s]}
        ]
        table[s, 3] = np.quantile(np.concatenate(both), share)
    rows = "\n".join(f"        ({int(a)}, {int(b)}, {t:.3f}, {m:.2f})," for a, b, t, m in table)
    return table, f"learned on {len(every.truth):,} train cases ({people:,} people, seed {seed}):\n{rows}"


GRIDS = (
    {
        "Z_OUTLIER": (6.0, 8.0),
        "MIN_OFF": (1.0, 1.2),
        "Z_LONG": (2.0, 3.0),
        "LONG_NEAR": (0.9, 1.0),
        "Z_LONG_NEAR": (3.0, 4.0),
    },
    {"Z_SNAP": (3.0, 4.0, 5.0), "SNAP_OFF": (0.3, 0.4, 0.5, 0.8)},
    {"LEARNED": (0.8, 0.85, 0.9, 0.95, 0.98), "LEARNED_SWAP": (0.9, 0.95, 0.98), "VOUCH": (0.2, 0.4, 0.6)},
    {"WHOLE_GAIN": (1.0, 2.0, 4.0), "WHOLE_RATIO": (0.3, 0.5, 1.0), "WHOLE_VOUCH": (0.0, 0.1, 0.2)},
)
"""Searched one after the other: the outlier rules, then the near-snap rule with the outlier rules chosen, then the
learned judge's thresholds with both held, then the test of whole limbs exchanged."""


def calibrate(
    filler: Filler, train, seed: int = 7, people: int | None = None, budget: float = 0.0075, grids=None
) -> tuple[dict, str]:
    """Thresholds chosen on COCO train people (those the learned judge was not trained on,
    ``training.data.train_split``, or a random ``people`` of them): for each grid of GRIDS in turn (or the indices ``grids``; the others keep
    the module's values), the point with at most ``budget`` of clean people touched that catches the most on
    average over the kinds (the earlier grids' choices held). Returns the choice and a printable table per grid."""
    from ..training.data import train_split

    held = train_split(train, "calibrate")
    rng = np.random.default_rng(seed)
    sample = held.subset(rng.permutation(len(held))[:people])  # [:None]: all
    cases = concat(all_cases(sample, seed))
    injected = {kind: inject(cases, kind, np.random.default_rng([seed, k])) for k, kind in enumerate(KINDS)}
    chosen: dict = {}
    texts = []
    for grid in GRIDS if grids is None else [GRIDS[k] for k in grids]:
        rows, best = [], None
        for values in itertools.product(*grid.values()):
            setting = {**chosen, **dict(zip(grid, values, strict=True))}
            with thresholds(**setting):
                clean = score_clean(filler, cases)["touched"]
                caught = {kind: score_injected(filler, inj)["caught"] for kind, inj in injected.items()}
            mean = float(np.mean(list(caught.values())))
            rows.append(
                [*(f"{v:g}" for v in values), f"{100 * clean:.2f} %", *(f"{100 * c:.1f} %" for c in caught.values())]
            )
            if clean <= budget and (best is None or mean > best[1]):
                best = (setting, mean)
        chosen = best[0] if best else chosen
        texts.append(markdown_table([*grid, "clean touched", *KINDS], rows))
    return chosen, "\n\n".join(texts) + f"\n\nchosen (clean <= {100 * budget:g} %): {chosen}"


def main(argv: list[str] | None = None) -> int:
    import argparse

    from lib_posefill.model import load_filler

    from ..training.data import load_people

    parser = argparse.ArgumentParser(prog="python -m posefill_dev.evaluation.suspicious")
    parser.add_argument("data", help="COCO 2017 keypoints folder or file")
    parser.add_argument(
        "--people", type=int, help="COCO train people to calibrate on (default: all of the calibration part)"
    )
    parser.add_argument("--anatomy", action="store_true", help="instead: learn anatomy.SPANS (20,000 train people)")
    parser.add_argument(
        "--grid", type=int, action="append", help="search only this grid of GRIDS (0, 1, 2, 3; repeatable)"
    )
    args = parser.parse_args(argv)
    if args.anatomy:
        print(learn_anatomy(load_people(args.data, "train"))[1])
        return 0
    _, text = calibrate(load_filler(), load_people(args.data, "train"), people=args.people, grids=args.grid)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
