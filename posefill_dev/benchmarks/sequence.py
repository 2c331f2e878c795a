"""Sequence mode against per-frame filling, on clips built from COCO val people.

Each clip moves one real COCO val pose (all 13 body joints labelled) along a smooth path (drift, sway, a slow
zoom, a slight lean) with moving limbs, adds detector-like noise (white jitter, a few outliers, joints dropped
now and then, the whole person missed for 1-3 frames), and cuts it the way videos are cut:

- ``waist-up``: the picture's bottom edge near the hips for the whole clip;
- ``walk out``: a person walking (legs swinging) out of the picture's side;
- ``arm swing``: a person near the side with one arm swinging past the edge;
- ``crossing``: two people walking past each other (their order in each document shuffled).

The truth is the pose along its path. The jitter of filled joints (mean |p[t] - 2p[t-1] + p[t-2]| over runs of
three frames where both methods filled the joint) is compared with the jitter of the true joints on the same
frames as a detector would have reported them (with the same noise as the seen joints), the video-analogue of
measuring against the detections of uncut frames. Also reported: left/right flips of filled limbs between
frames, the error of filled joints (per torso length) against the noise-free truth, track id switches, and
the throughput of one person's sequence. Targets: jitter ratio at most 1.2 and no flips (best guess and seeded
alternative), error not above per-frame filling (best guess), 2,000 frames/s.
``python -m posefill_dev.benchmarks.sequence --data-dir DATA``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass

import numpy as np

from lib_posefill.api import complete_document, complete_sequence
from lib_posefill.errors import PoseFillError, install_hint
from lib_posefill.model import cached_filler
from lib_posefill.skeleton import (
    L_ANKLE,
    L_ELBOW,
    L_HIP,
    L_KNEE,
    L_SHOULDER,
    L_WRIST,
    NECK,
    NUM_JOINTS,
    R_ANKLE,
    R_ELBOW,
    R_HIP,
    R_KNEE,
    R_SHOULDER,
    R_WRIST,
)

from ..training.data import DATA_HELP

SCORED = np.arange(R_SHOULDER, L_ANKLE + 1)
PAIRS = ((R_SHOULDER, L_SHOULDER), (R_ELBOW, L_ELBOW), (R_WRIST, L_WRIST), (R_HIP, L_HIP), (R_KNEE, L_KNEE))
PAIRS += ((R_ANKLE, L_ANKLE),)
SCENARIOS = ("waist-up", "walk out", "arm swing", "crossing")
JITTER_TARGET = 1.2
NOISE = 0.003
"""Detector jitter: standard deviation as a fraction of the person's height (2 % of points 4x that)."""
THROUGHPUT_TARGET = 2000.0


@dataclass
class Clip:
    """One clip: the documents, and per document and person slot the truth and which input person it is."""

    docs: list[dict]
    truth: np.ndarray  # (P, T, 18, 2) noise-free
    detected: np.ndarray  # (P, T, 18, 2) with the detector's noise
    labelled: np.ndarray  # (P, 18)
    slot: np.ndarray  # (P, T) index of person p in document t, -1 when not in it
    torso: np.ndarray  # (P,)


def coco_poses(data_dir: str, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` COCO val poses with all 13 body joints labelled, standing (ankles below the neck): unit height,
    mid-hip at 0; and their labels. Poses repeat only when the data holds fewer."""
    from ..training.data import body_complete, load_people

    people = load_people(data_dir, "val")
    keep = body_complete(people)
    xy, lab = people.xy[keep].astype(np.float64), people.labelled[keep]
    ys = np.where(lab, xy[..., 1], np.nan)
    height = np.nanmax(ys, 1) - np.nanmin(ys, 1)
    upright = xy[:, [R_ANKLE, L_ANKLE], 1].mean(1) > xy[:, NECK, 1]
    ok = np.flatnonzero(upright & (height > 40))
    if not len(ok):
        raise SystemExit(f"{data_dir}: no COCO val person with all 13 body joints labelled, upright")
    pick = np.random.default_rng(seed).choice(ok, size=count, replace=len(ok) < count)
    xy, lab, height = xy[pick], lab[pick], height[pick]
    mid_hip = (xy[:, R_HIP] + xy[:, L_HIP]) / 2
    return (xy - mid_hip[:, None]) / height[:, None, None], lab


def _rotate(xy: np.ndarray, joints, pivot: int, angle: np.ndarray) -> None:
    """Rotate ``joints`` of poses (T, 18, 2) about joint ``pivot`` by ``angle`` (T,) radians, in place."""
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    d = xy[:, joints] - xy[:, pivot : pivot + 1]
    xy[:, joints] = xy[:, pivot : pivot + 1] + np.stack(
        [c * d[..., 0] - s * d[..., 1], s * d[..., 0] + c * d[..., 1]], -1
    )


def animate(pose: np.ndarray, t: np.ndarray, rng: np.random.Generator, walk: bool, swing_arm: int | None) -> np.ndarray:
    """(T, 18, 2) unit-height poses: limbs moving gently (walking legs, or one arm swinging widely)."""
    xy = np.repeat(pose[None], len(t), axis=0)
    phase = rng.uniform(0, 2 * np.pi, 4)
    period = rng.uniform(25, 45)
    legs = 0.35 if walk else 0.06
    for side, (hip, knee, ankle) in enumerate(((R_HIP, R_KNEE, R_ANKLE), (L_HIP, L_KNEE, L_ANKLE))):
        a = legs * np.sin(2 * np.pi * t / period + phase[0] + np.pi * side)
        _rotate(xy, [knee, ankle], hip, a)
        _rotate(xy, [ankle], knee, 0.5 * np.abs(a))
    for side, (shoulder, elbow, wrist) in enumerate(((R_SHOULDER, R_ELBOW, R_WRIST), (L_SHOULDER, L_ELBOW, L_WRIST))):
        wide = side == swing_arm
        amp = 0.9 if wide else 0.12
        a = amp * np.sin(2 * np.pi * t / (period * (1.3 if wide else 1.0)) + phase[1 + side])
        _rotate(xy, [elbow, wrist], shoulder, a)
        _rotate(xy, [wrist], elbow, 0.4 * amp * np.sin(2 * np.pi * t / period + phase[3]))
    return xy


def place(poses: np.ndarray, centre: np.ndarray, height: np.ndarray, lean: np.ndarray) -> np.ndarray:
    """Unit poses (T, 18, 2) -> pixels: leaned by ``lean`` radians, ``height`` tall, mid-hip at ``centre``."""
    c, s = np.cos(lean)[:, None], np.sin(lean)[:, None]
    out = np.stack([c * poses[..., 0] - s * poses[..., 1], s * poses[..., 0] + c * poses[..., 1]], -1)
    return out * height[:, None, None] + centre[:, None, :]


def smooth_path(t: np.ndarray, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """A smooth 1-D wobble of the given amplitude: two slow sines."""
    f = rng.uniform(1 / 140, 1 / 50, 2)
    p = rng.uniform(0, 2 * np.pi, 2)
    return amplitude * (0.7 * np.sin(2 * np.pi * f[0] * t + p[0]) + 0.3 * np.sin(2 * np.pi * f[1] * t + p[1]))


def person(scenario: str, pose: np.ndarray, t: np.ndarray, canvas: np.ndarray, rng, second: bool = False):
    """The noise-free pixel track (T, 18, 2) of one person in a scenario."""
    w, h = canvas
    n = len(t)
    if scenario == "waist-up":
        height = 1.7 * h * (1 + 0.04 * np.sin(2 * np.pi * t / rng.uniform(80, 160)))
        cx = w * rng.uniform(0.4, 0.6) + smooth_path(t, rng, 0.08 * w)
        cy = h * rng.uniform(0.93, 1.05) + smooth_path(t, rng, 0.02 * h)
        poses = animate(pose, t, rng, walk=False, swing_arm=None)
    elif scenario == "walk out":
        height = 0.8 * h * (1 + 0.03 * np.sin(2 * np.pi * t / 120))
        direction = rng.choice((-1.0, 1.0))
        start, end = w * 0.5, w * 0.5 + direction * (0.5 * w + 0.3 * height[0])
        cx = start + (end - start) * (t / t[-1]) ** 1.2
        cy = h * 0.55 + smooth_path(t, rng, 0.01 * h)
        poses = animate(pose, t, rng, walk=True, swing_arm=None)
    elif scenario == "arm swing":
        height = 0.75 * h * np.ones(n)
        side = rng.integers(0, 2)  # 0: the person's right arm, on the picture's left edge
        shoulder_x = np.abs(pose[R_SHOULDER if side == 0 else L_SHOULDER, 0]) * height[0]
        edge_gap = rng.uniform(0.02, 0.12) * height[0] + shoulder_x + 0.1 * height[0]
        cx = (edge_gap if side == 0 else w - edge_gap) + smooth_path(t, rng, 0.02 * w)
        cy = h * 0.55 + smooth_path(t, rng, 0.01 * h)
        poses = animate(pose, t, rng, walk=False, swing_arm=side)
    elif scenario == "crossing":
        height = 0.7 * h * rng.uniform(0.85, 1.0) * np.ones(n)
        direction = -1.0 if second else 1.0
        cx = w * (0.5 - 0.45 * direction) + direction * 0.9 * w * t / t[-1]
        cy = h * rng.uniform(0.5, 0.6) + smooth_path(t, rng, 0.01 * h)
        poses = animate(pose, t, rng, walk=True, swing_arm=None)
    else:
        raise ValueError(scenario)
    lean = smooth_path(t, rng, 0.05)
    return place(poses, np.stack([cx, cy], -1), height, lean)


def make_clip(scenario: str, poses: np.ndarray, labels: np.ndarray, frames: int, rng: np.random.Generator) -> Clip:
    """One clip of ``scenario`` with one pose (two for ``crossing``), detector noise and cuts applied."""
    canvas = np.array([(512, 768), (768, 512), (640, 640)][rng.integers(0, 3)], dtype=np.float64)
    t = np.arange(frames, dtype=np.float64)
    count = 2 if scenario == "crossing" else 1
    truth = np.stack([person(scenario, poses[i], t, canvas, rng, second=i == 1) for i in range(count)])
    lab = labels[:count]
    height = np.ptp(truth[:, :, :, 1], axis=2).mean(1)
    noise = rng.normal(0, NOISE, truth.shape) * height[:, None, None, None]
    outlier = rng.random(truth.shape[:3]) < 0.02
    noise[outlier] *= 4
    detected = truth + noise
    inside = (detected >= 0).all(-1) & (detected < canvas).all(-1)
    seen = inside & lab[:, None, :] & (rng.random(inside.shape) > 0.03)
    missed = np.zeros(truth.shape[:2], dtype=bool)
    for p in range(count):
        for start in np.flatnonzero(rng.random(frames) < 0.012):
            missed[p, start : start + rng.integers(1, 4)] = True
    seen &= ~missed[..., None]
    docs, slot = [], np.full((count, frames), -1)
    for f in range(frames):
        order = rng.permutation(count)
        people = []
        for p in order:
            if seen[p, f].sum() == 0:
                continue
            slot[p, f] = len(people)
            tri = np.zeros((NUM_JOINTS, 3))
            tri[seen[p, f], :2] = detected[p, f][seen[p, f]]
            tri[seen[p, f], 2] = 0.9
            people.append({"pose_keypoints_2d": tri.ravel().round(2).tolist()})
        docs.append({"people": people, "canvas_width": int(canvas[0]), "canvas_height": int(canvas[1])})
    neck_hip = truth[:, :, NECK] - (truth[:, :, R_HIP] + truth[:, :, L_HIP]) / 2
    torso = np.linalg.norm(neck_hip, axis=-1).mean(1)
    return Clip(docs, truth, detected, lab, slot, torso)


def read_output(clip: Clip, out: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per person slot and frame: output joints (P, T, 18, 2), filled (P, T, 18), track id (P, T) (-1 absent)."""
    p_count, frames = clip.slot.shape
    xy = np.full((p_count, frames, NUM_JOINTS, 2), np.nan)
    filled = np.zeros((p_count, frames, NUM_JOINTS), dtype=bool)
    track = np.full((p_count, frames), -1)
    for p in range(p_count):
        for f in range(frames):
            s = clip.slot[p, f]
            if s < 0:
                continue
            person = out[f]["people"][s]
            xy[p, f] = np.asarray(person["pose_keypoints_2d"], dtype=np.float64).reshape(-1, 3)[:, :2]
            filled[p, f, person["posefill"]["filled"]] = True
            t = person["posefill"].get("track")
            track[p, f] = -1 if t is None else t
    return xy, filled, track


def second_difference(xy: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """|p[t] - 2p[t-1] + p[t-2]| (pixels) for every (person, t, joint) where ``mask`` holds at t-2, t-1, t."""
    d = np.linalg.norm(xy[:, 2:] - 2 * xy[:, 1:-1] + xy[:, :-2], axis=-1)
    runs = mask[:, 2:] & mask[:, 1:-1] & mask[:, :-2]
    return d[runs]


def flips(xy: np.ndarray, filled: np.ndarray, truth: np.ndarray, height: np.ndarray) -> tuple[int, int]:
    """Left/right flips of filled limbs: consecutive frames whose right and left joints match each other better
    exchanged than as labelled (while they stay apart, and the true joints did not do the same), and the number
    of consecutive pair-frames looked at."""
    count = looked = 0
    for r, left in PAIRS:
        ok = filled[:, :, r] & filled[:, :, left]
        ok &= np.linalg.norm(xy[:, :, left] - xy[:, :, r], axis=-1) > 0.04 * height[:, None]
        pair = ok[:, 1:] & ok[:, :-1]
        looked += int(pair.sum())
        count += int((pair & _exchanged(xy, r, left) & ~_exchanged(truth, r, left)).sum())
    return count, looked


def _exchanged(xy: np.ndarray, r: int, left: int) -> np.ndarray:
    """(P, T-1): frame t's right/left joints are closer to frame t-1's left/right ones than to their own."""

    def d(a, b):
        return np.linalg.norm(xy[:, 1:, a] - xy[:, :-1, b], axis=-1)

    return d(r, left) + d(left, r) < 0.5 * (d(r, r) + d(left, left))


def switches(track: np.ndarray) -> int:
    """Frames where a person's track id differs from the one they had when last seen."""
    n = 0
    for row in track:
        ids = row[row >= 0]
        n += int((ids[1:] != ids[:-1]).sum())
    return n


def evaluate(clips: list[Clip], seed: int | None) -> dict:
    """Sequence mode and per-frame filling on the clips: jitter, flips, error, switches."""
    opts = {} if seed is None else {"seed": seed}
    stats: dict = {
        k: {"jit": [], "true": [], "clean": [], "err": [], "flips": 0, "pairs": 0, "switches": 0}
        for k in ("sequence", "per frame")
    }
    for clip in clips:
        outs = {"sequence": complete_sequence(clip.docs, opts), "per frame": complete_document(clip.docs, opts)}
        read = {k: read_output(clip, v) for k, v in outs.items()}
        both = read["sequence"][1] & read["per frame"][1]
        both[..., [j for j in range(NUM_JOINTS) if j not in SCORED]] = False
        height = np.ptp(clip.truth[..., 1], axis=2).mean(1)
        for name, (xy, _, track) in read.items():
            s = stats[name]
            s["jit"].append(second_difference(xy, both))
            s["true"].append(second_difference(clip.detected, both))
            s["clean"].append(second_difference(clip.truth, both))
            err = np.linalg.norm(xy - clip.truth, axis=-1) / clip.torso[:, None, None]
            s["err"].append(err[both])
            f, looked = flips(xy, both, clip.truth, height)
            s["flips"] += f
            s["pairs"] += looked
            s["switches"] += switches(track) if name == "sequence" else 0
    out = {}
    for name, s in stats.items():
        jit, true, clean = (np.concatenate(s[k]) for k in ("jit", "true", "clean"))
        out[name] = {
            "jitter": float(jit.mean()),
            "true jitter": float(true.mean()),
            "noise-free jitter": float(clean.mean()),
            "ratio": float(jit.mean() / true.mean()),
            "error": float(np.concatenate(s["err"]).mean()),
            "flips": s["flips"],
            "pairs": s["pairs"],
            "switches": s["switches"],
            "runs": len(jit),
        }
    return out


def throughput(clips: list[Clip], frames: int, repeat: int) -> tuple[float, float]:
    """Frames per second of ``complete_sequence`` on one person's sequence of ``frames`` frames (the clips
    joined, those of the most common canvas: a sequence is one picture's shape), best of ``repeat``: by wall
    time and by this process's CPU time (all its threads)."""
    single = [c for c in clips if len(c.truth) == 1]
    canvases = [(c.docs[0]["canvas_width"], c.docs[0]["canvas_height"]) for c in single]
    common = max(set(canvases), key=canvases.count, default=None)
    docs = [d for c, wh in zip(single, canvases) if wh == common for d in c.docs]
    docs = (docs * (frames // max(len(docs), 1) + 1))[:frames]
    cached_filler()
    complete_sequence(docs[:100])
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        complete_sequence(docs)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return frames / min(w for w, _ in runs), frames / min(c for _, c in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posefill_dev.benchmarks.sequence", description=__doc__)
    parser.add_argument("--data-dir", required=True, help=DATA_HELP)
    parser.add_argument("--clips", type=int, default=24, help="clips per scenario (default 24)")
    parser.add_argument("--frames", type=int, default=120, help="frames per clip (default 120)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the clips (default 0)")
    parser.add_argument("--alternative", type=int, default=7, help="also run with this PoseFill seed (-1: skip)")
    parser.add_argument("--throughput-frames", type=int, default=3000, help="frames of the throughput sequence")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    try:
        poses, labels = coco_poses(args.data_dir, 2 * args.clips * len(SCENARIOS), args.seed)
    except PoseFillError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as err:
        print(f"error: {install_hint(err.name, 'benchmarks.sequence')}", file=sys.stderr)
        return 1
    clips = {}
    i = 0
    for scenario in SCENARIOS:
        clips[scenario] = []
        for _ in range(args.clips):
            clips[scenario].append(make_clip(scenario, poses[i : i + 2], labels[i : i + 2], args.frames, rng))
            i += 2
    seeds = [None] + ([args.alternative] if args.alternative >= 0 else [])
    failed = []
    print(f"{args.clips} clips x {args.frames} frames per scenario; COCO val poses; model {cached_filler().name}\n")
    print(
        "| scenario | seed | method | filled jitter (px) | true jitter (px) | ratio | noise-free jitter | "
        "L/R flips | error / torso | track switches |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for scenario, group in clips.items():
        for seed in seeds:
            res = evaluate(group, seed)
            for name, r in res.items():
                print(
                    f"| {scenario} | {'-' if seed is None else seed} | {name} | {r['jitter']:.2f} | "
                    f"{r['true jitter']:.2f} | {r['ratio']:.2f} | {r['noise-free jitter']:.2f} | "
                    f"{r['flips']} / {r['pairs']} | {r['error']:.3f} | {r['switches'] if name == 'sequence' else ''} |"
                )
            seq, per = res["sequence"], res["per frame"]
            if seq["ratio"] > JITTER_TARGET:
                failed.append(f"{scenario} seed {seed}: jitter ratio {seq['ratio']:.2f} > {JITTER_TARGET}")
            if seq["flips"]:
                failed.append(f"{scenario} seed {seed}: {seq['flips']} left/right flips")
            if seed is None and seq["error"] > per["error"]:  # an alternative is not meant to be the best guess
                failed.append(f"{scenario} seed {seed}: error {seq['error']:.3f} > per frame {per['error']:.3f}")
    fps, cpu_fps = throughput([c for group in clips.values() for c in group], args.throughput_frames, 3)
    print(
        f"\nthroughput, one person, {args.throughput_frames} frames: {fps:,.0f} frames/s wall, "
        f"{cpu_fps:,.0f} frames/s of CPU time (target {THROUGHPUT_TARGET:,.0f} wall)"
    )
    print(f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}")
    if fps < THROUGHPUT_TARGET:
        failed.append(f"throughput {fps:,.0f} frames/s < {THROUGHPUT_TARGET:,.0f}")
    for line in failed:
        print("FAIL:", line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
