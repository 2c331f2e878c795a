"""Every fenced ``python`` and ``bash`` block of README.md, run in README order from a temporary folder against the
installed PoseFill (the Python running this test: its bin folder comes first on PATH, so ``python``, ``pip`` and
``posefill`` are the installed ones).

The work folder holds a copy of ``poses/``, as a clone's root does. A comment line right above a block says
how the block is bounded (``<!-- readme-test: OPTION; OPTION -->``):

- ``skip: REASON``: not run (``make test``, which is what runs this test).
- ``clone``: run in a copy of the checkout (its tracked and unignored files), as the Quick start says.
- ``serves``: the block ends by starting the app. It is given a free port ($PORT for make, $GRADIO_SERVER_PORT
  for ``posefill app``); once ``GET /posefill/v1/version`` and ``GET /`` answer there, the app is stopped.
- ``coco-stand-in``: ``~/coco/annotations`` (in the test's home) holds a small synthetic COCO keypoint file set
  in the official JSON layout (the real data is not shipped), made from the mean pose with random scale,
  position and jitter.
- ``append WORD: ARGS``: commands with WORD among their words get ARGS appended (a bounded run of a long job).
- ``benchmark``: each line runs on its own and may exit 1, a benchmark's verdict on its targets (timings are not
  tests); it must not fail otherwise (no traceback, no other exit status).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from installed import REPO, only_installed

import lib_posefill
from lib_posefill.baselines import COCO_MEAN_POSE
from posefill_dev.ports import free_port
from posefill_dev.training.data import COCO_TO_OP18

pytestmark = only_installed
FENCE = re.compile(
    r"^(?:<!-- readme-test: (?P<marker>.*?) -->\n)?```(?P<lang>python|bash)\n(?P<code>.*?)^```$", re.M | re.S
)
SERVE_TIMEOUT = 900  # s; a serving block may first create an environment and install PoseFill into it


@dataclass
class Block:
    line: int
    lang: str
    code: str
    options: dict[str, str] = field(default_factory=dict)
    appends: list[tuple[str, str]] = field(default_factory=list)

    def command_lines(self) -> str:
        """The code with each ``append`` applied (before a line's trailing comment)."""
        lines = []
        for line in self.code.splitlines():
            command, comment = re.match(r"^(.*?)(\s+#.*)?$", line).groups()
            for word, args in self.appends:
                if word in command.split():
                    command += f" {args}"
            lines.append(command + (comment or ""))
        return "\n".join(lines) + "\n"


def readme_blocks(text: str) -> list[Block]:
    blocks = []
    for match in FENCE.finditer(text):
        block = Block(text.count("\n", 0, match.start("lang")) + 1, match["lang"], match["code"])
        for option in filter(None, (o.strip() for o in (match["marker"] or "").split(";"))):
            name, _, value = option.partition(":")
            if name.startswith("append "):
                block.appends.append((name.removeprefix("append ").strip(), value.strip()))
            else:
                block.options[name.strip()] = value.strip()
        blocks.append(block)
    return blocks


BLOCKS = readme_blocks((REPO / "README.md").read_text(encoding="utf-8"))


def coco_stand_in(folder: Path, seed: int = 0) -> None:
    """person_keypoints_{train,val}2017.json: people from the mean pose, every keypoint labelled."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    to_coco = [(op, coco) for op, coco in enumerate(COCO_TO_OP18) if coco >= 0]
    for split, people in (("train", 240), ("val", 80)):
        images, annotations = [], []
        for i in range(people):
            height = rng.uniform(150, 400)
            xy = COCO_MEAN_POSE * height + rng.uniform((100, 100), (540, 380)) + rng.normal(0, 4, (18, 2))
            kpts = np.zeros((17, 3))
            for op, coco in to_coco:
                kpts[coco] = (*xy[op], 2)
            images.append({"id": i, "width": 640, "height": 480})
            annotations.append(
                {"image_id": i, "category_id": 1, "iscrowd": 0, "num_keypoints": 17, "keypoints": kpts.ravel().tolist()}
            )
        doc = {"images": images, "annotations": annotations}
        (folder / f"person_keypoints_{split}2017.json").write_text(json.dumps(doc))


def copy_checkout(dest: Path) -> None:
    """The checkout's tracked and unignored files, as a fresh clone has them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """The work folder (with poses/, and ~/coco when asked), a clone copy, a home, the environment."""
    root = tmp_path_factory.mktemp("readme")
    work, clone, home = root / "work", root / "clone", root / "home"
    shutil.copytree(REPO / "poses", work / "poses")
    coco_stand_in(home / "coco" / "annotations")
    copy_checkout(clone)
    home.mkdir(exist_ok=True)
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PYTHONPATH")}
    env.update(
        PATH=bin_dir + os.pathsep + env.get("PATH", ""),
        VIRTUAL_ENV=sys.prefix,
        HOME=str(home),
        PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip"),
    )
    return {"work": work, "clone": clone, "home": home, "env": env}


def environments(*folders: Path) -> set[Path]:
    """The virtual environments (a ``pyvenv.cfg``) right inside ``folders``."""
    return {cfg.parent for folder in folders for cfg in folder.glob("*/pyvenv.cfg")}


def serve_and_stop(proc: subprocess.Popen, port: int, log: Path) -> None:
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + SERVE_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the block exited ({proc.returncode}) before serving:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/posefill/v1/version", timeout=5) as r:
                    version = json.load(r)
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail(f"nothing answered on port {port} within {SERVE_TIMEOUT} s:\n{log.read_text()[-3000:]}")
                time.sleep(1)
        assert version["posefill"] == lib_posefill.__version__ and version["model"] == "PoseFill model"
        with urllib.request.urlopen(f"{base}/", timeout=30) as r:
            assert r.status == 200 and b"<html" in r.read(4096).lower()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{b.lang}-line{b.line}" for b in BLOCKS])
def test_readme_block(block, places, tmp_path):
    if "skip" in block.options:
        pytest.skip(block.options["skip"])
    cwd = places["clone"] if "clone" in block.options else places["work"]
    env = dict(places["env"])
    code = block.command_lines()
    if block.lang == "python":
        script = tmp_path / "block.py"
        script.write_text(code, encoding="utf-8")
        command = [sys.executable, str(script)]
    else:
        command = ["bash", "-e", "-o", "pipefail", "-c", code]
    if "serves" in block.options:
        port = free_port()
        env.update(PORT=str(port), GRADIO_SERVER_PORT=str(port))
        log = tmp_path / "serve.log"
        before = environments(cwd, places["home"])
        try:
            with open(log, "w") as out:
                proc = subprocess.Popen(
                    command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
                serve_and_stop(proc, port, log)
        finally:  # the environment the block made (about 0.8 GB) is used by no later block: its disk goes back
            for venv in environments(cwd, places["home"]) - before:
                shutil.rmtree(venv, ignore_errors=True)
        return
    if "benchmark" in block.options:
        for line in filter(None, (line.split("#")[0].strip() for line in code.splitlines())):
            done = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
            output = done.stdout + done.stderr
            assert (
                done.returncode in (0, 1) and "Traceback" not in output
            ), f"README line {block.line}: {line}\n{output}"
        return
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert (
        done.returncode == 0
    ), f"README line {block.line}:\n{code}\nstdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
