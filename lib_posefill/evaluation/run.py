"""The whole evaluation from a data location: cases from val, the kNN pool from train, the model file."""

from __future__ import annotations

from pathlib import Path

from ..filler import Filler
from ..model import load_filler, model_path
from ..training.data import load_people
from .alternatives import alternative_spread, one_joint
from .knn import KnnFiller, build_pool, mean_pose_filler
from .protocol import DEFAULT_SEED, FAMILIES, FAMILY_HELP, make_cases
from .report import evaluate, table


def baselines(location: str | Path) -> list[Filler]:
    pool = build_pool(load_people(location, "train"))
    return [mean_pose_filler(pool), KnnFiller(pool, k=5)]


def evaluate_location(
    location: str | Path, model: str | Path | None = None, seed: int | None = None, extra: list[Filler] | None = None
) -> tuple[dict, str]:
    """Results {filler: {family: score}} and the printable report."""
    val = load_people(location, "val")
    cases = {f: make_cases(val, f, DEFAULT_SEED if seed is None else seed) for f in FAMILIES}
    path = Path(model) if model else model_path()
    filler = load_filler(path)
    filler.name = "PoseFill model" if path.exists() else filler.name
    results = evaluate([filler, *(extra or []), *baselines(location)], cases)
    legend = "\n".join(f"- {f}: {FAMILY_HELP[f]}" for f in FAMILIES)
    text = f"Mean error on hidden shoulders..ankles / torso length (COCO val, seed {seed or DEFAULT_SEED})\n\n"
    text += table(results) + "\n\n" + legend
    if getattr(filler, "hypotheses", 0):
        alt = {c.family: alternative_spread(filler, c) for c in (cases["waist-up"], one_joint(cases["occluded"]))}
        results["alternatives"] = alt
        text += "\n\nSeeded alternatives (seeds 0-7; / torso length): spread = mean distance from their mean\n"
        text += "\n".join(
            f"- {name} (n={a['cases']}): spread {a['spread']:.3f}, best of 8 {a['best_of_n']:.3f}, "
            f"best guess {a['best_guess']:.3f}"
            for name, a in alt.items()
        )
    return results, text
