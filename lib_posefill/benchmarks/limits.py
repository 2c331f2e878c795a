"""Peak memory of the largest inputs PoseFill accepts, on every surface, and the time of a 10,000-person tab upload.

Each case runs in a fresh process and reports its peak resident size (Linux: ``VmHWM``/``ru_maxrss``):

- CLI ``complete`` on the largest accepted files: the most people a file may hold (10,000, with hands and face,
  as many as fit in 64 MB), a file of tiny objects just under the decoded-memory bound, one person with a face
  list as long as 64 MB allows, and a folder of 300 files of ~1 MB (completed in bounded batches);
- the HTTP server (uvicorn, the routes of ``hosts/http.py``) answering the same kinds of 16 MB bodies one by one,
  then four of them at once; its resident size after them shows the memory handed back;
- the tab's upload handler with the largest JSON, the largest image (4096 x 4096) and a 10,000-person crowd,
  whose upload time (wall and CPU, best of 3) is the tab's scaling figure.

``python -m lib_posefill.benchmarks.limits [--only cli|http|tab]`` (the HTTP part needs fastapi, uvicorn and
httpx, the tab part runs without gradio). Other work on the machine inflates wall times; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from ..baselines import COCO_MEAN_POSE
from ..jsontext import decoded_size
from ..limits import HTTP_MAX_BYTES, JSON_MEMORY_FACTOR
from .scenes import dwpose_document

REPO = Path(__file__).resolve().parents[2]
FILE_MB = 64.0
GIB = 2**30


def full_people(limit: int, people: int = 10_000) -> bytes:
    """JSON of up to ``people`` people with body, hands and face (full-precision floats), at most ``limit`` bytes."""
    doc = dwpose_document(people, 4096, 4096, cut=0.0)
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


def cli_cases(folder: Path) -> list[tuple[str, Path]]:
    limit = int(FILE_MB * 2**20)
    cases = [
        ("10,000 people with hands and face (as many as fit in 64 MB)", full_people(limit)),
        ("tiny objects up to the decoded-memory bound", tiny_objects(limit)),
        ("one person, a 64 MB face list", long_face(limit)),
    ]
    out = []
    for i, (name, data) in enumerate(cases):
        path = folder / f"case{i}.json"
        path.write_bytes(data)
        out.append((f"{name}: {len(data) / 2**20:.1f} MB", path))
    many = folder / "many"
    many.mkdir()
    one = full_people(2**20, people=200)
    for i in range(300):
        (many / f"p{i:03d}.json").write_bytes(one)
    out.append((f"a folder of 300 files of {len(one) / 2**20:.1f} MB", many))
    return out


def bench_cli(folder: Path) -> None:
    print("CLI `complete` (each in a fresh process)")
    for name, path in cli_cases(folder):
        dst = folder / (path.name + ".out")
        code, peak, seconds = run_measured(
            [sys.executable, "-m", "lib_posefill", "complete", str(path), "-o", str(dst)]
        )
        print(f"  {name:<62} exit {code}  peak {peak:7.0f} MB  {seconds:5.1f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVER = """
import sys, fastapi, uvicorn
from lib_posefill.hosts import http
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


def bench_http() -> None:
    print("HTTP server (uvicorn, one process for every request below)")
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
        limit = HTTP_MAX_BYTES - 64
        bodies = {
            "people (16 MB)": full_people(limit - 16),
            "tiny objects up to the decoded-memory bound (16 MB)": tiny_objects(limit - 16),
            "a 16 MB face list": long_face(limit - 16),
        }
        for name, pose in bodies.items():
            body = b'{"pose": ' + pose + b"}"
            status = post(f"{url}/complete", body)
            rss, peak = memory_of(server.pid)
            print(f"  {name:<62} HTTP {status}  peak {peak:7.0f} MB  rss after {rss:6.0f} MB")
        body = b'{"pose": ' + bodies["people (16 MB)"] + b"}"
        codes: list[int] = []
        threads = [threading.Thread(target=lambda: codes.append(post(f"{url}/complete", body))) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rss, peak = memory_of(server.pid)
        print(f"  {'four 16 MB bodies at once':<62} HTTP {sorted(codes)}  peak {peak:7.0f} MB  rss after {rss:6.0f} MB")
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
handlers.upload(TabState(), json.dumps({"people": [], "canvas_width": 8, "canvas_height": 8}).encode(), "auto", None, True, OPTS)
times = []
for _ in range(int(sys.argv[2])):
    wall, cpu = time.perf_counter(), time.process_time()
    state, view = handlers.upload(TabState(), data, "auto", None, True, OPTS)
    times.append((time.perf_counter() - wall, time.process_time() - cpu))
    del state, view
wall, cpu = min(times)
print(json.dumps({"status": handlers.upload(TabState(), data, "auto", None, True, OPTS)[1].status[:90], "wall": wall,
                  "cpu": cpu, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def skeleton_png(side: int = 4096) -> bytes:
    import cv2

    from ..document import parse_documents
    from ..options import Options
    from ..render import draw_document

    image = draw_document(parse_documents(crowd(400, side), Options())[0][0])
    return cv2.imencode(".png", image[..., ::-1])[1].tobytes()


def bench_tab(folder: Path) -> None:
    print("tab upload handler (each in a fresh process; read, fill and draw both images; time: best of 3)")
    limit = int(FILE_MB * 2**20)
    cases = [
        ("10,000-person crowd, 2048 x 2048", json.dumps(crowd()).encode(), 3),
        ("10,000 people with hands and face (64 MB)", full_people(limit), 1),
        ("tiny objects up to the decoded-memory bound (64 MB)", tiny_objects(limit), 1),
        ("a 4096 x 4096 skeleton image", skeleton_png(), 1),
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
        print(f"  {name:<52} {out['wall']:5.2f} s wall {out['cpu']:5.2f} s CPU  peak {out['peak']:6.0f} MB")
        print(f"    {out['status']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("cli", "http", "tab"))
    args = parser.parse_args(argv)
    print(
        f"{os.cpu_count()} CPUs, load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}; limit {GIB / 2**20:.0f} MB"
    )
    with tempfile.TemporaryDirectory(prefix="posefill-limits-") as tmp:
        folder = Path(tmp)
        if args.only in (None, "cli"):
            bench_cli(folder)
        if args.only in (None, "http"):
            try:
                import fastapi  # noqa: F401
                import uvicorn  # noqa: F401
            except ImportError:
                print("HTTP server: skipped (needs fastapi and uvicorn; run it in a WebUI or app environment)")
            else:
                bench_http()
        if args.only in (None, "tab"):
            bench_tab(folder)
    print(f"load average now {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
