"""The standalone app: the UI and the HTTP API on one port (launched in-process, as ``posefill app`` does), and
``python -m lib_posefill app`` on that busy port refused with a message naming --port and PORT= (every stack)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from lib_posefill import __version__
from posefill_dev.ports import free_port

pytest.importorskip("gradio")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def app():
    from lib_posefill.ui.blocks import launch

    port = free_port()
    tab = launch("127.0.0.1", port)  # returns once it serves, with the HTTP API added
    yield port, f"http://127.0.0.1:{port}"
    tab.close()


def test_the_ui_and_the_http_api_answer_on_the_apps_port(app):
    _, base = app
    with urllib.request.urlopen(base + "/", timeout=30) as r:
        assert b"<html" in r.read(4096).lower()
    with urllib.request.urlopen(base + "/posefill/v1/version", timeout=30) as r:
        info = json.load(r)
    assert info["posefill"] == __version__ and info["api"] == 1 and "scope" in info["options"]
    body = json.dumps({"pose": json.loads((REPO / "poses" / "legs_cut.json").read_text())}).encode()
    request = urllib.request.Request(base + "/posefill/v1/complete", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=30) as r:
        person = json.load(r)["pose"]["people"][0]
    assert person["posefill"]["filled"]
    request = urllib.request.Request(base + "/posefill/v1/render", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.headers["content-type"] == "image/png" and r.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_busy_port_is_refused_with_a_message_naming_port(app):
    port, _ = app
    done = subprocess.run(
        [sys.executable, "-m", "lib_posefill", "app", "--port", str(port)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
    assert f"--port {port + 1}" in done.stderr and f"make app PORT={port + 1}" in done.stderr
