"""Time ``python -m lib_posefill complete`` on a folder of single-person pose files, start-up included.

Writes N files (default 4,000) of people with joints cut off or hidden into a temporary folder, then runs the
real CLI in a fresh subprocess, each run into a new output folder, and reports wall and CPU time (wall time far
above CPU time means the machine was busy or its disk slow at creating files). ``python -m posefill_dev.benchmarks.cli_folder``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ..synthetic import body, triples, visible

REPO = Path(__file__).resolve().parents[2]


def write_folder(folder: Path, count: int, seed: int = 0) -> None:
    """``count`` single-person ControlNet pose files with varied size, place and missing joints."""
    rng = np.random.default_rng(seed)
    width, height = 512, 768
    for i in range(count):
        xy = body(rng.uniform(100, 412), rng.uniform(20, 300), rng.uniform(300, 1100))
        xy += rng.normal(0, 6, xy.shape)
        seen = visible(xy, width, height, hidden=tuple(np.flatnonzero(rng.random(18) < 0.1)))
        doc = {"people": [{"pose_keypoints_2d": triples(xy, seen)}], "canvas_width": width, "canvas_height": height}
        (folder / f"pose_{i:05d}.json").write_text(json.dumps(doc), encoding="utf-8")


def time_cli(src: Path, dst: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one CLI run writing into the new folder ``dst``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "lib_posefill", "complete", str(src), "-o", str(dst)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"the CLI failed (exit {done.returncode}):\n{done.stderr}")
    if len(list(dst.glob("*.json"))) != len(list(src.glob("*.json"))):
        sys.exit("the CLI did not write every file")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m posefill_dev.benchmarks.cli_folder", description=__doc__)
    parser.add_argument("--files", type=int, default=4000, help="number of pose files (default 4000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs, each into a new output folder")
    parser.add_argument("--limit", type=float, default=10.0, help="exit 1 when the best run is slower (seconds)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="posefill-bench-") as tmp:
        src = Path(tmp, "in")
        src.mkdir()
        write_folder(src, args.files)
        runs = [time_cli(src, Path(tmp, f"out{i}")) for i in range(args.repeat)]
    best = min(wall for wall, _ in runs)
    print(f"complete on a folder of {args.files} single-person files: best {best:.2f} s wall (limit {args.limit:g} s)")
    print("  runs (wall / CPU): " + ", ".join(f"{wall:.2f} / {cpu:.2f} s" for wall, cpu in runs))
    print(f"  {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}")
    if best > args.limit:
        sys.exit(1)


if __name__ == "__main__":
    main()
