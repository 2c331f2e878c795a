"""The editor's round trip in a real browser: a joint dropped -> the refilled pose drawn.

Starts the app (``python -m lib_posefill app``) on a free port, opens it in Chromium (Playwright), loads a pose
of 1 and of 10 people, and drags a knee with the mouse again and again. The editor times each action from the
drop (the pointer released) to the answer drawn on its canvas (``window.PoseFillEditor.timings``): the request,
the server's refill, the response and the drawing. Needs gradio and playwright (the tab's test environments)
and a Chromium: ``python -m posefill_dev.benchmarks.editor_roundtrip [--browser /usr/bin/chromium]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from lib_posefill.skeleton import R_KNEE

from ..ports import free_port
from .tab_roundtrip import pose

TARGET_MS = {1: 100.0, 10: 300.0}
"""Median drop -> drawn time each pose size must stay under."""


def start_app(port: int) -> subprocess.Popen:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lib_posefill", "app", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the app did not start within 120 s")


def drags(page, path: Path, people: int, count: int) -> list[float]:
    """Load the pose, then drag knees ``count`` times; the editor's drop -> drawn times in ms."""
    seq = page.locator("#posefill-editor").get_attribute("data-seq")
    page.locator("#posefill-upload input[type=file]").first.set_input_files(str(path))
    idle = "([b]) => { const e = document.querySelector('#posefill-editor'); return e.dataset.seq !== b && e.dataset.busy === '0'; }"
    page.wait_for_function(idle, arg=[seq], timeout=60_000)
    page.evaluate("window.PoseFillEditor.timings.length = 0")
    for i in range(count):
        doc = json.loads(page.locator("#posefill-editor").get_attribute("data-state"))
        view = json.loads(page.locator("#posefill-editor").get_attribute("data-view"))
        box = page.locator("#posefill-editor canvas").bounding_box()
        x, y = doc["people"][i % people]["pose_keypoints_2d"][3 * R_KNEE : 3 * R_KNEE + 2]
        sx, sy = box["x"] + view["x"] + x * view["scale"], box["y"] + view["y"] + y * view["scale"]
        dx = 12 if i % 2 == 0 else -12
        seq = page.locator("#posefill-editor").get_attribute("data-seq")
        page.mouse.move(sx, sy)
        page.mouse.down()
        page.mouse.move(sx + dx / 2, sy)
        page.mouse.move(sx + dx, sy)
        page.mouse.up()
        page.wait_for_function(idle, arg=[seq], timeout=60_000)
    return page.evaluate("window.PoseFillEditor.timings.slice()")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60, help="drags per pose (default 60)")
    parser.add_argument("--browser", default="/usr/bin/chromium", help="the Chromium to drive")
    args = parser.parse_args(argv)
    try:
        import gradio
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        print(f"editor_roundtrip: not measured: needs gradio and playwright ({err.name} is missing)")
        return 1
    if not os.path.exists(args.browser):
        print(f"editor_roundtrip: not measured: no Chromium at {args.browser} (--browser)")
        return 1

    port = free_port()
    app = start_app(port)
    print(f"gradio {gradio.__version__}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    print(f"{'case':<34} {'median ms':>10} {'p90 ms':>8} {'max ms':>8} {'target':>8}")
    met = True
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
            browser = pw.chromium.launch(executable_path=args.browser, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function("window.PoseFillEditor !== undefined", timeout=60_000)
            for people in (1, 10):
                path = Path(tmp) / f"pose{people}.json"
                path.write_text(json.dumps(pose(people)))
                times = sorted(drags(page, path, people, args.repeat))
                p90, median = times[int(0.9 * (len(times) - 1))], statistics.median(times)
                met &= median < TARGET_MS[people]
                name = f"drop -> drawn, {people} person(s)"
                print(f"{name:<34} {median:>10.1f} {p90:>8.1f} {times[-1]:>8.1f} {TARGET_MS[people]:>6.0f} ms")
            browser.close()
    finally:
        app.terminate()
        app.wait(timeout=10)
    print(f"load average {os.getloadavg()[0]:.1f} at the end; {'targets met' if met else 'a target was missed'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
