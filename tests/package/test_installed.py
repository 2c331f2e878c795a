"""The installed distribution: metadata, the model and the example poses inside the package, the console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from installed import PACKAGE, REPO, only_installed

import lib_posefill
from lib_posefill.cli import COMMANDS, FROM_A_CLONE
from lib_posefill.model import load_filler, model_path
from lib_posefill.resources import EXAMPLES_DIR

pytestmark = only_installed
POSEFILL = Path(sys.executable).with_name("posefill")


def posefill(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(POSEFILL), *args], cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


def test_the_distribution_metadata():
    meta = metadata.metadata("posefill")
    assert meta["Version"] == lib_posefill.__version__
    assert meta["Requires-Python"] == ">=3.10"
    assert meta["License-Expression"] == "MIT"
    versions = {c.rsplit(" :: ", 1)[1] for c in meta.get_all("Classifier") if c.startswith("Programming Language")}
    assert {"3.10", "3.11", "3.12", "3.13"} <= versions
    assert "posefill" in {ep.name for ep in metadata.entry_points(group="console_scripts")}


def test_the_model_and_the_examples_are_package_data_equal_to_the_checkouts():
    assert model_path() == PACKAGE / "shipped" / "models" / "posefill.onnx"
    for name in ("posefill.onnx", "suspicious.onnx", "MODEL_CARD.md"):
        assert (model_path().parent / name).read_bytes() == (REPO / "models" / name).read_bytes()
    assert EXAMPLES_DIR == PACKAGE / "shipped" / "poses"
    shipped = {str(p.relative_to(EXAMPLES_DIR)): p.read_bytes() for p in EXAMPLES_DIR.rglob("*") if p.is_file()}
    checkout = REPO / "poses"
    assert shipped and shipped == {
        str(p.relative_to(checkout)): p.read_bytes() for p in checkout.rglob("*") if p.is_file()
    }
    assert load_filler().name == "PoseFill model"


def test_the_console_script_has_every_command_and_fills_a_folder(tmp_path):
    done = posefill("--help", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("usage: posefill")
    assert all(name in done.stdout for name in COMMANDS)
    done = posefill("complete", str(EXAMPLES_DIR), "-o", "out", "--canvas", "640x480", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    outputs = sorted((tmp_path / "out").glob("*.json"))
    assert [p.name for p in outputs] == sorted(p.name for p in EXAMPLES_DIR.glob("*.json"))
    records = [p["posefill"] for f in outputs for d in [json.loads(f.read_text())] for p in d["people"]]
    assert any(r["filled"] for r in records)


def test_the_wheel_has_no_tooling_and_its_development_commands_say_to_use_a_clone(tmp_path):
    """The wheel ships the runtime only: train, evaluate and bench live in posefill_dev, beside it in a clone."""
    found = subprocess.run(
        [sys.executable, "-c", "import importlib.util as u; print(u.find_spec('posefill_dev'))"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.stdout.strip() == "None"
    for command in ("train", "evaluate", "bench"):
        done = posefill(command, "--data-dir", str(tmp_path), cwd=tmp_path)
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.strip() == f"error: {FROM_A_CLONE.format(name=command)}"


def test_posefill_model_overrides_the_packaged_model(tmp_path):
    missing = tmp_path / "nowhere.onnx"
    done = posefill(
        "complete", str(EXAMPLES_DIR / "legs_cut.json"), "-o", "a.json", cwd=tmp_path, POSEFILL_MODEL=str(missing)
    )
    assert done.returncode == 0 and f"no model at {missing}" in done.stderr
    copy = tmp_path / "copy.onnx"
    copy.write_bytes(model_path().read_bytes())
    done = posefill(
        "complete", str(EXAMPLES_DIR / "legs_cut.json"), "-o", "b.json", cwd=tmp_path, POSEFILL_MODEL=str(copy)
    )
    assert done.returncode == 0 and done.stderr == ""
    assert json.loads((tmp_path / "a.json").read_text()) != json.loads((tmp_path / "b.json").read_text())
