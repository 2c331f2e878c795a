"""The HTTP API against the requests that gave 500s or were silently misread (issue 9, classes 3, 5 and 9):
every bad request gets a 4xx with one line naming the field; the body is checked by one request model."""

from __future__ import annotations

import json
import threading

import pytest

pytest.importorskip("httpx")
fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from lib_posefill.http import routes as http  # noqa: E402

EMPTY = {"people": [], "canvas_width": 1, "canvas_height": 1}
ONE = {"canvas_width": 64, "canvas_height": 64, "people": [{"pose_keypoints_2d": [10, 10, 1] * 18}]}


@pytest.fixture
def client():
    app = fastapi.FastAPI()
    http.add_routes(app)
    return TestClient(app)


def far_joint(x):
    return {**ONE, "people": [{"pose_keypoints_2d": [x, x, 1] + [10, 10, 1] * 17}]}


@pytest.mark.parametrize(
    ("route", "body", "status", "expected"),
    [
        # class 3: these were 500s
        ("complete", b'{"pose": {"people": [], "canvas_width": 1, "canvas_height": 1, "x": NaN}}', 422, "pose.x: "),
        ("complete", b'{"pose": {"people": [], "canvas_width": 1, "canvas_height": 1, "x": "\\ud800"}}', 422, "pose.x"),
        ("complete", b'{"pose": {"people": [], "canvas_width": 1, "canvas_height": 1, "\\udc00": 1}}', 422, "Unicode"),
        ("render", {"pose": {**ONE, "canvas_width": 0.4}}, 422, "canvas_width: expected a whole number"),
        ("render", {"pose": far_joint(1e10), "extend": True}, 422, "people[0].pose_keypoints_2d: the nose at"),
        ("render", {"pose": {**ONE, "canvas_width": 1e-300}}, 422, "canvas_width: expected a whole number"),
        ("complete", {"pose": {**ONE, "people": [{"pose_keypoints_2d": [[]] * 54}]}}, 422, "expected a number"),
        (
            "complete",
            {"pose": {"people": [{"pose_keypoints_2d": [1] * 54}]}, "options": {"canvas": "0x5"}},
            422,
            "canvas",
        ),
        ("complete", {"pose": ONE, "options": {"seed": "9" * 5000}}, 422, "options: seed: expected an integer"),
        ("render", b'{"pose": ' + b"[" * 200 + b"]" * 200 + b"}", 422, "pose: nested more than 100 levels"),
        # class 9: these were accepted or misread
        ("complete", {"pose": ONE, "options": 0}, 422, "options: expected an object of options"),
        ("complete", {"pose": ONE, "options": False}, 422, "options: expected an object of options"),
        ("render", {"pose": ONE, "complete": "false"}, 422, "complete: expected true or false"),
        ("render", {"pose": ONE, "extend": "false"}, 422, "extend: expected true or false"),
        ("render", {"pose": ONE, "extend": 1}, 422, "extend: expected true or false"),
        (
            "render",
            b'{"pose": {"people": [], "canvas_width": 8, "canvas_height": 8}, "frame": [0, 0, NaN, 8]}',
            422,
            "frame",
        ),
        ("render", {"pose": ONE, "frame": [0, 0, 0, 8]}, 422, "frame: expected [x0, y0, x1, y1]"),
        ("render", {"pose": ONE, "frame": [0, 0, True, 8]}, 422, "frame: expected [x0, y0, x1, y1]"),
        ("complete", {"pose": ONE, "style": "sketch"}, 422, "style: unknown field; /complete takes pose, options"),
        ("complete", {"pose": ONE, "optoins": {}}, 422, "optoins: unknown field"),
        ("complete", {"options": {}}, 422, "pose: missing"),
        ("complete", [1, 2], 422, "request body: expected a JSON object"),
        ("complete", "pose", 422, "request body: expected a JSON object"),
        ("render", {"pose": ONE, "style": ["preview"]}, 422, "style: expected one of controlnet, preview"),
        ("complete", b"{not json", 400, "request body: invalid JSON at line 1 column 2"),
        ("complete", b"\xff\xfe\x00", 400, "request body: "),
        # the same first error under pydantic 1 and 2 (issue 19: no pydantic model any more)
        ("complete", {"pose": ONE, "zeta": 1, "alpha": 2}, 422, "zeta: unknown field"),
        ("complete", {"pose": ONE, "options": ""}, 422, "options: expected an object of options"),
        ("complete", {"pose": ONE, "options": [["scope", "all"]]}, 422, "options: expected an object of options"),
        ("render", {"pose": ONE, "frame": [0, 0, 8]}, 422, "frame: expected [x0, y0, x1, y1]"),
        ("render", {"pose": ONE, "style": None}, 422, "style: expected one of controlnet, preview, got null"),
        ("render", {"pose": ONE, "frame": [0, 0, 8, 8], "style": "x"}, 422, "style: expected one of"),
        # class 5: people are counted per request
        ("complete", {"pose": [{**ONE, "people": ONE["people"] * 6000}] * 2}, 422, "12000 people, over the limit"),
    ],
)
def test_bad_requests_get_a_one_line_4xx_naming_the_field(client, route, body, status, expected):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    r = client.post(f"/posefill/v1/{route}", content=content)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and len(detail) < 400
    assert expected in detail, detail


def test_a_joint_far_outside_is_drawn_without_extend(client):
    r = client.post("/posefill/v1/render", json={"pose": far_joint(1e10)})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"


def test_answers_are_valid_json_for_any_input_they_accept(client):
    pose = {**ONE, "name": "caf\u00e9 \U0001f600", "big": 10**300, "deep": [[[[1]]]]}
    r = client.post("/posefill/v1/complete", json={"pose": pose, "frame": [0, 0, 64, 64]})
    assert r.status_code == 200
    out = json.loads(r.content)["pose"]
    assert out["name"] == pose["name"] and out["big"] == 10**300 and out["deep"] == [[[[1]]]]


def test_concurrent_large_bodies_all_get_answers(client):
    people = ONE["people"] * 5000  # about 1.1 MB of JSON: over the size worked on one at a time
    body = json.dumps({"pose": {**ONE, "people": people}}).encode()
    assert len(body) > http.HTTP_LARGE_BYTES
    codes = []

    def post():
        codes.append(client.post("/posefill/v1/complete", content=body).status_code)

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200, 200, 200]
