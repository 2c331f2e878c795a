"""End to end in a real browser: the standalone app in a subprocess, driven by Playwright with Debian's Chromium.

Upload a pose JSON, see the completed image, click to move a joint, export and download the JSON.
A screenshot lands in test-artifacts/tab-gradio<version>.png.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from tab_poses import legs_cut

from lib_posefill.skeleton import JOINT_INDEX
from lib_posefill.ui.blocks import example_files
from lib_posefill.ui.handlers import Handlers
from lib_posefill.ui.state import TabState

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
OPTS = {"scope": "limbs", "min_visible": 3, "framing": "keep", "margin": 0.05}

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
)
playwright_api = pytest.importorskip("playwright.sync_api")
gradio = pytest.importorskip("gradio")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lib_posefill", "app", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app exited: {proc.stdout.read()}")
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("the app did not start within 90 s")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def page():
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1300}, accept_downloads=True)
        yield context.new_page()
        context.close()
        browser.close()


def click_image_at(page, img, x: float, y: float) -> None:
    """Click an <img> at natural-pixel (x, y), allowing for object-fit: contain letterboxing."""
    box = img.bounding_box()
    natural = img.evaluate("e => [e.naturalWidth, e.naturalHeight]")
    scale = min(box["width"] / natural[0], box["height"] / natural[1])
    dx, dy = (box["width"] - natural[0] * scale) / 2, (box["height"] - natural[1] * scale) / 2
    img.click(position={"x": dx + (x + 0.5) * scale, "y": dy + (y + 0.5) * scale})


def test_upload_click_export(app_url, page, tmp_path):
    doc = legs_cut(seed=5)
    pose = tmp_path / "legs_cut.json"
    pose.write_text(json.dumps(doc))
    # The same handlers in-process tell where the canvas sits in the extended completed image.
    expected, _ = Handlers().upload(TabState(), pose.read_bytes(), "auto", None, True, OPTS)
    target = (300.0, 430.0)

    page.goto(app_url)
    page.locator("#posefill_upload input[type=file]").set_input_files(str(pose))
    status = page.locator("#posefill_status").first  # gradio 3 repeats the id on the inner element
    status.get_by_text("Filled").wait_for(timeout=30_000)
    assert "r_knee" in status.inner_text()
    output = page.locator("#posefill_output img")
    output.wait_for(timeout=30_000)
    natural = output.evaluate("e => [e.naturalWidth, e.naturalHeight]")
    assert natural[0] >= 512 and natural[1] >= 512

    click_image_at(page, output, target[0] + expected.offset[0], target[1] + expected.offset[1])
    page.locator("#posefill_table").get_by_text("pinned").first.wait_for(timeout=30_000)
    playwright_api.expect(status).to_contain_text("Filled r_ankle, l_knee, l_ankle")  # r_knee: pinned now

    page.locator("#posefill_export").click()
    link = page.locator("#posefill_json a").first
    link.wait_for(timeout=30_000)
    with page.expect_download(timeout=30_000) as download:
        link.click()
    out = json.loads(Path(download.value.path()).read_text())
    knee = out["people"][0]["pose_keypoints_2d"][3 * JOINT_INDEX["r_knee"] : 3 * JOINT_INDEX["r_knee"] + 3]
    assert np.hypot(knee[0] - target[0], knee[1] - target[1]) <= 2.0 and knee[2] == 1.0
    assert sorted(out["people"][0]["posefill"]["filled"]) == [10, 12, 13]
    given = np.asarray(doc["people"][0]["pose_keypoints_2d"]).reshape(18, 3)
    got = np.asarray(out["people"][0]["pose_keypoints_2d"]).reshape(18, 3)
    assert np.allclose(got[given[:, 2] > 0], given[given[:, 2] > 0])

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"tab-gradio{gradio.__version__}.png"), full_page=True)


def test_bad_upload_shows_a_message(app_url, page, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    page.goto(app_url)
    page.locator("#posefill_upload input[type=file]").set_input_files(str(bad))
    page.locator("#posefill_status").first.get_by_text("invalid JSON").wait_for(timeout=30_000)
    assert "Traceback" not in page.content()


def test_bundled_example_with_joints_outside_the_canvas(app_url, page):
    examples = example_files()
    if not examples:
        pytest.skip("no bundled examples/ in this checkout")
    first = examples[0]
    _, expected = Handlers().load_path(TabState(), first, None, True, OPTS)
    page.goto(app_url)
    page.locator("#posefill_load_example").click()
    page.locator("#posefill_status").first.get_by_text(Path(first).name).wait_for(timeout=30_000)
    output = page.locator("#posefill_output img")
    output.wait_for(timeout=30_000)
    natural = output.evaluate("e => [e.naturalWidth, e.naturalHeight]")
    assert natural == [expected.output_image.shape[1], expected.output_image.shape[0]]
    two = REPO / "examples" / "two_people.json"
    if two.exists():  # the README's screenshot: two people, joints filled past the bottom edge
        page.locator("#posefill_upload input[type=file]").set_input_files(str(two))
        page.locator("#posefill_status").first.get_by_text("2 people").wait_for(timeout=30_000)
        page.locator("#posefill_output img").wait_for(timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.screenshot(path=str(ARTIFACTS / f"tab-example-gradio{gradio.__version__}.png"))
