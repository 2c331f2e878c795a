"""``complete``'s progress line: shown for a folder on a terminal, never with --quiet or off a terminal, never
mixed into error lines."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest
from conftest import REPO, person_doc, run_cli, write_json


def run_on_terminal(*args: str) -> tuple[int, str]:
    """``python -m lib_posefill ARGS`` with stderr on a pseudo-terminal; (exit status, what the terminal got)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lib_posefill", *args], stderr=follower, stdout=subprocess.DEVNULL, env=env
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return proc.wait(timeout=120), seen.decode()


@pytest.fixture
def folder(tmp_path):
    for i in range(5):
        write_json(tmp_path / "in" / f"p{i}.json", person_doc())
    (tmp_path / "in" / "bad.json").write_text("{not json")
    return tmp_path


def test_a_folder_on_a_terminal_shows_files_read_and_people_filled(folder):
    code, seen = run_on_terminal("complete", str(folder / "in"), "-o", str(folder / "out"))
    assert code == 1  # bad.json
    assert "6/6 files read, 5 people filled, 5 written" in seen
    lines = seen.replace("\r\n", "\n").split("\n")
    error = next(line for line in lines if "bad.json" in line)
    assert error.split("\x1b[K")[-1].startswith(str(folder / "in" / "bad.json"))  # the line was cleared first
    assert len(list((folder / "out").iterdir())) == 5


def test_quiet_or_no_terminal_shows_no_progress(folder):
    code, seen = run_on_terminal("complete", str(folder / "in"), "-o", str(folder / "quiet"), "--quiet")
    assert code == 1 and "files read" not in seen and "\r\x1b" not in seen and "bad.json" in seen
    done = run_cli("complete", str(folder / "in"), "-o", str(folder / "piped"))
    assert done.returncode == 1 and "files read" not in done.stderr and "bad.json" in done.stderr
    for name in (f"p{i}.json" for i in range(5)):
        assert (folder / "quiet" / name).read_bytes() == (folder / "piped" / name).read_bytes()


def test_a_single_file_on_a_terminal_shows_no_progress(folder):
    code, seen = run_on_terminal("complete", str(folder / "in" / "p0.json"), "-o", str(folder / "one.json"))
    assert code == 0 and seen == ""
