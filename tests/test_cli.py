"""``python -m lib_posefill complete|render|demo`` on real files, in fresh interpreters."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
from conftest import REPO, person_doc, run_cli, triples, write_json


def test_complete_file_to_file_creates_parents_and_keeps_input(tmp_path):
    src = write_json(tmp_path / "in.json", person_doc())
    before = src.read_bytes()
    out = tmp_path / "a" / "b" / "out.json"
    done = run_cli("complete", str(src), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert src.read_bytes() == before
    person = json.loads(out.read_text())["people"][0]
    assert person["posefill"]["filled"] and (triples(person)[person["posefill"]["filled"], 2] == 1).all()


def test_complete_folder_not_recursive_same_names_overwrites(tmp_path):
    src = tmp_path / "in"
    for name in ("a.json", "b.json"):
        write_json(src / name, person_doc())
    write_json(src / "list.json", [person_doc(), {"people": [], "canvas_width": 8, "canvas_height": 8}])
    write_json(src / "deeper" / "c.json", person_doc())
    (src / "notes.txt").write_text("not a pose")
    out = tmp_path / "out"
    write_json(out / "a.json", {"stale": True})
    done = run_cli("complete", str(src), "-o", str(out), "--scope", "all")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json", "list.json"]
    as_list = json.loads((out / "list.json").read_text())
    assert len(as_list) == 2 and as_list[1] == {"people": [], "canvas_width": 8, "canvas_height": 8}
    assert (triples(as_list[0]["people"][0])[:, 2] == 1).all()
    for name in ("a.json", "b.json"):
        doc = json.loads((out / name).read_text())
        assert "stale" not in doc and (triples(doc["people"][0])[:, 2] == 1).all()


def test_folder_with_one_broken_file(tmp_path):
    src = tmp_path / "in"
    for i in range(3):
        write_json(src / f"ok{i}.json", person_doc())
    broken = src / "broken.json"
    broken.write_text('{"people": [{"pose_keypoints_2d": [1, 2]}], "canvas_width": 5, "canvas_height": 5}')
    out = tmp_path / "out"
    done = run_cli("complete", str(src), "-o", str(out))
    assert done.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["ok0.json", "ok1.json", "ok2.json"]
    errors = [line for line in done.stderr.splitlines() if line.startswith(str(src))]
    assert len(errors) == 1 and errors[0].startswith(f"{broken}: people[0].pose_keypoints_2d:")
    assert "Traceback" not in done.stderr


def test_refuses_to_write_the_input(tmp_path):
    src = write_json(tmp_path / "in" / "p.json", person_doc())
    before = src.read_bytes()
    for out in (src, tmp_path / "in" / ".." / "in" / "p.json"):
        done = run_cli("complete", str(src), "-o", str(out))
        assert done.returncode == 2 and "never overwrites" in done.stderr
    done = run_cli("complete", str(src.parent), "-o", str(tmp_path / "in" / "."))
    assert done.returncode == 2
    hard = tmp_path / "hard.json"  # the same file under another name (as another case is on macOS)
    os.link(src, hard)
    for command in ("complete", "render"):
        done = run_cli(command, str(src), "-o", str(hard))
        assert done.returncode == 2 and "never overwrites" in done.stderr, command
    assert src.read_bytes() == before


def test_outputs_linked_to_inputs_are_replaced_not_written_through(tmp_path):
    src = tmp_path / "in"
    for name in ("a.json", "b.json"):
        write_json(src / name, person_doc())
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").symlink_to(src / "a.json")
    os.link(src / "b.json", out / "b.json")
    done = run_cli("complete", str(src), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before
    for name in ("a.json", "b.json"):
        assert not (out / name).is_symlink() and "posefill" in json.loads((out / name).read_text())["people"][0]


def test_usage_errors_exit_2(tmp_path):
    src = write_json(tmp_path / "in.json", person_doc())
    for args in (
        ["complete", str(src)],  # no -o
        ["complete", str(src), "-o", str(tmp_path / "o.json"), "--scope", "legs"],
        ["complete", str(src), "-o", str(tmp_path / "o.json"), "--margin", "0.9"],
        ["complete", str(tmp_path), "-o", str(src)],  # a folder into a file
        ["render", str(src), "-o", str(tmp_path / "o.png"), "--style", "neon"],
        ["frobnicate"],
    ):
        done = run_cli(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_bare_openpose_needs_canvas_flag(tmp_path):
    doc = person_doc()
    src = write_json(tmp_path / "bare.json", {"version": 1.3, "people": doc["people"]})
    done = run_cli("complete", str(src), "-o", str(tmp_path / "o.json"))
    assert done.returncode == 1 and "--canvas" in done.stderr and done.stderr.startswith(str(src))
    done = run_cli("complete", str(src), "-o", str(tmp_path / "o.json"), "--canvas", "512x768")
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "o.json").read_text())["canvas_width"] == 512


def test_render_writes_controlnet_png(tmp_path):
    src = write_json(tmp_path / "in.json", person_doc(width=320, height=480))
    for extra in ([], ["--style", "preview", "--framing", "fit"], ["--extend"]):
        out = tmp_path / "sub" / "out.png"
        done = run_cli("render", str(src), "-o", str(out), *extra)
        assert done.returncode == 0, done.stderr
        image = cv2.imread(str(out))
        assert image.shape[2] == 3 and image.any()
        if extra != ["--extend"]:
            assert image.shape[:2] == (480, 320)
    bad = write_json(tmp_path / "bad.json", {"people": "nobody"})
    done = run_cli("render", str(bad), "-o", str(tmp_path / "bad.png"))
    assert done.returncode == 1 and done.stderr.startswith(f"{bad}: people:")
    empty = write_json(tmp_path / "empty.json", [])
    done = run_cli("render", str(empty), "-o", str(tmp_path / "empty.png"))
    assert done.returncode == 1 and done.stderr.startswith(f"{empty}: document: an empty list")


def test_render_refuses_to_write_the_input_and_a_missing_input_is_an_input_failure(tmp_path):
    src = write_json(tmp_path / "in.json", person_doc())
    before = src.read_bytes()
    done = run_cli("render", str(src), "-o", str(tmp_path / "." / "in.json"))
    assert done.returncode == 2 and "never overwrites" in done.stderr
    assert src.read_bytes() == before
    done = run_cli("render", str(tmp_path / "nope.json"), "-o", str(tmp_path / "o.png"))
    assert done.returncode == 1 and "nope.json: no such file" in done.stderr  # README: 1 = an input failed
    assert not (tmp_path / "o.png").exists()
    done = run_cli("complete", str(tmp_path / "nope.json"), "-o", str(tmp_path / "o.json"))
    assert done.returncode == 1 and done.stderr == f"error: {tmp_path / 'nope.json'}: no such file or folder\n"


def test_missing_optional_dependencies_get_an_install_hint():
    from lib_posefill.errors import install_hint

    assert install_hint("onnx", "train") == (
        'train needs onnx, which is not installed: pip install ".[train]" in a PoseFill clone '
        "(torch's CPU build: see the README's \"Training on the CPU\")"
    )
    assert install_hint("torch.nn", "evaluate").startswith("evaluate needs torch, which is not installed: pip")
    assert install_hint("gradio", "app").endswith('pip install ".[app]" in a PoseFill clone')
    assert install_hint("hypothesis", "x") == "x needs hypothesis, which is not installed: pip install hypothesis"


WITHOUT_DEV_PACKAGE = """
import sys

class NoDevPackage:  # as an installed wheel: posefill_dev is not there
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "posefill_dev":
            raise ModuleNotFoundError(f"No module named {name!r}", name="posefill_dev")

sys.meta_path.insert(0, NoDevPackage())
from lib_posefill.cli import main
sys.exit(main(sys.argv[1:], prog="posefill"))
"""


def test_without_the_development_package_its_commands_say_to_use_a_clone(tmp_path):
    run = [sys.executable, "-c", WITHOUT_DEV_PACKAGE]
    listed = subprocess.run([*run, "--help"], capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "train     train is a development command" in " ".join(listed.stdout.split("\n"))
    for command in ("train", "evaluate", "bench"):
        done = subprocess.run([*run, command, "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=120)
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr == f"error: {command} is a development command: run it from a clone of the PoseFill " + (
            'repository (git clone, then pip install -e ".[train]" there; see the README)\n'
        )
    done = subprocess.run([*run, "complete", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--scope" in done.stdout  # the runtime commands are unaffected


def test_train_without_onnx_says_how_to_install_it(tmp_path):
    """`train` without the train extra said only "No module named 'onnx'"."""
    code = (
        "import sys; sys.modules['onnx'] = None\n"  # an import of onnx now raises ModuleNotFoundError
        "from lib_posefill.cli import main\n"
        f"sys.exit(main(['train', '--data-dir', {str(tmp_path)!r}, '--out', {str(tmp_path / 'm.onnx')!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 1 and done.stderr.startswith(
        'error: train needs onnx, which is not installed: pip install ".[train]"'
    )
    assert done.stderr.count("\n") == 1


def test_cli_imports_neither_torch_nor_gradio(tmp_path):
    src = write_json(tmp_path / "in" / "p.json", person_doc())
    code = (
        "import sys; from lib_posefill.cli import main; "
        f"assert main(['complete', {str(src.parent)!r}, '-o', {str(tmp_path / 'out')!r}]) == 0; "
        f"assert main(['render', {str(src)!r}, '-o', {str(tmp_path / 'p.png')!r}]) == 0; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'gradio')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "out" / "p.json").exists() and (tmp_path / "p.png").exists()


def test_demo_completes_the_bundled_examples(tmp_path):
    done = run_cli("demo", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    for src in sorted((REPO / "poses").glob("*.json")):
        name = src.name
        doc = json.loads((tmp_path / name).read_text())
        assert all("posefill" in p for p in doc["people"])
        image = cv2.imread(str(tmp_path / name.replace(".json", ".png")))
        assert image is not None and image.shape[1] > 2 * doc["canvas_width"]
