"""Seeded alternatives: fresh for every seed, far apart where the pose is uncertain (the legs of a waist-up
portrait, standing, stepping or seated as often as people are), close together where it is not (one occluded
elbow or knee)."""

from __future__ import annotations

import numpy as np

from lib_posefill.completion import complete_arrays
from lib_posefill.filler import Filler
from lib_posefill.options import Options
from lib_posefill.skeleton import L_ANKLE, L_ELBOW, L_HIP, L_KNEE, NECK, R_ANKLE, R_ELBOW, R_HIP, R_KNEE

from ..training.data import People, body_complete
from .protocol import Cases

LEG_POSES = ("standing", "stepping", "bent")
LEGS = ((R_HIP, R_KNEE, R_ANKLE), (L_HIP, L_KNEE, L_ANKLE))


def leg_pose(xy: np.ndarray) -> np.ndarray:
    """(N,) index into LEG_POSES. bent (seated, kneeling, crouching): a thigh more than 50 degrees off the torso's
    axis, or a knee bent more than 60 degrees, or a thigh shorter than a third of the torso (pointing at the camera);
    stepping: otherwise a knee bent more than 25 degrees or the ankles more than 0.6 torso lengths apart sideways."""
    mid_hip = (xy[:, R_HIP] + xy[:, L_HIP]) / 2
    axis = mid_hip - xy[:, NECK]
    torso = np.maximum(np.linalg.norm(axis, axis=-1), 1e-9)
    axis = axis / torso[:, None]

    def angle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        cos = (u * v).sum(-1) / np.maximum(np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1), 1e-9)
        return np.degrees(np.arccos(np.clip(cos, -1, 1)))

    bent = np.zeros(len(xy), bool)
    stepping = np.zeros(len(xy), bool)
    for hip, knee, ankle in LEGS:
        thigh, shin = xy[:, knee] - xy[:, hip], xy[:, ankle] - xy[:, knee]
        bend = angle(thigh, shin)
        bent |= (angle(thigh, axis) > 50) | (bend > 60) | (np.linalg.norm(thigh, axis=-1) < torso / 3)
        stepping |= bend > 25
    side = np.abs(((xy[:, R_ANKLE] - xy[:, L_ANKLE]) * axis[:, ::-1] * [1, -1]).sum(-1)) / torso
    stepping |= side > 0.6
    return np.where(bent, 2, np.where(stepping, 1, 0))


def runs(filler: Filler, cases: Cases, seeds) -> np.ndarray:
    """(S, N, 18, 2): the completed poses for each seed."""
    return np.stack(
        [complete_arrays(cases.truth, cases.present, cases.frame, Options(seed=s), filler).xy for s in seeds]
    )


def alternative_spread(filler: Filler, cases: Cases, seeds: int = 8) -> dict:
    """Over the hidden scored joints: mean distance of the seeded alternatives from their mean (spread) and the
    error of the best of them (best-of-n), both / torso length; and the best guess's error for reference."""
    want = cases.scored
    alts = runs(filler, cases, range(seeds))
    best = complete_arrays(cases.truth, cases.present, cases.frame, Options(), filler).xy
    torso = cases.torso[:, None]
    spread = np.linalg.norm(alts - alts.mean(0), axis=-1).mean(0) / torso
    per_seed = (np.linalg.norm(alts - cases.truth, axis=-1) / torso * want).sum(-1) / want.sum(-1)
    guess = np.linalg.norm(best - cases.truth, axis=-1) / torso
    return {
        "cases": len(cases.truth),
        "spread": float(spread[want].mean()),
        "best_of_n": float(per_seed.min(0).mean()),
        "best_guess": float(((guess * want).sum(-1) / want.sum(-1)).mean()),
    }


def leg_pose_shares(filler: Filler, cases: Cases, seeds: int = 64) -> dict:
    """Shares of standing / stepping / bent legs among the seeded alternatives, the best guess and the truth."""

    def shares(xy: np.ndarray) -> dict:
        counts = np.bincount(leg_pose(xy), minlength=len(LEG_POSES)) / max(len(xy), 1)
        return dict(zip(LEG_POSES, counts.round(3).tolist(), strict=True))

    alts = runs(filler, cases, range(seeds)).reshape(-1, *cases.truth.shape[1:])
    best = complete_arrays(cases.truth, cases.present, cases.frame, Options(), filler).xy
    return {"alternatives": shares(alts), "best guess": shares(best), "truth": shares(cases.truth)}


def distinct_alternatives(filler: Filler, cases: Cases, seeds: int = 1000, people: int = 8) -> dict:
    """For the first ``people`` cases: how many of seeds 0..seeds-1 give a pose no other seed gives (joints
    rounded to 0.01 px), and the smallest distance between two seeds' fills / torso."""
    sub = cases.subset(slice(people))
    if not len(sub.truth):
        return {"seeds": seeds, "people": 0, "distinct": 0, "closest": float("nan")}
    alts = runs(filler, sub, range(seeds))  # (S, P, 18, 2)
    distinct, closest = [], []
    for p in range(len(sub.truth)):
        flat = alts[:, p][:, sub.scored[p]].reshape(seeds, -1)
        distinct.append(len(np.unique(np.round(flat, 2), axis=0)))
        sq = (flat**2).sum(1)
        d2 = sq[:, None] + sq[None] - 2 * np.einsum("ik,jk->ij", flat, flat)  # squared distances, seeds x seeds
        np.fill_diagonal(d2, np.inf)
        rms = np.sqrt(max(d2.min(), 0.0) / max(sub.scored[p].sum(), 1))
        closest.append(rms / sub.torso[p])
    return {"seeds": seeds, "people": len(sub.truth), "distinct": int(min(distinct)), "closest": float(min(closest))}


def one_elbow_or_knee(val: People, seed: int) -> Cases:
    """Val people with all body joints labelled, one elbow or knee hidden inside the canvas, nothing else."""
    people = val.subset(body_complete(val))
    rng = np.random.default_rng([seed, 99])
    hide = rng.choice((R_ELBOW, L_ELBOW, R_KNEE, L_KNEE), len(people))
    present = people.labelled.copy()
    present[np.arange(len(people)), hide] = False
    xy = people.xy.astype(np.float64)
    lo = np.where(people.labelled[..., None], xy, np.inf).min(1)
    hi = np.where(people.labelled[..., None], xy, -np.inf).max(1)
    size = (hi - lo).max(1, keepdims=True)
    frame = np.concatenate([lo - 0.3 * size, hi + 0.3 * size], 1)
    torso = np.linalg.norm(xy[:, NECK] - (xy[:, R_HIP] + xy[:, L_HIP]) / 2, axis=1)
    return Cases("one elbow or knee", xy, people.labelled, present, frame, np.maximum(torso, 1e-6))
