"""Shared helpers for the core tests: realistic people built from the mean pose, and the CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
if (
    str(REPO) not in sys.path
):  # the development package (posefill_dev) beside an installed lib_posefill (make test-package)
    sys.path.append(str(REPO))

from lib_posefill.model import cached_filler  # noqa: E402
from posefill_dev.synthetic import body  # noqa: E402


def flat(xy: np.ndarray, seen: np.ndarray, c: float = 0.9) -> list[float]:
    """[x, y, c, ...] with missing points written as [0, 0, 0]."""
    out: list[float] = []
    for (x, y), ok in zip(xy, seen):
        out += [float(x), float(y), c] if ok else [0.0, 0.0, 0.0]
    return out


def person_doc(xy=None, seen=None, width=512, height=768, **extra) -> dict:
    """A ControlNet pose document with one person (default: standing, legs below the bottom edge)."""
    xy = body(256, 60, 1000) if xy is None else xy
    seen = ((xy >= 0) & (xy < (width, height))).all(1) if seen is None else seen
    return {"people": [{"pose_keypoints_2d": flat(xy, seen)}], "canvas_width": width, "canvas_height": height, **extra}


def triples(person: dict, key: str = "pose_keypoints_2d") -> np.ndarray:
    return np.asarray(person[key], dtype=float).reshape(-1, 3)


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``python -m lib_posefill ARGS`` in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "lib_posefill", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def write_json(path: Path, value) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def filler():
    """The filler users get: the shipped model (the mean-pose baseline until it lands)."""
    return cached_filler()
