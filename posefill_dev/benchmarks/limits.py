"""Peak memory of the largest inputs PoseFill accepts, on every surface, and the time of a 10,000-person tab upload.

Each case runs in a fresh process and reports its peak resident size (Linux: ``VmHWM``/``ru_maxrss``):

- CLI ``complete`` on the largest accepted files: the most people a file may hold (10,000, with hands and face,
  as many as fit in 64 MB), a file of tiny objects just under the decoded-memory bound, one person with a face
  list as long as 64 MB allows, and a folder of 300 files of ~1 MB (completed in bounded batches);
- the HTTP server (uvicorn, the routes of ``lib_posefill/http/routes.py``) answering the same kinds of 16 MB bodies one by one,
  then four of them at once; its resident size after them shows the memory handed back;
- the tab's upload handler with the largest JSON, the largest image (4096 x 4096) and a 10,000-person crowd,
  whose upload time (wall and CPU, best of 3) is the tab's scaling figure;
- sequence mode (CLI ``complete --sequence``) with ``max_people`` (10,000) people: 2 frames of 5,000 spread over
  the canvas, 2 frames of 5,000 packed into one spot (every track near every detection), 2,000 frames of 5;
- the ComfyUI nodes (PoseFill, PoseFill sequence) on 10,000 people in 2 documents, with their IMAGE batch, and
  the refusal of an IMAGE batch over its limit (64 documents of 4096 x 4096).

``python -m posefill_dev.benchmarks.limits [--only cli|http|tab|sequence|comfyui] [--scale S]`` (the HTTP part
needs fastapi and uvicorn, the ComfyUI part torch, the tab part runs without gradio; ``--scale 0.05`` shrinks every input for a quick run). Exits 1 when a
target is missed: a peak of 1 GB or more, or the 10,000-person upload taking 2 s or more (wall time). Other work on
the machine inflates wall times; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from lib_posefill.baselines import COCO_MEAN_POSE
from lib_posefill.jsontext import decoded_size
from lib_posefill.limits import HTTP_MAX_BYTES, JSON_MEMORY_FACTOR

from ..ports import free_port
from .scenes import dwpose_document

REPO = Path(__file__).resolve().parents[2]
FILE_MB = 64.0
PEAK_TARGET_MB = 1024
UPLOAD_TARGET_S = 2.0
missed: list[str] = []


def check(peak_mb: float, what: str) -> str:
    """The peak as printed; a peak at or over the target is remembered as missed."""
    if peak_mb >= PEAK_TARGET_MB:
        missed.append(f"{what}: peak {peak_mb:.0f} MB")
    return f"peak {peak_mb:7.0f} MB"


def full_people(limit: int, people: int = 10_000) -> bytes:
    """JSON of up to ``people`` people with body, hands and face (full-precision floats), at most ``limit`` bytes."""
    doc = dwpose_document(people, 2048, 2048, cut=0.0)
    data = json.dumps(doc).encode()
    while len(data) > limit:  # fewer people until it fits
        doc["people"] = doc["people"][: int(len(doc["people"]) * limit / len(data) * 0.98)]
        data = json.dumps(doc).encode()
    return data


def tiny_objects(limit: int) -> bytes:
    """A valid document whose unknown key holds as many empty objects as the decoded-memory bound accepts."""
    head, tail = b'{"people": [], "canvas_width": 512, "canvas_height": 512, "junk": [', b"{}]}"
    budget = JSON_MEMORY_FACTOR * limit - decoded_size(head + tail)
    count = min((limit - len(head) - len(tail)) // 3, int(budget // decoded_size(b"{},")) - 1)
    return head + b"{}," * count + tail


def long_face(limit: int) -> bytes:
    """One person whose face list is as long as ``limit`` bytes allow."""
    head = b'{"canvas_width": 512, "canvas_height": 512, "people": [{"pose_keypoints_2d": '
    body = json.dumps(np.c_[COCO_MEAN_POSE * 80 + 256, np.ones(18)].round(2).ravel().tolist()).encode()
    point = b"123.45, 234.56, 0.9, "
    count = (limit - len(head) - len(body) - 64) // len(point)
    return head + body + b', "face_keypoints_2d": [' + point * count + b"1, 1, 1]}]}"


def crowd(people: int = 10_000, side: int = 2048) -> dict:
    """``people`` people in a grid on a ``side`` x ``side`` canvas, each with the knees and ankles missing."""
    rng = np.random.default_rng(0)
    per_row = int(np.ceil(np.sqrt(people)))
    cell = side / per_row
    out = []
    for i in range(people):
        row, col = divmod(i, per_row)
        xy = (
            COCO_MEAN_POSE * cell * 0.3 + ((col + 0.5) * cell, (row + 0.45) * cell) + rng.normal(0, cell / 100, (18, 2))
        )
        keypoints = np.c_[xy, np.ones(18)]
        keypoints[[9, 10, 12, 13]] = 0
        out.append({"pose_keypoints_2d": keypoints.round(2).ravel().tolist()})
    return {"canvas_width": side, "canvas_height": side, "people": out}


def run_measured(args: list[str], env: dict | None = None) -> tuple[int, float, float]:
    """(exit status, peak resident MB, wall seconds) of a child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.stderr.close()
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, time.perf_counter() - start


def cli_cases(folder: Path, scale: float) -> list[tuple[str, Path]]:
    limit = int(FILE_MB * 2**20 * scale)
    cases = [
        ("people with hands and face, as many as fit", full_people(limit, people=int(10_000 * scale))),
        ("tiny objects up to the decoded-memory bound", tiny_objects(limit)),
        ("one person, a face list filling the file", long_face(limit)),
    ]
    out = []
    for i, (name, data) in enumerate(cases):
        path = folder / f"case{i}.json"
        path.write_bytes(data)
        out.append((f"{name}: {len(data) / 2**20:.1f} MB", path))
    many = folder / "many"
    many.mkdir()
    one = full_people(2**20, people=200)
    files = max(2, round(300 * scale))
    for i in range(files):
        (many / f"p{i:03d}.json").write_bytes(one)
    out.append((f"a folder of {files} files of {len(one) / 2**20:.1f} MB", many))
    return out


def bench_cli(folder: Path, scale: float) -> None:
    print(f"CLI `complete` (max_file_mb {FILE_MB:g}, inputs x {scale:g}; each in a fresh process)")
    for name, path in cli_cases(folder, scale):
        dst = folder / (path.name + ".out")
        code, peak, seconds = run_measured(
            [sys.executable, "-m", "lib_posefill", "complete", str(path), "-o", str(dst)]
        )
        print(f"  {name:<62} exit {code}  {check(peak, 'CLI ' + name)}  {seconds:5.1f} s")


SERVER = """
import sys, fastapi, uvicorn
from lib_posefill.http import routes as http
app = fastapi.FastAPI()
http.add_routes(app)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def memory_of(pid: int) -> tuple[float, float]:
    """(current, peak) resident MB of a process, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def post(url: str, data: bytes) -> int:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=600) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code


def bench_http(scale: float) -> None:
    print(
        f"HTTP server (uvicorn, one process for every request below; bodies up to {HTTP_MAX_BYTES // 2**20} MB x {scale:g})"
    )
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=REPO)
    url = f"http://127.0.0.1:{port}/posefill/v1"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/version", timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        print(f"  {'started':<62} rss {memory_of(server.pid)[0]:7.0f} MB")
        limit = int(HTTP_MAX_BYTES * scale) - 64
        bodies = {
            "people with hands and face": full_people(limit - 16, people=int(10_000 * scale)),
            "tiny objects up to the decoded-memory bound": tiny_objects(limit - 16),
            "a face list filling the body": long_face(limit - 16),
        }
        for name, pose in bodies.items():
            body = b'{"pose": ' + pose + b"}"
            status = post(f"{url}/complete", body)
            rss, peak = memory_of(server.pid)
            print(f"  {name:<62} HTTP {status}  {check(peak, 'HTTP ' + name)}  rss after {rss:6.0f} MB")
        body = b'{"pose": ' + bodies["people with hands and face"] + b"}"
        codes: list[int] = []
        threads = [threading.Thread(target=lambda: codes.append(post(f"{url}/complete", body))) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rss, peak = memory_of(server.pid)
        name = "four of the largest bodies at once"
        print(f"  {name:<62} HTTP {sorted(codes)}  {check(peak, 'HTTP ' + name)}  rss after {rss:6.0f} MB")
    finally:
        server.terminate()
        server.wait()


TAB = """
import json, resource, sys, time
from pathlib import Path
from lib_posefill.ui.handlers import Handlers
from lib_posefill.ui.state import TabState
OPTS = {"scope": "limbs", "min_visible": 3, "framing": "keep", "margin": 0.05}
data = Path(sys.argv[1]).read_bytes()
handlers = Handlers()
handlers.upload(TabState(), json.dumps({"people": [], "canvas_width": 8, "canvas_height": 8}).encode(), "auto", OPTS)
times = []
for _ in range(int(sys.argv[2])):
    wall, cpu = time.perf_counter(), time.process_time()
    state, view = handlers.upload(TabState(), data, "auto", OPTS)
    times.append((time.perf_counter() - wall, time.process_time() - cpu))
    del state, view
wall, cpu = min(times)
print(json.dumps({"status": handlers.upload(TabState(), data, "auto", OPTS)[1].status[:90], "wall": wall,
                  "cpu": cpu, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def skeleton_png(side: int = 4096) -> bytes:
    from lib_posefill.document import parse_documents
    from lib_posefill.options import Options
    from lib_posefill.render import draw_document, encode_png

    return encode_png(draw_document(parse_documents(crowd(50, side), Options())[0][0]))


def bench_tab(folder: Path, scale: float) -> None:
    print("tab upload handler (each in a fresh process; read, fill, the editor's answer; time: best of 3)")
    limit = int(FILE_MB * 2**20 * scale)
    people = int(10_000 * scale)
    side = int(4096 * min(1.0, scale**0.5)) // 64 * 64 or 64  # the largest image an upload may have, scaled
    cases = [
        (f"{people:,}-person crowd, 2048 x 2048", json.dumps(crowd(people)).encode(), 3),
        ("people with hands and face, as many as fit", full_people(limit, people=people), 1),
        ("tiny objects up to the decoded-memory bound", tiny_objects(limit), 1),
        (f"a {side} x {side} skeleton image (50 people)", skeleton_png(side), 1),
    ]
    for name, data, repeat in cases:
        path = folder / "upload.bin"
        path.write_bytes(data)
        done = subprocess.run(
            [sys.executable, "-c", TAB, str(path), str(repeat)], cwd=REPO, capture_output=True, text=True
        )
        if done.returncode:
            print(f"  {name}: failed\n{done.stderr}")
            continue
        out = json.loads(done.stdout.splitlines()[-1])
        print(f"  {name:<52} {out['wall']:5.2f} s wall {out['cpu']:5.2f} s CPU  {check(out['peak'], 'tab ' + name)}")
        print(f"    {out['status']}")
        if repeat > 1 and scale == 1 and out["wall"] >= UPLOAD_TARGET_S:
            missed.append(f"tab {name}: {out['wall']:.2f} s")


def frames_of(people: int, frames: int, packed: bool = False) -> list[dict]:
    """``frames`` documents of ``people`` people each, walking right 4 px a frame; ``packed``: all in one spot."""
    first = crowd(people)
    if packed:
        first["people"] = [{"pose_keypoints_2d": crowd(1)["people"][0]["pose_keypoints_2d"]} for _ in range(people)]
    docs = []
    for t in range(frames):
        moved = []
        for p in first["people"]:
            kp = np.asarray(p["pose_keypoints_2d"]).reshape(18, 3)
            kp = np.where(kp[:, 2:] > 0, kp + np.array([4.0 * t, 0.0, 0.0]), kp)
            moved.append({"pose_keypoints_2d": kp.round(2).ravel().tolist()})
        docs.append({**first, "people": moved})
    return docs


def bench_sequence(folder: Path, scale: float) -> None:
    print("sequence mode, CLI `complete --sequence` (max_people 10,000 in all; each in a fresh process)")
    people = int(10_000 * scale)
    cases = [
        (f"2 frames x {people // 2:,} people, spread", frames_of(people // 2, 2)),
        (f"2 frames x {people // 2:,} people, packed in one spot", frames_of(people // 2, 2, packed=True)),
        (f"{int(2000 * scale):,} frames x 5 people", frames_of(5, int(2000 * scale))),
    ]
    for i, (name, docs) in enumerate(cases):
        path = folder / f"clip{i}.json"
        path.write_text(json.dumps(docs))
        code, peak, seconds = run_measured(
            [sys.executable, "-m", "lib_posefill", "complete", str(path), "-o", str(folder / "clip.out"), "--sequence"]
        )
        print(f"  {name:<62} exit {code}  {check(peak, 'sequence ' + name)}  {seconds:5.1f} s")


COMFYUI = """
import json, resource, sys, time
from lib_posefill.comfyui import NODE_CLASS_MAPPINGS  # what the repository's __init__.py hands ComfyUI
node = NODE_CLASS_MAPPINGS[sys.argv[1]]()
docs = json.loads(open(sys.argv[2]).read())
widgets = {k: v[1]["default"] for k, v in type(node).INPUT_TYPES()["required"].items() if k != "pose_keypoint"}
wall = time.perf_counter()
try:
    out, images = node.complete(docs, **widgets)
    status = f"IMAGE {tuple(images.shape)}"
except Exception as err:
    status = f"refused: {err}"
print(json.dumps({"status": status[:150], "wall": time.perf_counter() - wall,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_comfyui(folder: Path, scale: float) -> None:
    print("ComfyUI nodes (each in a fresh process, torch imported; the IMAGE batch included)")
    people = int(10_000 * scale)
    big = [{"people": [], "canvas_width": 4096, "canvas_height": 4096}] * 64
    cases = [
        ("PoseFill", f"{people:,} people in 2 documents, 2048 x 2048", frames_of(people // 2, 2)),
        ("PoseFillSequence", f"{people:,} people in 2 frames, 2048 x 2048", frames_of(people // 2, 2)),
        ("PoseFillSequence", f"{people:,} people in 2 frames, packed", frames_of(people // 2, 2, packed=True)),
        ("PoseFill", "64 documents of 4096 x 4096 (IMAGE over its limit)", big),
    ]
    for node, name, docs in cases:
        path = folder / "comfyui.json"
        path.write_text(json.dumps(docs))
        done = subprocess.run(
            [sys.executable, "-c", COMFYUI, node, str(path)], cwd=REPO, capture_output=True, text=True
        )
        if done.returncode:
            print(f"  {node}, {name}: failed\n{done.stderr[-2000:]}")
            missed.append(f"ComfyUI {node} {name}: failed")
            continue
        out = json.loads(done.stdout.splitlines()[-1])
        print(f"  {node + ', ' + name:<72} {out['wall']:5.2f} s  {check(out['peak'], 'ComfyUI ' + name)}")
        print(f"    {out['status']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("cli", "http", "tab", "sequence", "comfyui"))
    parser.add_argument("--scale", type=float, default=1.0, help="shrink every input by this factor (a quick run)")
    args = parser.parse_args(argv)
    loads = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"{os.cpu_count()} CPUs, load average {loads}; targets: peak under {PEAK_TARGET_MB} MB, "
        f"the 10,000-person upload under {UPLOAD_TARGET_S:g} s (judged at scale 1)"
    )
    with tempfile.TemporaryDirectory(prefix="posefill-limits-") as tmp:
        folder = Path(tmp)
        if args.only in (None, "cli"):
            bench_cli(folder, args.scale)
        if args.only in (None, "http"):
            try:
                import fastapi  # noqa: F401
                import uvicorn  # noqa: F401
            except ImportError:
                print("HTTP server: skipped (needs fastapi and uvicorn; run it in a WebUI or app environment)")
            else:
                bench_http(args.scale)
        if args.only in (None, "tab"):
            bench_tab(folder, args.scale)
        if args.only in (None, "sequence"):
            bench_sequence(folder, args.scale)
        if args.only in (None, "comfyui"):
            try:
                import torch  # noqa: F401
            except ImportError:
                print("ComfyUI nodes: skipped (needs torch, as ComfyUI has)")
            else:
                bench_comfyui(folder, args.scale)
    print(f"load average now {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for what in missed:
        print(f"target missed: {what}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
