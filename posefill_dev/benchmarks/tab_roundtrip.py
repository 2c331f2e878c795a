"""Server-side time of the tab's round trips: an upload in, or an editor drop (a joint dragged to a new place),
and the answer for the page.

Measures the handler: read, parse, fill, and the editor's payload (JSON text with the pose, the joint states,
the table and the status line: all the tab sends back). The page's part (the request, drawing) is in
``editor_roundtrip``. Run: ``python -m posefill_dev.benchmarks.tab_roundtrip``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np

from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.document import parse_documents
from lib_posefill.model import cached_filler
from lib_posefill.options import Options
from lib_posefill.render import draw_document, encode_png
from lib_posefill.skeleton import R_KNEE
from lib_posefill.ui.handlers import Handlers
from lib_posefill.ui.state import TabState

OPTS = {"scope": "limbs", "min_visible": 3, "framing": "keep", "margin": 0.05}


def pose(people: int, width: int = 512, height: int = 768) -> dict:
    """People from the mean pose side by side, legs missing (so the fill has work to do)."""
    rng = np.random.default_rng(0)
    width = max(width, 160 * people)
    out = []
    for i in range(people):
        xy = COCO_MEAN_POSE * height * 0.2 + (width * (i + 0.5) / people, height * 0.45)
        xy = xy + rng.normal(0, 3, xy.shape)
        k = np.c_[xy, np.ones(18)]
        k[[9, 10, 12, 13]] = 0
        out.append({"pose_keypoints_2d": k.ravel().tolist()})
    return {"canvas_width": width, "canvas_height": height, "people": out}


def measure(fn, repeat: int) -> tuple[float, float, float]:
    """Median and 95th-percentile wall time, and median CPU time of this process, in ms."""
    fn(0)  # warm-up (model load, caches)
    wall, cpu = [], []
    for i in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn(i + 1)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    wall.sort()
    return statistics.median(wall), wall[int(0.95 * (len(wall) - 1))], statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    handlers = Handlers()
    print(f"filler: {cached_filler().name}; {args.repeat} runs each")
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
        "(other work on the machine inflates wall times; CPU time is this process's own)"
    )
    print(f"{'case':<40} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8}")
    rows = []
    for people in (1, 10):
        data = json.dumps(pose(people)).encode()
        png = encode_png(draw_document(parse_documents(pose(people), Options())[0][0]))
        loaded, _ = handlers.upload(TabState(), data, "auto", OPTS)

        def upload(_i, data=data):
            handlers.upload(TabState(), data, "auto", OPTS)

        def upload_png(_i, png=png):
            handlers.upload(TabState(), png, "auto", OPTS)

        def drop(i, state=loaded, people=people):
            """A knee dropped somewhere new (a new place each time: no cache hit)."""
            person = i % people
            x, y = state.result["people"][person]["pose_keypoints_2d"][3 * R_KNEE : 3 * R_KNEE + 2]
            action = {"op": "move", "person": person, "joint": R_KNEE, "x": x + 1 + i % 50, "y": y, "id": i}
            handlers.edit(state, json.dumps(action), OPTS)

        rows += [
            (f"JSON upload, {people} person(s)", upload),
            (f"PNG skeleton upload, {people} person(s)", upload_png),
            (f"editor drop (refill), {people} person(s)", drop),
        ]
    for name, fn in rows:
        median, p95, cpu = measure(fn, args.repeat)
        print(f"{name:<40} {median:>10.1f} {p95:>8.1f} {cpu:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
