"""Driving the editor in a real browser (Playwright + Debian's chromium): a server in a subprocess, one
browser per test module, and helpers that read the editor through its contract (data-state, data-view)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from posefill_dev.ports import free_port  # noqa: F401  (the browser tests import it from here)

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
TIMEOUT_MS = 30_000
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
)


@contextmanager
def server(args: list[str], port: int):
    """``python ARGS`` serving on ``port``; yields its URL once it answers, stops it afterwards."""
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited: {proc.stdout.read()}")
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("the server did not start within 120 s")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            yield browser
        finally:
            browser.close()


def block_outside(page) -> None:
    """Loopback only (gradio pages ask for web fonts; there is no network here)."""

    def route(r):
        host = r.request.url.split("/")[2].split(":")[0] if "://" in r.request.url else ""
        if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)


# -- the editor through its contract ------------------------------------------------------------------
EDITOR = "#posefill-editor"


def data(page, name: str):
    """A data-* attribute of the editor, decoded as JSON where it is JSON."""
    value = page.locator(EDITOR).get_attribute(f"data-{name}")
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def seq(page) -> str | None:
    return page.locator(EDITOR).get_attribute("data-seq")


def wait_ready(page) -> None:
    page.wait_for_function("window.PoseFillEditor !== undefined", timeout=TIMEOUT_MS)


def wait_answer(page, before: str | None) -> None:
    """Until the editor has drawn an answer newer than ``before`` (its data-seq) and sends nothing more."""
    page.wait_for_function(
        "([sel, before]) => { const el = document.querySelector(sel);"
        " return el && el.dataset.seq !== before && el.dataset.seq !== 'null' && el.dataset.busy === '0'; }",
        arg=[EDITOR, before],
        timeout=TIMEOUT_MS,
    )


def upload(page, path: Path | str) -> None:
    before = seq(page)
    page.locator("#posefill-upload input[type=file]").first.set_input_files(str(path))
    wait_answer(page, before)


def screen(page, px: float, py: float) -> tuple[float, float]:
    """Viewport coordinates of pose pixel (px, py), from data-view and the canvas's position (the page is
    scrolled first when that point is out of sight)."""
    view = data(page, "view")
    canvas = page.locator(f"{EDITOR} canvas")
    y = canvas.bounding_box()["y"] + view["y"] + py * view["scale"]
    height = page.viewport_size["height"]
    if not 20 <= y <= height - 20:
        page.evaluate("dy => window.scrollBy(0, dy)", y - height / 2)
    box = canvas.bounding_box()
    return box["x"] + view["x"] + px * view["scale"], box["y"] + view["y"] + py * view["scale"]


def joint(page, person: int, j: int) -> list[float]:
    return data(page, "state")["people"][person]["pose_keypoints_2d"][3 * j : 3 * j + 3]


def drag(page, person: int, j: int, dx: float, dy: float) -> None:
    """Drag a joint by (dx, dy) CSS pixels and wait for the refill to be drawn."""
    x, y, _ = joint(page, person, j)
    sx, sy = screen(page, x, y)
    before = seq(page)
    page.mouse.move(sx, sy)
    page.mouse.down()
    for k in range(1, 5):
        page.mouse.move(sx + dx * k / 4, sy + dy * k / 4)
    page.mouse.up()
    wait_answer(page, before)


def click_joint(page, person: int, j: int) -> None:
    x, y, _ = joint(page, person, j)
    page.mouse.click(*screen(page, x, y))


def press(page, key: str) -> None:
    before = seq(page)
    page.keyboard.press(key)
    wait_answer(page, before)


def pixel(page, px: float, py: float) -> list[int]:
    """RGB the canvas shows at pose pixel (px, py)."""
    return page.evaluate(
        """([sel, px, py]) => { const c = document.querySelector(sel + ' canvas');
        const v = JSON.parse(document.querySelector(sel).dataset.view), d = window.devicePixelRatio || 1;
        const p = c.getContext('2d').getImageData(Math.floor((v.x + px * v.scale) * d),
            Math.floor((v.y + py * v.scale) * d), 1, 1).data; return [p[0], p[1], p[2]]; }""",
        [EDITOR, px, py],
    )


def export(page, kind: str) -> bytes:
    """Click Export JSON / PNG and return the downloaded file."""
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.locator(f"#posefill-export-{kind}").click()
    return Path(download.value.path()).read_bytes()
