"""The learned judge of detected joints (models/suspicious.onnx): the shipped file loads and answers probabilities,
it tells a parked knee and exchanged ankles from a clean body, refill works on the rules alone without it, and the
training code writes a judge the runtime loads."""

from __future__ import annotations

import hashlib
import logging

import numpy as np
import pytest

from lib_posefill import suspicion_model
from lib_posefill.completion import complete_arrays
from lib_posefill.options import Options
from lib_posefill.skeleton import L_ANKLE, L_KNEE, L_WRIST, NUM_JOINTS, R_ANKLE, R_ELBOW, R_KNEE, R_WRIST
from lib_posefill.suspicion_model import FEATURES, TWINS, SuspicionModel
from lib_posefill.suspicious import judge_inputs, screen
from posefill_dev.synthetic import body

FRAME = np.array([[0.0, 0.0, 512.0, 768.0]])
ALL = np.ones((1, NUM_JOINTS), bool)


def standing() -> np.ndarray:
    return body(256, 60, 600, {R_WRIST: (-0.06, 0.0), L_WRIST: (0.06, 0.0), R_ELBOW: (-0.03, 0)})


def judged(filler, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows = judge_inputs(xy[None], ALL, FRAME, screen(filler, xy[None], ALL, FRAME))
    assert rows.shape == (1, FEATURES) and rows.dtype == np.float32 and np.isfinite(rows).all()
    return suspicion_model.suspicion_model()(rows)


def test_every_shipped_model_is_readable_by_the_oldest_onnxruntime_allowed():
    """IR version 8 at most: onnxruntime 1.17 (pyproject's floor) and the older ones WebUI installs carry read it;
    the judge was first written with onnx's default IR 14, which AUTOMATIC1111's onnxruntime refused."""
    onnx = pytest.importorskip("onnx")
    for path in sorted(suspicion_model.MODEL_PATH.parent.glob("*.onnx")):
        assert onnx.load(str(path), load_external_data=False).ir_version <= 8, path.name


def test_the_model_card_names_the_shipped_judge():
    card = (suspicion_model.MODEL_PATH.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    data = suspicion_model.MODEL_PATH.read_bytes()
    assert f"`suspicious.onnx`: {len(data):,} bytes, sha256 `{hashlib.sha256(data).hexdigest()}`" in card


def test_the_shipped_judge_answers_probabilities_for_every_joint_and_pair(filler):
    joint, pair = judged(filler, standing())
    assert joint.shape == (1, NUM_JOINTS) and pair.shape == (1, len(TWINS))
    assert ((joint >= 0) & (joint <= 1)).all() and ((pair >= 0) & (pair <= 1)).all()
    assert joint.max() < 0.5 and pair.max() < 0.5  # a clean standing body: nothing looks wrong


def test_the_judge_points_at_a_parked_knee_and_at_exchanged_ankles(filler):
    parked = standing()
    parked[R_KNEE] = parked[L_KNEE] + (1.0, 2.0)
    joint, _ = judged(filler, parked)
    assert joint[0, [R_KNEE, L_KNEE]].max() > 0.5 and joint[0, [R_KNEE, L_KNEE]].max() == joint[0].max()
    crossed = standing()
    crossed[R_ANKLE, 0] -= 40  # feet apart, then exchanged
    crossed[L_ANKLE, 0] += 40
    crossed[[R_ANKLE, L_ANKLE]] = crossed[[L_ANKLE, R_ANKLE]]
    _, pair = judged(filler, crossed)
    assert pair[0, TWINS.index((R_ANKLE, L_ANKLE))] == pair[0].max() > 0.5


def test_refill_works_on_the_rules_alone_without_the_judge(filler, monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(suspicion_model, "MODEL_PATH", tmp_path / "missing.onnx")
    suspicion_model.suspicion_model.cache_clear()
    try:
        xy = standing()
        truth = xy[R_WRIST].copy()
        xy[R_WRIST] += (-400.0, -100.0)  # flung far away: the rules alone catch it
        with caplog.at_level(logging.WARNING, logger="posefill"):
            done = complete_arrays(xy[None], ALL, FRAME, Options(suspicious="refill"), filler)
        assert done.replaced[0].tolist() == [j == R_WRIST for j in range(NUM_JOINTS)]
        assert np.linalg.norm(done.xy[0, R_WRIST] - truth) < 150
        assert "missing.onnx is missing: suspicious=refill uses its rules alone" in caplog.text
    finally:
        suspicion_model.suspicion_model.cache_clear()


def test_training_writes_a_judge_the_runtime_loads():
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from posefill_dev.evaluation.judge import fit_judge, judge_onnx

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, FEATURES)).astype(np.float32)
    y = (x[:, :22] > 0).astype(np.float32)  # something learnable
    weights = fit_judge(x, y, steps=300)
    model = judge_onnx(weights)
    assert pytest.importorskip("onnx").load_from_string(model).ir_version <= 8
    joint, pair = SuspicionModel(model)(x)
    assert joint.shape == (256, NUM_JOINTS) and pair.shape == (256, len(TWINS))
    assert ((joint > 0.5) == (y[:, :NUM_JOINTS] > 0.5)).mean() > 0.8  # it learned, through the exported graph
