"""The whole evaluation from a data location: cases from val, the kNN pool from train, the model file."""

from __future__ import annotations

from pathlib import Path

from lib_posefill.filler import Filler
from lib_posefill.model import OnnxFiller, load_filler, model_path

from ..training.data import load_people
from .alternatives import alternative_spread, distinct_alternatives, leg_pose_shares, one_elbow_or_knee
from .hard import hard_report
from .knn import KnnFiller, build_pool, mean_pose_filler
from .legacy import V2Rules
from .protocol import DEFAULT_SEED, FAMILIES, FAMILY_HELP, make_cases, split
from .report import evaluate, plausibility_table, table
from .robust import robust_report

KNN_CANVAS_WEIGHT = 0.02
"""kNN-5's canvas term, chosen on the tuning split (0 -> 0.02: average error 0.332 -> 0.315 there)."""


def baselines(pool) -> list[Filler]:
    """The mean pose, kNN-5 (the yardstick) and kNN-5 without its canvas term."""
    plain = KnnFiller(pool, k=5, name="kNN-5, no canvas term")
    return [mean_pose_filler(pool), KnnFiller(pool, k=5, canvas_weight=KNN_CANVAS_WEIGHT), plain]


def alternatives_report(filler: Filler, cases: dict, val, seed: int) -> tuple[dict, str]:
    """The seeded alternatives' figures and their printable lines."""
    single = one_elbow_or_knee(val, seed)
    alt = {c.family: alternative_spread(filler, c) for c in (cases["waist-up"], single)}
    legs = leg_pose_shares(filler, cases["waist-up"])
    distinct = distinct_alternatives(filler, cases["waist-up"])
    lines = ["Seeded alternatives (/ torso length): spread = mean distance of seeds 0-7 from their mean"]
    lines += [
        f"- {name} (n={a['cases']}): spread {a['spread']:.3f}, best of 8 {a['best_of_n']:.3f}, "
        f"best guess {a['best_guess']:.3f}"
        for name, a in alt.items()
    ]
    lines.append(
        "- waist-up legs (seeds 0-63 / best guess / truth), standing-stepping-bent: "
        + " / ".join("-".join(f"{v:.2f}" for v in legs[k].values()) for k in ("alternatives", "best guess", "truth"))
    )
    lines.append(
        f"- seeds 0-{distinct['seeds'] - 1} on {distinct['people']} waist-up people: at least {distinct['distinct']} "
        f"distinct poses each, closest two {distinct['closest']:.4f}"
    )
    return {**alt, "leg poses": legs, "distinct": distinct}, "\n".join(lines)


def evaluate_location(
    location: str | Path, model: str | Path | None = None, seed: int | None = None, extra: list[Filler] | None = None
) -> tuple[dict, str]:
    """Results {filler: {family: score}} and the printable report."""
    seed = DEFAULT_SEED if seed is None else seed
    val = split(load_people(location, "val"), "report")
    cases = {f: make_cases(val, f, seed) for f in FAMILIES}
    path = Path(model) if model else model_path()
    filler = load_filler(path)
    filler.name = "PoseFill model" if path.exists() else filler.name
    models = [filler]
    if isinstance(filler, OnnxFiller):
        models.append(V2Rules(path))
        models[-1].name = "PoseFill, v2 rules"
    pool = build_pool(load_people(location, "train"))
    yardsticks = baselines(pool)
    results = evaluate([*models, *(extra or []), *yardsticks], cases)
    legend = "\n".join(f"- {f}: {FAMILY_HELP[f]}" for f in FAMILIES)
    text = f"Mean error on hidden shoulders..ankles / torso length (COCO val, report split, seed {seed})\n\n"
    text += table(results) + "\n\n" + legend
    text += "\n\nPlausibility per family (bones with a filled end; joints hidden by a cut or an occlusion)\n\n"
    text += plausibility_table(results)
    knn = [b for b in yardsticks if b.name == "kNN-5"]
    results["hard poses"], lines = hard_report([*models, *knn], cases["waist-up"])
    text += "\n\n" + lines
    if getattr(filler, "seeded", False):
        results["alternatives"], lines = alternatives_report(filler, cases, val, seed)
        text += "\n\n" + lines
        results["robust"], lines = robust_report(models, cases, pool, seed)
        text += "\n\n" + lines
    return results, text
