"""The standalone app (``python -m lib_posefill app``) in a subprocess: the UI and the HTTP API on one port, and a
second app on a busy port refused with a message naming --port and PORT= (run under every gradio stack)."""

from __future__ import annotations

import json
import urllib.request

import pytest
from app_process import REPO, running_app, start_app

from lib_posefill import __version__

pytest.importorskip("gradio")


@pytest.fixture(scope="module")
def app():
    with running_app() as started:
        yield started


def test_the_ui_and_the_http_api_answer_on_the_apps_port(app):
    _, base = app
    with urllib.request.urlopen(base + "/", timeout=30) as r:
        assert b"<html" in r.read(4096).lower()
    with urllib.request.urlopen(base + "/posefill/v1/version", timeout=30) as r:
        info = json.load(r)
    assert info["posefill"] == __version__ and info["api"] == 1 and "scope" in info["options"]
    body = json.dumps({"pose": json.loads((REPO / "examples" / "legs_cut.json").read_text())}).encode()
    request = urllib.request.Request(base + "/posefill/v1/complete", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=30) as r:
        person = json.load(r)["pose"]["people"][0]
    assert person["posefill"]["filled"]
    request = urllib.request.Request(base + "/posefill/v1/render", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.headers["content-type"] == "image/png" and r.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_busy_port_is_refused_with_a_message_naming_port(app):
    port, _ = app
    second = start_app(port)
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in out
    assert f"--port {port + 1}" in out and f"make app PORT={port + 1}" in out
