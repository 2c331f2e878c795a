"""Speed of the shipped model (`python -m lib_posefill bench`): load time, single-person latency through the Python
API (best guess, a seeded alternative, suspicious=refill), batched throughput (keep and refill), file size."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.model import load_filler, model_path
from lib_posefill.options import Options


def example_people(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n mean-pose people (512 x 768 canvas) with random scale, shift, jitter and a random third of joints lost."""
    rng = np.random.default_rng(seed)
    scale = rng.uniform(60, 120, n)[:, None, None]
    xy = COCO_MEAN_POSE[None] * scale + np.array([256.0, 380.0]) + rng.normal(0, 8, (n, 18, 2))
    present = rng.random((n, 18)) > 0.33
    canvas = np.tile([512.0, 768.0], (n, 1))
    return xy, present, canvas


def bench(path: str | Path | None = None, repeats: int = 2000, batch: int = 4096) -> dict:
    from lib_posefill.api import complete_people

    path = Path(path) if path else model_path()
    start = time.perf_counter()
    filler = load_filler(path)
    load_s = time.perf_counter() - start
    options = Options()
    xy, present, canvas = example_people(max(repeats, batch))

    def single(opts: Options) -> np.ndarray:
        for i in range(50):
            complete_people(xy[i : i + 1], present[i : i + 1], canvas[i], opts, filler=filler)
        times = np.empty(repeats)
        for i in range(repeats):
            t = time.perf_counter()
            complete_people(xy[i : i + 1], present[i : i + 1], canvas[i], opts, filler=filler)
            times[i] = time.perf_counter() - t
        return times

    times = single(options)
    seeded = single(Options(seed=7))
    refill = Options(suspicious="refill")
    refilled = single(refill)

    def batched(opts: Options) -> float:
        complete_people(xy[:batch], present[:batch], canvas[:batch], opts, filler=filler)
        rounds = []
        for _ in range(5):
            t = time.perf_counter()
            complete_people(xy[:batch], present[:batch], canvas[:batch], opts, filler=filler)
            rounds.append(time.perf_counter() - t)
        return batch / float(np.median(rounds))

    return {
        "model": str(path),
        "filler": filler.name,
        "size_bytes": path.stat().st_size if path.exists() else 0,
        "load_ms": 1e3 * load_s,
        "single_median_ms": 1e3 * float(np.median(times)),
        "single_p90_ms": 1e3 * float(np.percentile(times, 90)),
        "seeded_median_ms": 1e3 * float(np.median(seeded)),
        "seeded_p90_ms": 1e3 * float(np.percentile(seeded, 90)),
        "refill_median_ms": 1e3 * float(np.median(refilled)),
        "refill_p90_ms": 1e3 * float(np.percentile(refilled, 90)),
        "batch": batch,
        "people_per_s": batched(options),
        "refill_people_per_s": batched(refill),
    }
