"""Server-side time of the tab's fill round trip: an upload in, the rendered result out.

Measures the upload handler (read bytes, parse, fill, render the input and completed images, joint
table) plus the image encoding gradio does before sending (its Image component's postprocess when
gradio is installed, else a PNG encode). Run: ``python -m lib_posefill.benchmarks.tab_roundtrip``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import cv2
import numpy as np

from ..baselines import COCO_MEAN_POSE
from ..document import parse_documents
from ..model import cached_filler
from ..options import Options
from ..render import draw_document
from ..ui.handlers import Handlers
from ..ui.state import TabState

OPTS = {"scope": "limbs", "min_visible": 3, "framing": "keep", "margin": 0.05}


def pose(people: int, width: int = 512, height: int = 768) -> dict:
    """People from the mean pose, legs missing (so the fill has work to do)."""
    rng = np.random.default_rng(0)
    out = []
    for i in range(people):
        xy = COCO_MEAN_POSE * height * 0.2 + (width * (i + 0.5) / people, height * 0.45)
        xy = xy + rng.normal(0, 3, xy.shape)
        k = np.c_[xy, np.ones(18)]
        k[[9, 10, 12, 13]] = 0
        out.append({"pose_keypoints_2d": k.ravel().tolist()})
    return {"canvas_width": width, "canvas_height": height, "people": out}


def encoder():
    """What gradio does with an output image (its own postprocess), or a PNG encode without gradio."""
    try:
        import gradio as gr

        from ..ui.compat import image_kwargs

        component = gr.Image(type="numpy", **image_kwargs(gr))
        return f"gradio {gr.__version__} Image.postprocess", component.postprocess
    except ImportError:
        return "cv2 PNG encode", lambda image: cv2.imencode(".png", image)[1]


def measure(fn, repeat: int) -> tuple[float, float, float]:
    """Median and 95th-percentile wall time, and median CPU time of this process, in ms."""
    fn()  # warm-up (model load, caches)
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    wall.sort()
    return statistics.median(wall), wall[int(0.95 * (len(wall) - 1))], statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    handlers = Handlers()
    encode_name, encode = encoder()
    print(f"filler: {cached_filler().name}; image encoding: {encode_name}; {args.repeat} runs each")
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
        "(other work on the machine inflates wall times; CPU time is this process's own)"
    )
    print(f"{'case':<40} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8}")
    for people in (1, 5):
        data = json.dumps(pose(people)).encode()

        def json_round_trip(data=data):
            _, view = handlers.upload(TabState(), data, "auto", None, True, OPTS)
            encode(view.input_image)
            encode(view.output_image)

        image = draw_document(parse_documents(pose(people), Options())[0][0])
        png = cv2.imencode(".png", image[..., ::-1])[1].tobytes()

        def image_round_trip(png=png):
            _, view = handlers.upload(TabState(), png, "auto", None, True, OPTS)
            encode(view.input_image)
            encode(view.output_image)

        for name, fn in (
            (f"JSON upload, {people} person(s)", json_round_trip),
            (f"PNG skeleton upload, {people} person(s)", image_round_trip),
        ):
            median, p95, cpu = measure(fn, args.repeat)
            print(f"{name:<40} {median:>10.1f} {p95:>8.1f} {cpu:>8.1f}")
    state, _ = handlers.upload(TabState(), json.dumps(pose(1)).encode(), "auto", None, True, OPTS)

    def click():
        _, view = handlers.click(state, "Person 1", "r_knee", [250, 500], True, OPTS)
        encode(view.output_image)

    median, p95, cpu = measure(click, args.repeat)
    print(f"{'click to place a joint, 1 person':<40} {median:>10.1f} {p95:>8.1f} {cpu:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
