"""What importing PoseFill pulls in at load time: the runtime (lib_posefill) no WebUI module, no torch, no pandas
and nothing of the development package, gradio only under lib_posefill/ui; the development package (posefill_dev)
torch only under posefill_dev/training. And ``--help`` on every command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO, run_cli

from lib_posefill.cli import COMMANDS

WEBUI = ("modules", "modules_forge", "internal_controlnet", "launch", "fastapi", "starlette")
HEAVY = {"gradio", "torch", "pandas", "posefill_dev"}
ALLOWED = {"lib_posefill/ui": {"gradio"}, "posefill_dev/training": {"torch", "pandas", "posefill_dev"}}
"""Folders and the heavy packages they may import at load time (the rest of posefill_dev may import itself)."""
FOLDERS = ["lib_posefill", "posefill_dev", *ALLOWED]


def modules(folder: str) -> list[str]:
    """Every module under ``folder`` by name, less those under an ALLOWED folder below it."""
    names = []
    for path in sorted((REPO / folder).rglob("*.py")):
        rel = path.relative_to(REPO)
        inner = [f for f in ALLOWED if f != folder and f.startswith(folder + "/")]
        if path.name == "__main__.py" or any(rel.is_relative_to(f) for f in inner):
            continue
        parts = rel.with_suffix("").parts
        names.append(".".join(parts[:-1] if path.name == "__init__.py" else parts))
    return names


def loaded_after_importing(names: list[str]) -> set[str]:
    """Top-level packages in sys.modules after importing ``names`` in a fresh interpreter."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("folder", FOLDERS)
def test_modules_import_no_webui_and_heavy_packages_only_where_allowed(folder):
    names = modules(folder)
    assert len(names) > 3
    forbidden = set(WEBUI) | HEAVY
    forbidden -= ALLOWED.get(folder, set()) | ({"posefill_dev"} if folder == "posefill_dev" else set())
    if folder == "lib_posefill":
        assert {"lib_posefill.hosts.webui", "lib_posefill.cli.complete", "lib_posefill.api"} <= set(names)
        assert not any(n.startswith("lib_posefill.ui") for n in names)
    assert not loaded_after_importing(names) & forbidden


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command, capsys):
    from lib_posefill.cli import main

    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m lib_posefill {command}") and "--debug" in out


def test_help_in_a_fresh_interpreter_lists_the_commands():
    done = run_cli("--help")
    assert done.returncode == 0 and all(name in done.stdout for name in COMMANDS)
