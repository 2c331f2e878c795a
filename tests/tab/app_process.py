"""The standalone app (``python -m lib_posefill app``) in a subprocess, for the tests that talk to it over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port: int) -> subprocess.Popen:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "lib_posefill", "app", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@contextmanager
def running_app(seconds: float = 120) -> Iterator[tuple[int, str]]:
    """(port, base URL) of a started app, once its HTTP API answers (the routes are added after gradio serves the
    UI); stopped afterwards."""
    port = free_port()
    proc = start_app(port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + seconds
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app exited: {proc.stdout.read()}")
            try:
                urllib.request.urlopen(base + "/posefill/v1/version", timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail(f"the app did not start within {seconds:g} s")
                time.sleep(0.5)
        yield port, base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
