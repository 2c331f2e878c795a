"""The tests in tests/package run against an installed PoseFill (a wheel in a fresh environment, as
.ci/check-package sets up), never against this checkout's lib_posefill."""

from __future__ import annotations

from pathlib import Path

import pytest

import lib_posefill

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(lib_posefill.__file__).resolve().parent

only_installed = pytest.mark.skipif(
    REPO in PACKAGE.parents, reason="runs against an installed PoseFill: make test-package (.ci/check-package)"
)
