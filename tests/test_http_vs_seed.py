"""Smoke test of the paired HTTP benchmark (``posefill_dev.benchmarks.http_vs_seed``): the three services (PoseFill,
the seed, the transport floor) start on 127.0.0.1, answer a few requests correctly, and the report has its fields.
No timing is asserted."""

from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("torch")
pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from posefill_dev.benchmarks import http_vs_seed  # noqa: E402


def test_the_three_services_answer_and_the_report_has_its_fields():
    report = http_vs_seed.run(requests=3, max_seconds=20, sizes=(1, 5))
    assert report["requests"] == 3 and set(report["sizes"]) == {1, 5}
    for n, row in report["sizes"].items():
        assert set(row) == {"posefill_ms", "seed_ms", "speedup", "floor_ms", "pairs", "target"}
        assert 1 <= row["pairs"] <= 3 and row["posefill_ms"] > 0 and row["seed_ms"] > 0 and row["floor_ms"] > 0
        assert row["speedup"] == pytest.approx(row["seed_ms"] / row["posefill_ms"])
        assert row["target"] == http_vs_seed.TARGETS.get(n)


def test_a_connection_left_idle_while_the_other_services_start_still_answers():
    service = http_vs_seed.Service("floor", "/posefill/v1/version")
    try:
        time.sleep(6)  # longer than uvicorn's default keep-alive (5 s), which closed it under a busy CI
        assert service.request("GET", "/posefill/v1/version")[0] == 200
    finally:
        service.close()


def test_the_two_requests_carry_the_same_people():
    posefill, seed = (json.loads(body) for body in http_vs_seed.bodies(4, seed=1))
    people = posefill["pose"]["people"]
    assert len(people) == len(seed["keypoints"]) == 4
    for person, points in zip(people, seed["keypoints"]):
        triples = [person["pose_keypoints_2d"][3 * j : 3 * j + 3] for j in range(18)]
        assert [c > 0 for _, _, c in triples] == [p["visible"] for p in points]
        assert [(x, y) for x, y, c in triples if c > 0] == [(p["x"], p["y"]) for p in points if p["visible"]]


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (http_vs_seed.check_posefill, {"pose": {"people": [{"pose_keypoints_2d": [0] * 54}]}}),  # no record
        (http_vs_seed.check_posefill, {"pose": {"people": []}}),
        (http_vs_seed.check_seed, {"keypoints": [[{"x": 0, "y": 0, "visible": True}] * 17]}),
    ],
)
def test_wrong_answers_are_caught(check, answer):
    with pytest.raises(RuntimeError):
        check(1, 200, json.dumps(answer).encode())
