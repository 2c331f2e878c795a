"""The fuzz suite, HTTP part: any request body gets 200 or a 4xx with one line naming what is wrong (never a 500),
and every 200 answer of /complete is valid JSON (run under both WebUI pin sets)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("httpx")
fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from fuzzing import request_bodies, requests, settings_for  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lib_posefill.http import routes as http  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
APP = fastapi.FastAPI()
http.add_routes(APP, max_bytes=2**20)
CLIENT = TestClient(APP)


def check(route: str, body: bytes) -> None:
    r = CLIENT.post(f"/posefill/v1/{route}", content=body)
    assert r.status_code in (200, 400, 413, 422), (r.status_code, r.text[:300])
    if r.status_code == 200:
        if route == "complete":
            json.loads(r.content, parse_constant=lambda name: pytest.fail(f"{name} in the answer"))
        else:
            assert r.headers["content-type"] == "image/png" and r.content.startswith(b"\x89PNG")
        return
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and 0 < len(detail) < 400, detail


@settings_for(120)
@given(request_bodies, st.sampled_from(["complete", "render"]))
def test_any_body_gets_200_or_a_one_line_4xx(body, route):
    check(route, body)


@settings_for(120)
@given(requests, st.sampled_from(["complete", "render"]))
def test_any_request_object_gets_200_or_a_one_line_4xx(request, route):
    try:
        body = json.dumps(request).encode("utf-8", "surrogatepass")
    except ValueError:  # an integer too long to write
        return
    check(route, body)
