"""The fuzz suite, core part: the Python API raises nothing but PoseFillError and writes back only valid JSON; the
CLI, given folders of generated and nasty files, writes every good file, gives each bad one one line, exits 1 and
leaves its input untouched. (HTTP: tests/webui/test_http_fuzz.py; the tab: tests/tab/test_tab_fuzz.py.)"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, run_cli, write_json
from fuzzing import (
    files,
    good_texts,
    inputs,
    json_texts,
    mixed_canvas_clips,
    nasty_entries,
    nasty_texts,
    option_sets,
    settings_for,
)
from hypothesis import given
from hypothesis import strategies as st

from lib_posefill import PoseFillError, complete_document, complete_sequence
from lib_posefill.cli import main
from lib_posefill.document import parse_documents
from lib_posefill.jsontext import loads_json
from lib_posefill.options import Options
from lib_posefill.render import render_document

pytestmark = [
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning"),  # reprs of large examples
    pytest.mark.filterwarnings("error::RuntimeWarning"),  # numpy noise would reach the CLI's stderr
]


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity: what any JSON reader accepts."""

    def refuse(name):
        raise ValueError(f"{name} in PoseFill's output")

    return json.loads(text, parse_constant=refuse)


@settings_for(150)
@given(st.binary(max_size=300) | st.text(max_size=300) | json_texts)
def test_the_reader_returns_json_it_can_write_back_or_one_line(data):
    try:
        value = loads_json(data)
    except PoseFillError as err:
        assert "\n" not in str(err) and len(str(err)) < 400
        return
    strict_json(json.dumps(value, allow_nan=False))  # raises on NaN, lone surrogates survive as escapes


@settings_for(200)
@given(inputs, option_sets)
def test_any_value_completes_or_raises_posefill_error(value, options):
    try:
        out = complete_document(value, options)
    except PoseFillError as err:
        assert "\n" not in str(err)
        return
    for doc in out if isinstance(out, list) else [out]:
        for p in doc["people"]:
            assert isinstance(p["posefill"]["filled"], list)
            body = p.get("pose_keypoints_2d")
            if isinstance(body, list) and body and "skipped" not in p["posefill"]:
                assert all(math.isfinite(v) for v in body)
                assert set(body[2::3]) <= {0.0, 1.0}


@settings_for(150)
@given(json_texts, option_sets, st.sampled_from(["controlnet", "preview"]), st.booleans())
def test_read_json_completes_and_renders_or_raises_posefill_error(text, options, style, extend):
    try:
        value = loads_json(text)
        out = complete_document(value, options)
        image = render_document(out, Options(coords="pixel"), style=style, extend=extend)
    except PoseFillError as err:
        assert "\n" not in str(err)
        return
    strict_json(json.dumps(out, allow_nan=False))
    assert image.ndim == 3 and image.dtype.name == "uint8" and image.shape[0] * image.shape[1] <= 4096 * 4096


def readable(path: Path) -> bool:
    """Whether the CLI can complete this input (read, decode, parse), by the same functions it uses."""
    try:
        parse_documents(loads_json(path.read_bytes()), Options())
    except (PoseFillError, OSError):
        return False
    return path.is_file()


def run_main(*args: str) -> tuple[int, list[str]]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, [line for line in err.getvalue().splitlines() if line]


def snapshot(folder: Path) -> dict[str, bytes | str]:
    return {
        p.name: p.read_bytes() if p.is_file() else os.readlink(p) if p.is_symlink() else "dir" for p in folder.iterdir()
    }


@settings_for(25)
@given(st.lists(files, min_size=1, max_size=6))
def test_cli_on_generated_folders(contents):
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in", Path(tmp) / "out"
        src.mkdir()
        for i, data in enumerate(contents):
            (src / f"f{i}.json").write_bytes(data)
        before = snapshot(src)
        good = {p.name for p in src.iterdir() if readable(p)}
        code, lines = run_main("complete", str(src), "-o", str(dst))
        warned = [line for line in lines if ": warning: person " in line]  # absurd input, in a file completed
        lines = [line for line in lines if line not in warned]
        assert {line.split(": warning: ")[0].split(" (document ")[0] for line in warned} <= {str(src / n) for n in good}
        assert snapshot(src) == before
        assert code == (1 if len(good) < len(contents) else 0)
        assert {p.name for p in dst.iterdir()} == good
        assert len(lines) == len(contents) - len(good)
        for line in lines:
            assert line.startswith(str(src / "f")) and "Traceback" not in line
        for name in good:
            strict_json((dst / name).read_text(encoding="utf-8"))


def test_cli_on_the_nasty_corpus(tmp_path):
    """In a real process: a folder of every nasty file and entry next to good ones."""
    src, dst = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for name, data in {**nasty_texts(), **good_texts()}.items():
        (src / name).write_bytes(data)
    bad = set(nasty_texts()) | nasty_entries(src)
    before = snapshot(src)
    done = subprocess.run(
        [sys.executable, "-m", "lib_posefill", "complete", str(src), "-o", str(dst)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert snapshot(src) == before
    assert {p.name for p in dst.iterdir()} == set(good_texts())
    lines = [line for line in done.stderr.splitlines() if ": warning: " not in line]
    assert sorted(line.split(": ", 1)[0] for line in lines) == sorted(str(src / name) for name in bad)
    warned = [line for line in done.stderr.splitlines() if ": warning: " in line]
    assert [line.split(": warning: ")[0] for line in warned] == [str(src / "good_far_joint.json")]
    assert "person 0: nose at (1e+10, 1e+10)" in warned[0] and "and 15 more" in warned[0]
    for name in good_texts():
        out = strict_json((dst / name).read_text(encoding="utf-8"))
        people = out[0]["people"] if isinstance(out, list) else out["people"]
        assert all("posefill" in p for p in people)


@settings_for(40)
@given(mixed_canvas_clips, option_sets)
def test_sequences_with_mixed_canvases_and_empty_frames_complete_or_refuse_in_one_line(frames, options):
    """Sequence mode on clips mixing canvas sizes and shapes, with 0-people frames: completed with every given joint
    kept, or one PoseFillError line naming the frame whose shape differs."""
    try:
        out = complete_sequence(frames, options)
    except PoseFillError as err:
        assert "\n" not in str(err) and len(str(err)) < 400
        if "another shape" in str(err):
            first = frames[0]["canvas_width"] / frames[0]["canvas_height"]
            assert any(abs(f["canvas_width"] / f["canvas_height"] / first - 1) > 0.01 for f in frames)
        return
    assert len(out) == len(frames)
    json.dumps(out, allow_nan=False)


def test_sequence_crowds_at_max_people_and_2000_frames(tmp_path):
    """2 frames of 5,000 people (max_people in all) spread over the canvas, then packed into one spot (every track a
    candidate for every detection), completed in a process limited to 1.5 GB of address space (tracking asked for
    6.7 GB at once), and 2,000 frames with empty and non-JSON frames among them: the bad frames named one line each."""
    rng = np.random.default_rng(0)
    base = np.array([v for j in range(18) for v in (100.0 + 4 * (j % 5), 50.0 + 20 * j, 1.0)])
    for name, spread in (("spread", 3500), ("packed", 6)):
        at = rng.uniform(0, spread, (5000, 2))
        kp = base.reshape(18, 3) * [0.3, 0.3, 1]
        crowd = [
            {"people": [{"pose_keypoints_2d": (kp + np.r_[xy + 3 * t, 0]).round(1).ravel().tolist()} for xy in at],
             "canvas_width": 4096, "canvas_height": 4096}
            for t in range(2)
        ]  # fmt: skip
        src = write_json(tmp_path / f"{name}.json", crowd)
        code = (
            "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))\n"
            "from lib_posefill.cli import main\n"
            f"sys.exit(main(['complete', {str(src)!r}, '-o', {str(tmp_path / 'out.json')!r}, '--sequence']))\n"
        )
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (name, done.stderr)
        out = json.loads((tmp_path / "out.json").read_text())
        assert [len(d["people"]) for d in out] == [5000, 5000]
        assert all(isinstance(p["posefill"]["track"], int) for d in out for p in d["people"])
    frames = tmp_path / "frames"
    frames.mkdir()
    for t in range(2000):
        doc = {
            "people": [] if t % 97 == 5 else [{"pose_keypoints_2d": base.tolist()}],
            "canvas_width": 512,
            "canvas_height": 512,
        }
        (frames / f"f{t}.json").write_text("{not json" if t in (7, 1500) else json.dumps(doc))
    done = run_cli("complete", str(frames), "-o", str(tmp_path / "out"), "--sequence", "--quiet")
    assert done.returncode == 1 and done.stderr.count("\n") == 2 and "f7.json" in done.stderr, done.stderr
    assert len(list((tmp_path / "out").glob("*.json"))) == 1998
