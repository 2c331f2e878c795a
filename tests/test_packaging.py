"""Packaging facts checked in the checkout: one version, the changelog's latest entry, and the shipped files found
at the repository root (the WebUI extension layout). The built wheel itself is checked in tests/package."""

from __future__ import annotations

import re

from conftest import REPO

import lib_posefill
from lib_posefill.model import DEFAULT_MODEL_PATH
from lib_posefill.resources import EXAMPLES_DIR, PACKAGED, shipped_path


def test_the_version_is_written_once():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and not re.search(r"^version\s*=", pyproject, re.M)
    assert re.search(r'^\[tool\.hatch\.version\]\npath = "lib_posefill/version\.py"$', pyproject, re.M)
    assert re.findall(r"__version__ = ", "".join(p.read_text() for p in (REPO / "lib_posefill").rglob("*.py"))) == [
        "__version__ = "
    ]
    assert re.fullmatch(r"\d+\.\d+\.\d+", lib_posefill.__version__)


def test_the_changelog_starts_with_the_current_version():
    headings = re.findall(r"^## (\S+)", (REPO / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert headings and headings[0] == lib_posefill.__version__


def test_a_checkout_finds_the_shipped_files_at_its_root():
    assert not (REPO / "lib_posefill" / PACKAGED).exists()  # only a built wheel has the copies
    assert shipped_path("models") == REPO / "models" and DEFAULT_MODEL_PATH == REPO / "models" / "posefill.onnx"
    assert EXAMPLES_DIR == REPO / "poses" and any(EXAMPLES_DIR.glob("*.json"))
