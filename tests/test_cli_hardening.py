"""The CLI against hostile files and folders (issue 9, classes 1, 2, 4, 5): every good file is written, every bad
entry gets one line naming it, nothing but regular files is ever written or replaced, and reading is bounded."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys

import cv2
import pytest
from conftest import REPO, person_doc, run_cli, write_json

CANVAS = {"canvas_width": 64, "canvas_height": 64}


def error_lines(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.strip()]


def test_folder_with_bad_entries_writes_every_good_file_and_names_each_bad_one(tmp_path):
    src = tmp_path / "in"
    write_json(src / "good.json", person_doc())
    (src / "loop.json").symlink_to("loop.json")
    (src / "dangling.json").symlink_to("missing-target.json")
    (src / "folder.json").mkdir()
    os.mkfifo(src / "fifo.json")  # must be refused, not waited on
    done = run_cli("complete", str(src), "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["good.json"]
    lines = error_lines(done)
    assert "Traceback" not in done.stderr
    for name, expected in (
        ("loop.json", "symbolic link"),
        ("dangling.json", "missing"),
        ("folder.json", "a folder"),
        ("fifo.json", "not a regular file"),
    ):
        (line,) = [line for line in lines if line.startswith(f"{src / name}: ")]
        assert expected in line, line
    assert len(lines) == 4


def test_output_that_is_not_a_regular_file_is_refused_not_replaced(tmp_path):
    src = write_json(tmp_path / "in.json", person_doc())
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    for command, out in (("complete", fifo), ("render", fifo)):
        done = run_cli(command, str(src), "-o", str(out))
        assert done.returncode == 1, done.stderr
        assert stat.S_ISFIFO(os.lstat(out).st_mode)
        (line,) = error_lines(done)
        assert line.startswith(f"{out}: ") and "not a regular file" in line
    folder_in, folder_out = tmp_path / "many", tmp_path / "many-out"
    for name in ("a.json", "b.json"):
        write_json(folder_in / name, person_doc())
    folder_out.mkdir()
    os.mkfifo(folder_out / "a.json")
    done = run_cli("complete", str(folder_in), "-o", str(folder_out))
    assert done.returncode == 1
    assert stat.S_ISFIFO(os.lstat(folder_out / "a.json").st_mode)
    assert "posefill" in json.loads((folder_out / "b.json").read_text())["people"][0]
    (line,) = error_lines(done)
    assert line.startswith(f"{folder_out / 'a.json'}: ")


def test_output_that_is_a_device_is_refused(tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    src = write_json(tmp_path / "in.json", person_doc())
    done = run_cli("complete", str(src), "-o", str(device))
    assert done.returncode == 1 and "not a regular file" in done.stderr
    assert stat.S_ISCHR(os.lstat(device).st_mode)


@pytest.mark.parametrize(
    ("doc", "extra", "expected"),
    [
        ({**person_doc(), "canvas_width": 0.4}, [], "canvas_width: expected a whole number of pixels"),
        ({**person_doc(), "canvas_height": 1e-300}, [], "canvas_height: expected a whole number of pixels"),
        ({**person_doc(), "canvas_width": 10**6}, [], "canvas_width: expected a whole number of pixels"),
        (
            {"people": [{"pose_keypoints_2d": [1e10, 1e10, 1] + [10, 10, 1] * 17}], **CANVAS},
            ["--extend"],
            "people[0].pose_keypoints_2d: the nose at (1e+10, 1e+10) is too far outside the canvas",
        ),
        ({**person_doc(), "canvas_width": 8000, "canvas_height": 8000}, [], "canvas: the image would be 8000x8000"),
    ],
)
def test_render_refuses_undrawable_documents_with_one_line_naming_file_and_field(tmp_path, doc, extra, expected):
    src = write_json(tmp_path / "in.json", doc)
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-m",
            "lib_posefill",
            "render",
            str(src),
            "-o",
            str(tmp_path / "o.png"),
            *extra,
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    (line,) = error_lines(done)
    assert line.startswith(f"{src}: ") and expected in line, line
    assert not (tmp_path / "o.png").exists()


def test_render_draws_joints_far_outside_the_canvas_without_extend(tmp_path):
    far = [1e10, 1e10, 1, 30, 40, 1, 1e300, 5, 1] + [0, 0, 0] * 15  # a nose and a shoulder far off, the neck seen
    src = write_json(tmp_path / "in.json", {"people": [{"pose_keypoints_2d": far}], **CANVAS})
    done = run_cli("render", str(src), "-o", str(tmp_path / "o.png"))
    assert done.returncode == 0 and done.stderr == ""
    image = cv2.imread(str(tmp_path / "o.png"))
    assert image.shape == (64, 64, 3) and image[40, 30].any()  # the neck is drawn, the limbs towards the others too


def test_reading_is_bounded_for_pipes_and_devices(tmp_path):
    out = tmp_path / "o.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    big = b'{"people": [], "canvas_width": 8, "canvas_height": 8, "pad": "' + b"x" * (3 * 2**20) + b'"}'
    done = subprocess.run(
        [sys.executable, "-m", "lib_posefill", "complete", "/dev/stdin", "-o", str(out), "--max-file-mb", "1"],
        cwd=REPO,
        env=env,
        input=big,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 1 and not out.exists()
    assert done.stderr.decode().strip() == "/dev/stdin: over the 1 MB limit (max_file_mb)"
    done = run_cli("complete", "/dev/zero", "-o", str(out), "--max-file-mb", "1")
    assert done.returncode == 1 and done.stderr.strip() == "/dev/zero: over the 1 MB limit (max_file_mb)"
    small = json.dumps(person_doc()).encode()
    done = subprocess.run(
        [sys.executable, "-m", "lib_posefill", "complete", "/dev/stdin", "-o", str(out)],
        cwd=REPO,
        env=env,
        input=small,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "posefill" in json.loads(out.read_text())["people"][0]


def test_people_are_counted_per_file_across_the_documents_of_a_list(tmp_path):
    one = person_doc()
    src = write_json(tmp_path / "list.json", [{**one, "people": one["people"] * 6}] * 2)
    done = run_cli("complete", str(src), "-o", str(tmp_path / "o.json"), "--max-people", "10")
    assert done.returncode == 1
    assert done.stderr.strip() == f"{src}: 12 people, over the limit of 10 (max_people)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"people": [], "canvas_width": 8, "canvas_height": 8, "pad": [' + ",".join(["{}"] * 300_000) + "]}",
            "MB of memory",
        ),
        (
            '{"people": [], "canvas_width": 8, "canvas_height": 8, "x": ' + "[" * 150 + "]" * 150 + "}",
            "x: nested more than",
        ),
        ('{"people": [], "canvas_width": 8, "canvas_height": 8, "x": NaN}', "x: expected a finite number"),
        ('{"people": [], "canvas_width": 8, "canvas_height": 8, "y": [1, -Infinity]}', "y[1]: expected a finite"),
        ('{"people": [], "canvas_width": 8, "canvas_height": 8, "y": [1e999]}', "y[0]: expected a finite"),
        ('{"people": [], "canvas_width": 8, "canvas_height": 8, "name": "\\ud800"}', "name: expected valid Unicode"),
        ('{"people": [], "canvas_width": 8, "canvas_height": 8, "\\udfff": 1}', "expected valid Unicode"),
    ],
)
def test_json_is_bounded_in_memory_and_depth_and_holds_only_what_json_can_write(tmp_path, text, expected):
    src = tmp_path / "in.json"
    src.write_text(text)
    done = run_cli("complete", str(src), "-o", str(tmp_path / "o.json"), "--max-file-mb", "2")
    assert done.returncode == 1
    (line,) = error_lines(done)
    assert line.startswith(f"{src}: ") and expected in line.removeprefix(f"{src}: "), line


def test_demo_counts_filled_joints_in_agreement(tmp_path):
    done = run_cli("demo", "-o", str(tmp_path / "demo"))
    assert done.returncode == 0, done.stderr
    counts = re.findall(r"^\S+\.json: (\d+) (joints?) filled -> ", done.stdout, re.M)
    assert counts and all((n == "1") == (word == "joint") for n, word in counts), done.stdout


def test_the_sequence_benchmark_and_evaluate_refuse_bad_data_in_one_line(tmp_path):
    (tmp_path / "person_keypoints_val2017.json").write_text('{"annotations": []}')  # no "images"
    for command in (
        [sys.executable, "-m", "posefill_dev.benchmarks.sequence", "--data-dir", str(tmp_path / "nowhere")],
        [sys.executable, "-m", "posefill_dev.benchmarks.sequence", "--data-dir", str(tmp_path)],
        [sys.executable, "-m", "lib_posefill", "evaluate", "--data-dir", str(tmp_path)],
    ):
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO)
        assert done.returncode == 1 and done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
        assert "Traceback" not in done.stderr and str(tmp_path) in done.stderr
