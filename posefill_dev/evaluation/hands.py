"""Hands at filled wrists (``python -m lib_posefill evaluate --hands``): COCO val people with both arms labelled,
one wrist hidden, a synthetic detected hand on the other wrist; the document pipeline fills the wrist and adds
the hand.

The synthetic hands are drawn by their own generator, not from PoseFill's template: straight-line fingers whose
lengths, splay, thumb angle and side, in-plane curl (not the template's foreshortening) and wrist deviation
are all random, with detector noise and up to two lost points. Two runs: *mirror* (the synthetic hand is in the
document) and *template* (it is not: every hand list is empty, so the relaxed hand is used).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lib_posefill.completion import complete
from lib_posefill.document import parse_documents, write_documents
from lib_posefill.filler import Filler
from lib_posefill.model import load_filler, model_path
from lib_posefill.options import Options
from lib_posefill.skeleton import L_ELBOW, L_SHOULDER, L_WRIST, R_ELBOW, R_SHOULDER, R_WRIST

from ..synthetic import triples
from ..training.data import People, load_people
from .report import markdown_table

ARMS = {"right": (R_SHOULDER, R_ELBOW, R_WRIST), "left": (L_SHOULDER, L_ELBOW, L_WRIST)}
KEYS = {"right": "hand_right_keypoints_2d", "left": "hand_left_keypoints_2d"}
SEED = 16
MCPS = [5, 9, 13, 17]


def synthetic_hand(rng: np.random.Generator, wrist: np.ndarray, elbow: np.ndarray) -> np.ndarray:
    """(21, 2) a random hand on ``wrist``, pointing roughly away from ``elbow``."""
    forearm = wrist - elbow
    length = float(np.hypot(*forearm)) * rng.uniform(0.55, 0.9)  # wrist to middle fingertip, straight
    base = np.arctan2(forearm[1], forearm[0]) + np.radians(rng.uniform(-35, 35))  # wrist deviation
    side = rng.choice((-1.0, 1.0))  # which way the thumb lies
    palm = rng.uniform(0.38, 0.52)
    finger = (1.0 - palm) * np.array([rng.uniform(0.88, 0.98), 1.0, rng.uniform(0.9, 1.0), rng.uniform(0.7, 0.85)])
    gap = np.radians(rng.uniform(4, 18))
    pts = np.zeros((21, 2))
    curl_sign = rng.choice((-1.0, 1.0))
    for f in range(5):
        if f == 0:  # thumb: from the side of the palm
            angle = base + side * np.radians(rng.uniform(25, 70))
            start, segs = 0.15 * length, rng.dirichlet([3, 3, 2.5]) * 0.55 * length
            segs = np.r_[start, segs]
        else:
            angle = base + side * (2.5 - f) * gap * rng.uniform(0.7, 1.3)
            segs = np.r_[palm * length, rng.dirichlet([4, 2.5, 1.8]) * finger[f - 1] * length]
        p, a = np.zeros(2), angle
        for k, seg in enumerate(segs):
            if k:  # each finger joint curls in the image plane
                a += curl_sign * np.radians(rng.uniform(0, 35))
            p = p + seg * np.array([np.cos(a), np.sin(a)])
            pts[1 + 4 * f + k] = p
    pts = wrist + pts + rng.normal(0, 0.01 * length, (21, 2))
    pts[0] = wrist
    return pts


def radius(pts: np.ndarray) -> np.ndarray:
    """(..., ) RMS distance of the points from their centroid: a hand's size, whatever its rotation."""
    return np.sqrt(((pts - pts.mean(-2, keepdims=True)) ** 2).sum(-1).mean(-1))


def make_documents(val: People, seed: int = SEED):
    """Per person of ``val`` with both arms labelled: the document with the synthetic hand, the same without it,
    the hidden side, the hand."""
    arms = [j for side in ARMS.values() for j in side]
    keep = np.flatnonzero(val.labelled[:, arms].all(1) & (val.labelled.sum(1) >= 6))
    rng = np.random.default_rng(seed)
    mirror, template, sides, hands = [], [], [], []
    for i in keep:
        xy, present = val.xy[i].astype(np.float64), val.labelled[i].copy()
        hidden = str(rng.choice(("right", "left")))
        shown = "left" if hidden == "right" else "right"
        present[ARMS[hidden][2]] = False
        hand = synthetic_hand(rng, xy[ARMS[shown][2]], xy[ARMS[shown][1]])
        hand_seen = np.ones(21, dtype=bool)
        hand_seen[rng.choice(np.arange(1, 21), size=rng.integers(0, 3), replace=False)] = False
        w, h = (float(v) for v in val.frame[i, 2:])
        person = {"pose_keypoints_2d": triples(xy, present)}
        with_hand = {**person, KEYS[shown]: triples(hand, hand_seen), KEYS[hidden]: None}
        without = {**person, KEYS[shown]: [], KEYS[hidden]: []}
        mirror.append({"people": [with_hand], "canvas_width": w, "canvas_height": h})
        template.append({"people": [without], "canvas_width": w, "canvas_height": h})
        sides.append(hidden)
        hands.append(hand)
    return mirror, template, sides, np.array(hands)


def score(out: list[dict], sides: list[str], hands: np.ndarray | None) -> dict:
    """Share with a hand at the filled wrist, root distance, size ratio (with ``hands``), angle to the forearm."""
    got, root, ratio, angle = [], [], [], []
    for doc, side, k in zip(out, sides, range(len(sides))):
        person = doc["people"][0]
        body = np.asarray(person["pose_keypoints_2d"], dtype=float).reshape(-1, 3)
        _, elbow, wrist = ARMS[side]
        hand = np.asarray(person.get(KEYS[side]) or [], dtype=float).reshape(-1, 3)
        ok = (
            wrist in person["posefill"]["filled"]
            and side in person["posefill"].get("hands", [])
            and len(hand) == 21
            and (hand[:, 2] > 0).all()
        )
        got.append(ok)
        if not ok:
            continue
        root.append(np.hypot(*(hand[0, :2] - body[wrist, :2])))
        if hands is not None:
            ratio.append(radius(hand[:, :2]) / radius(hands[k]))
        forearm = body[wrist, :2] - body[elbow, :2]
        pointing = hand[MCPS, :2].mean(0) - hand[0, :2]
        cos = forearm @ pointing / max(np.hypot(*forearm) * np.hypot(*pointing), 1e-12)
        angle.append(np.degrees(np.arccos(np.clip(cos, -1, 1))))
    root, ratio, angle = np.array(root), np.array(ratio), np.array(angle)
    result = {
        "people": len(sides),
        "hand at the filled wrist": float(np.mean(got)),
        "root to filled wrist, max px": float(root.max()) if len(root) else float("nan"),
        "within 75 deg of the forearm": float(np.mean(angle <= 75)) if len(angle) else float("nan"),
        "median angle, deg": float(np.median(angle)) if len(angle) else float("nan"),
    }
    if hands is not None:
        result["median size ratio"] = float(np.median(ratio)) if len(ratio) else float("nan")
        result["size ratio in 0.8-1.25"] = float(np.mean((ratio >= 0.8) & (ratio <= 1.25))) if len(ratio) else 0.0
    return result


def hands_results(val: People, filler: Filler, seed: int = SEED, options: Options | None = None) -> dict:
    """The scores of both runs on the people of ``val``."""
    mirror, template, sides, hands = make_documents(val, seed)
    options = options or Options(coords="pixel")
    results = {}
    for name, docs, truth in (("mirrored hand", mirror, hands), ("relaxed hand (no hand detected)", template, None)):
        parsed, _ = parse_documents(docs, options.replace(max_people=len(docs)))
        results[name] = score(write_documents(complete(parsed, options, filler)), sides, truth)
    return results


def hands_report(location: str | Path, model: str | Path | None = None, seed: int | None = None):
    """Results per run and the printable Markdown table."""
    seed = SEED if seed is None else seed
    results = hands_results(load_people(location, "val"), load_filler(Path(model) if model else model_path()), seed)
    columns = list(results["mirrored hand"])
    rows = [[name] + [_cell(r.get(c)) for c in columns] for name, r in results.items()]
    text = f"Hands at a hidden, filled wrist (COCO val, seed {seed})\n\n"
    return results, text + markdown_table(["run", *columns], rows)


def _cell(v) -> str:
    if v is None:
        return "-"
    return f"{v:.0f}" if isinstance(v, int) else f"{v:.3f}"
