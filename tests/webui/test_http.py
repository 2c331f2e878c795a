"""The HTTP API on a FastAPI app, through FastAPI's TestClient (run under both WebUI pin sets)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

pytest.importorskip("httpx")
fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from lib_posefill import __version__  # noqa: E402
from lib_posefill.http import routes as http  # noqa: E402
from lib_posefill.options import FIELD_BY_NAME  # noqa: E402
from lib_posefill.render import render_document  # noqa: E402
from lib_posefill.skeleton import L_ANKLE, R_ANKLE  # noqa: E402

LEGS_CUT = {
    "canvas_width": 512,
    "canvas_height": 768,
    "people": [
        {
            "pose_keypoints_2d": [
                *[256, 120, 1, 256, 200, 1, 196, 202, 1, 180, 320, 1, 176, 430, 1],
                *[316, 202, 1, 332, 320, 1, 336, 430, 1, 222, 450, 1, 216, 610, 1],
                *[0, 0, 0, 290, 450, 1, 296, 610, 1, 0, 0, 0],
                *[242, 106, 1, 270, 106, 1, 226, 114, 1, 286, 114, 1],
            ]
        }
    ],
}


@pytest.fixture
def client():
    app = fastapi.FastAPI()
    http.add_routes(app, max_bytes=64 * 1024)
    return TestClient(app)


def ankles(doc):
    xy = np.asarray(doc["people"][0]["pose_keypoints_2d"]).reshape(-1, 3)
    return xy[[R_ANKLE, L_ANKLE]]


def test_complete_fills_the_missing_joints(client):
    r = client.post("/posefill/v1/complete", json={"pose": LEGS_CUT, "options": {"scope": "limbs"}})
    assert r.status_code == 200
    pose = r.json()["pose"]
    assert ankles(pose)[:, 2].tolist() == [1.0, 1.0]
    assert pose["people"][0]["posefill"]["filled"] == [R_ANKLE, L_ANKLE]


def test_complete_takes_a_list_and_options(client):
    r = client.post(
        "/posefill/v1/complete", json={"pose": [LEGS_CUT, LEGS_CUT], "options": {"framing": "fit", "seed": 3}}
    )
    assert r.status_code == 200
    docs = r.json()["pose"]
    assert len(docs) == 2 and all(ankles(d)[:, 1].max() <= 768 for d in docs)


def test_complete_accepts_a_body_sent_without_a_json_content_type(client):
    r = client.post("/posefill/v1/complete", content=json.dumps({"pose": LEGS_CUT}).encode())
    assert r.status_code == 200


def test_frame_marks_the_real_picture_inside_the_canvas(client):
    inside = client.post("/posefill/v1/complete", json={"pose": LEGS_CUT, "options": {"scope": "outside"}})
    cut = client.post(
        "/posefill/v1/complete", json={"pose": LEGS_CUT, "options": {"scope": "outside"}, "frame": [0, 0, 512, 500]}
    )
    assert ankles(cut.json()["pose"])[:, 2].tolist() == [1.0, 1.0]
    filled_inside = ankles(inside.json()["pose"])
    assert not (filled_inside[:, 2] == 1).any() or (filled_inside[:, 1] > 768).all()


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        (b"{not json", 400, "request body: invalid JSON at line 1 column 2"),
        (b"[1, 2]", 422, "request body: expected a JSON object"),
        (json.dumps({"pose": LEGS_CUT, "options": {"scope": "most"}}), 422, "options: scope: expected one of"),
        (json.dumps({"pose": LEGS_CUT, "options": {"speed": 1}}), 422, "unknown option(s) speed"),
        (json.dumps({"pose": LEGS_CUT, "options": {"max_people": 10**6}}), 422, "max_people cannot be set"),
        (json.dumps({"pose": LEGS_CUT, "options": [1]}), 422, "options: expected an object"),
        (json.dumps({"pose": LEGS_CUT, "frame": [0, 0, 0, 10]}), 422, "frame: expected [x0, y0, x1, y1]"),
        (b'{"pose": [], "frame": [0, 0, Infinity, 10]}', 422, "frame[2]: expected a finite number"),
        (json.dumps({"pose": {"people": [{"pose_keypoints_2d": [1, 2]}]}}), 422, "canvas"),
        (
            json.dumps({"pose": {"canvas_width": 9, "canvas_height": 9, "people": [{"pose_keypoints_2d": [1, 2]}]}}),
            422,
            "people[0].pose_keypoints_2d: expected a multiple of 3",
        ),
    ],
)
def test_bad_requests_get_a_one_line_4xx(client, body, status, detail):
    r = client.post("/posefill/v1/complete", content=body)
    assert r.status_code == status
    message = r.json()["detail"]
    assert detail in message and "\n" not in message


def test_request_size_is_bounded(client):
    big = json.dumps({"pose": LEGS_CUT, "padding": "x" * 70_000})
    r = client.post("/posefill/v1/complete", content=big)
    assert r.status_code == 413 and "byte limit" in r.json()["detail"]


def test_render_returns_a_png_of_the_document(client):
    r = client.post("/posefill/v1/render", json={"pose": LEGS_CUT})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    image = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
    assert np.array_equal(image, render_document(LEGS_CUT))


def test_render_can_complete_first_and_draw_the_preview_style(client):
    plain = client.post("/posefill/v1/render", json={"pose": LEGS_CUT}).content
    done = client.post("/posefill/v1/render", json={"pose": LEGS_CUT, "complete": True, "style": "preview"})
    assert done.status_code == 200 and done.content != plain
    bad = client.post("/posefill/v1/render", json={"pose": LEGS_CUT, "style": "sketch"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("style: expected one of")
    empty = client.post("/posefill/v1/render", json={"pose": []})
    assert empty.status_code == 422 and empty.json()["detail"] == "document: an empty list holds no document to draw"


def test_render_applies_framing_fit_without_completing(client):
    low = json.loads(json.dumps(LEGS_CUT))
    low["people"][0]["pose_keypoints_2d"][3 * R_ANKLE : 3 * R_ANKLE + 3] = [216, 766, 1]  # at the bottom edge
    plain = client.post("/posefill/v1/render", json={"pose": low})
    fit = client.post("/posefill/v1/render", json={"pose": low, "options": {"framing": "fit", "margin": 0.1}})
    assert plain.status_code == fit.status_code == 200
    image = cv2.imdecode(np.frombuffer(fit.content, np.uint8), cv2.IMREAD_COLOR)
    assert fit.content != plain.content and image.shape[:2] == (768, 512)
    rows = np.flatnonzero(image.any(axis=(1, 2)))
    assert rows.max() <= 0.9 * 768 + 4  # every joint inside the margin, plus a joint disc's radius


def test_version_names_the_package_model_and_options(client):
    r = client.get("/posefill/v1/version")
    assert r.status_code == 200
    info = r.json()
    assert info["posefill"] == __version__ and info["api"] == http.API_VERSION
    assert isinstance(info["model"], str) and info["model"]
    assert info["options"]["scope"]["choices"] == ["limbs", "all", "outside"]
    assert info["options"]["hands"] == {
        "default": "auto",
        "help": FIELD_BY_NAME["hands"].help,
        "choices": ["auto", "off"],
    }
    assert "max_people" not in info["options"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"pose": {**LEGS_CUT, "canvas_width": 8000, "canvas_height": 8000}}, "canvas: the image would be"),
        (
            {"pose": {**LEGS_CUT, "people": [{"pose_keypoints_2d": [9e6, 10, 1] + [0, 0, 0] * 17}]}, "extend": True},
            "people[0].pose_keypoints_2d: the nose at (9e+06, 10) is too far outside the canvas",
        ),
    ],
)
def test_render_refuses_huge_images(client, body, detail):
    r = client.post("/posefill/v1/render", json=body)
    assert r.status_code == 422 and r.json()["detail"].startswith(detail)


def test_complete_takes_suspicious_and_version_lists_it(client):
    pose = json.loads(json.dumps(LEGS_CUT))
    pose["people"][0]["pose_keypoints_2d"][12] = 1e308  # r_wrist x: absurd
    r = client.post("/posefill/v1/complete", json={"pose": pose, "options": {"suspicious": "refill"}})
    assert r.status_code == 200
    record = r.json()["pose"]["people"][0]["posefill"]
    assert 4 in record["replaced"] and "r_wrist" in record["warnings"][0]
    bad = client.post("/posefill/v1/complete", json={"pose": LEGS_CUT, "options": {"suspicious": "yes"}})
    assert bad.status_code == 422 and "suspicious" in bad.text
    assert client.get("/posefill/v1/version").json()["options"]["suspicious"]["choices"] == ["keep", "refill"]


def test_the_routes_are_listed_in_the_apps_openapi_docs(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/posefill/v1/complete", "/posefill/v1/render", "/posefill/v1/version"} <= set(paths)
    assert paths["/posefill/v1/complete"]["post"]["tags"] == ["PoseFill"]
