"""What importing lib_posefill pulls in: no WebUI module anywhere at load time, gradio only under
lib_posefill/ui, torch only under lib_posefill/training; and ``--help`` on every command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO, run_cli

from lib_posefill.cli import COMMANDS

WEBUI = ("modules", "modules_forge", "internal_controlnet", "launch", "fastapi", "starlette")
ALLOWED = {"ui": {"gradio"}, "training": {"torch"}}
"""Sub-packages and the heavy packages they may import at load time."""


def modules(package: str = "") -> list[str]:
    """Every module of lib_posefill (under ``package`` alone when given), by name."""
    folder = REPO / "lib_posefill" / package
    names = []
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if path.name == "__main__.py" or (not package and parts[1] in ALLOWED):
            continue
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


@pytest.mark.parametrize("package", ["", *ALLOWED])
def test_modules_import_no_webui_and_heavy_packages_only_where_allowed(package):
    names = modules(package)
    assert len(names) > 3
    forbidden = set(WEBUI) | {"gradio", "torch"}
    forbidden -= ALLOWED.get(package, set())
    if package == "":
        assert {"lib_posefill.hosts.webui", "lib_posefill.cli.complete", "lib_posefill.api"} <= set(names)
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
