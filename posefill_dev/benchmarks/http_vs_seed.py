"""PoseFill's HTTP API against a service of the seed project's shape, side by side on one machine.

The seed (MarkZakelj/openpose-extrapolation, ``src/predict.py``) serves a 36 -> 36 -> 64 -> 36 torch MLP with
FastAPI: a pydantic request of 18 ``{x, y, visible}`` keypoints per person, coordinates made relative to the neck,
-10 for a missing joint, given joints copied back, a pydantic answer of the same shape. ``SeedService`` here is a
minimal equivalent of it (random weights of the same shape: the cost, not the answer, is compared), run on one
torch thread: at these sizes more threads only add waits, which a busy machine turns into noise.

Both run as uvicorn servers on 127.0.0.1, each in its own process: PoseFill's routes on a FastAPI app, as the
app serves them, and the seed's service. The same people go to both, one person per request and 100 per request,
the services taking turns (which one goes first rotates), each over one persistent HTTP connection.

A third server measures the floor of the transport: the same FastAPI app with a route that reads the body and
answers PoseFill's own answer to it from a cache (computed the first time a body is seen, so the timed requests do
no PoseFill work). Nothing served by this stack can answer faster, so ``seed / target - floor`` is the most
PoseFill's own work may take for the target to be reachable at all.

``python -m posefill_dev.benchmarks.http_vs_seed [--requests N] [--max-seconds S]`` prints the median time per
request and the ratio for each size; exits 1 when a target is missed: PoseFill at least 1.2x faster with one
person per request, at least 2x with 100. Needs torch, fastapi and uvicorn in one environment.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from ..ports import free_port
from .model import example_people

REPO = Path(__file__).resolve().parents[2]
SIZES = (1, 100)
TARGETS = {1: 1.2, 100: 2.0}
CANVAS = (512, 768)
KEEP_ALIVE = 600
"""Seconds a server keeps an idle connection open. Each service is asked over one persistent connection that idles
while the next services start (uvicorn's default of 5 s closed it under a busy CI: a broken pipe on the next request)."""
INSTALL_HINT = (
    "it needs torch, fastapi and uvicorn in one environment: pip install -r requirements/dev.txt (torch: README)"
)


def seed_app():
    """A FastAPI app of the seed's shape: pydantic in, a 36 -> 36 -> 64 -> 36 torch MLP per request, pydantic out."""
    import torch
    from fastapi import FastAPI
    from pydantic import BaseModel

    class Keypoint(BaseModel):
        x: float
        y: float
        visible: bool

    class InferenceRequest(BaseModel):
        keypoints: list[list[Keypoint]]
        width: int
        height: int

    class InferenceResult(BaseModel):
        keypoints: list[list[Keypoint]]

    torch.manual_seed(0)
    torch.set_num_threads(1)  # as PoseFill's small-batch session; torch's thread pool only slows a 2,000-weight MLP
    layers = torch.nn.Sequential(
        torch.nn.Linear(36, 36),
        torch.nn.ReLU(),
        torch.nn.Linear(36, 64),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(64, 36),
    ).eval()
    app = FastAPI()

    @app.get("/")
    def health():
        return "OK"

    @app.post("/predict")
    def predict(request: InferenceRequest) -> InferenceResult:
        rows, necks = [], []
        for body in request.keypoints:
            neck = (body[1].x, body[1].y)
            necks.append(neck)
            row = []
            for point in body:
                row += [point.x - neck[0], point.y - neck[1]] if point.visible else [-10.0, -10.0]
            rows.append(row)
        x = torch.tensor(rows)
        with torch.no_grad():
            given = x != -10.0
            y = layers(x)
            y[given] = x[given]
        people = []
        for row, (nx, ny) in zip(y, necks):
            people.append([Keypoint(x=px + nx, y=py + ny, visible=True) for px, py in row.reshape(-1, 2).tolist()])
        return {"keypoints": people}

    return app


def posefill_app():
    """PoseFill's routes on a FastAPI app, as the standalone app and the WebUI mount them."""
    from fastapi import FastAPI

    from lib_posefill.http.routes import add_routes

    app = FastAPI()
    add_routes(app)
    return app


def floor_app():
    """PoseFill's app with ``/floor``: the body read, PoseFill's answer to it given from a cache (no work when timed)."""
    from starlette.responses import Response

    from lib_posefill.http.routes import answer, complete

    app = posefill_app()
    answers: dict[bytes, bytes] = {}

    async def floor(request):
        data = await request.body()
        if data not in answers:
            answers[data] = answer(data, complete)[1]
        return Response(answers[data], media_type="application/json")

    app.add_route("/floor", floor, methods=["POST"])
    return app


APPS = {"posefill": posefill_app, "seed": seed_app, "floor": floor_app}


def serve(name: str, port: int) -> None:
    import uvicorn

    app = APPS[name]()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", timeout_keep_alive=KEEP_ALIVE)


class Service:
    """One server process and a persistent connection to it."""

    def __init__(self, name: str, ready_path: str) -> None:
        self.name = name
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "posefill_dev.benchmarks.http_vs_seed", "--serve", name, "--port", str(self.port)],
            env=env,
        )
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        deadline = time.monotonic() + 120
        while True:
            try:
                self.request("GET", ready_path)
                return
            except OSError:
                self.connection.close()
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the {name} service did not start") from None
                time.sleep(0.2)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        self.connection.request(method, path, body=body, headers=headers)
        answer = self.connection.getresponse()
        return answer.status, answer.read()

    def close(self) -> None:
        self.connection.close()
        self.process.terminate()
        self.process.wait(timeout=30)


def bodies(n: int, seed: int) -> tuple[bytes, bytes]:
    """The same n people as a PoseFill request and as a seed request."""
    xy, present, _ = example_people(n, seed)
    xy = xy.round(2)
    triples = np.concatenate([np.where(present[..., None], xy, 0.0), present[..., None].astype(float)], axis=2)
    pose = {
        "canvas_width": CANVAS[0],
        "canvas_height": CANVAS[1],
        "people": [{"pose_keypoints_2d": t.ravel().tolist()} for t in triples],
    }
    seed_people = [
        [{"x": float(x), "y": float(y), "visible": bool(v)} for (x, y), v in zip(p_xy, p_present)]
        for p_xy, p_present in zip(xy, present)
    ]
    return (
        json.dumps({"pose": pose}).encode(),
        json.dumps({"keypoints": seed_people, "width": CANVAS[0], "height": CANVAS[1]}).encode(),
    )


def check_posefill(n: int, status: int, data: bytes) -> None:
    """RuntimeError unless PoseFill answered n people, each with 18 joints and its ``posefill`` record."""
    people = json.loads(data)["pose"]["people"] if status == 200 else None
    if (
        people is None
        or len(people) != n
        or any(len(p["pose_keypoints_2d"]) != 54 or "posefill" not in p for p in people)
    ):
        raise RuntimeError(f"PoseFill answered {status}: {data[:200]!r}")


def check_seed(n: int, status: int, data: bytes) -> None:
    """RuntimeError unless the seed service answered n people of 18 visible keypoints."""
    people = json.loads(data)["keypoints"] if status == 200 else None
    if people is None or len(people) != n or any(len(p) != 18 or not all(k["visible"] for k in p) for p in people):
        raise RuntimeError(f"the seed service answered {status}: {data[:200]!r}")


def run(requests: int = 300, max_seconds: float = 60.0, sizes: tuple[int, ...] = SIZES) -> dict:
    """Median seconds per request of each service at each size, PoseFill's speed-up (seed / PoseFill), and the
    transport floor (``floor_app``)."""
    services = {
        "posefill": Service("posefill", "/posefill/v1/version"),
        "seed": Service("seed", "/"),
        "floor": Service("floor", "/posefill/v1/version"),
    }
    paths = {"posefill": "/posefill/v1/complete", "seed": "/predict", "floor": "/floor"}
    checks = {"posefill": check_posefill, "seed": check_seed, "floor": check_posefill}
    bodies_of = {"posefill": "posefill", "seed": "seed", "floor": "posefill"}
    report: dict = {"requests": requests, "sizes": {}}
    try:
        for n in sizes:
            payloads = [dict(zip(("posefill", "seed"), bodies(n, seed))) for seed in range(8)]
            times: dict[str, list[float]] = {name: [] for name in services}
            for name in services:  # warm up, and check each answers what it was asked
                for payload in payloads:
                    checks[name](n, *services[name].request("POST", paths[name], payload[bodies_of[name]]))
            deadline = time.monotonic() + max_seconds / len(sizes)
            names = list(services)
            for i in range(requests):
                for name in names[i % 3 :] + names[: i % 3]:
                    start = time.perf_counter()
                    status, data = services[name].request(
                        "POST", paths[name], payloads[i % len(payloads)][bodies_of[name]]
                    )
                    times[name].append(time.perf_counter() - start)
                    if status != 200:
                        checks[name](n, status, data)
                if time.monotonic() > deadline:
                    break
            medians = {name: float(np.median(t)) for name, t in times.items()}
            report["sizes"][n] = {
                "posefill_ms": 1e3 * medians["posefill"],
                "seed_ms": 1e3 * medians["seed"],
                "speedup": medians["seed"] / medians["posefill"],
                "floor_ms": 1e3 * medians["floor"],
                "pairs": len(times["posefill"]),
                "target": TARGETS.get(n),
            }
    finally:
        for service in services.values():
            service.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m posefill_dev.benchmarks.http_vs_seed", description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="request pairs per size (default 300)")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time bound of the timed requests")
    parser.add_argument("--serve", choices=tuple(APPS), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        import fastapi  # noqa: F401
        import torch  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as err:
        print(f"http_vs_seed: {err}; {INSTALL_HINT}", file=sys.stderr)
        return 1
    if args.serve:
        serve(args.serve, args.port)
        return 0
    report = run(args.requests, args.max_seconds)
    print(
        f"PoseFill /posefill/v1/complete vs a seed-shaped FastAPI + torch MLP service (load {os.getloadavg()[0]:.1f})"
    )
    missed = []
    for n, row in report["sizes"].items():
        print(
            f"  {n:>3} {'person' if n == 1 else 'people'} per request: PoseFill {row['posefill_ms']:.2f} ms, seed "
            f"{row['seed_ms']:.2f} ms (medians of {row['pairs']} interleaved pairs): speed-up {row['speedup']:.2f}x "
            f"(target {row['target']}x)"
        )
        if row["target"]:
            budget = row["seed_ms"] / row["target"] - row["floor_ms"]
            print(
                f"      transport floor (this app answering from a cache) {row['floor_ms']:.2f} ms: the target leaves "
                f"{budget:.2f} ms for PoseFill's own work, which takes {row['posefill_ms'] - row['floor_ms']:.2f} ms"
            )
        if row["target"] and row["speedup"] < row["target"]:
            missed.append(f"{row['speedup']:.2f}x with {n} per request (target {row['target']}x)")
    if missed:
        print(f"http_vs_seed: target missed: {'; '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
