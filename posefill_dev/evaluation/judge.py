"""Training the learned judge of detected joints (models/suspicious.onnx, ``lib_posefill.suspicion_model``).

Data: COCO train people, cut and occluded as the evaluation families do (plus whole bodies), each DRAWS times,
each time given detector jitter (JITTER) and, for 60 % of them, one error broader than the evaluation's (so the judge learns what is wrong, not one
recipe): a joint moved 0.7-4 torso lengths; a joint parked on another joint (or up to 0.08 torso lengths off it);
an elbow, wrist, knee or ankle exchanged with its twin. Every person is also seen mirrored (left and right labels
exchanged), so the judge treats both sides alike. Targets: per joint whether it was made wrong (both twins of a
swap), per twin pair whether it was exchanged. The inputs are the runtime's own (``suspicious.screen`` with the
shipped completion model, then ``suspicious.judge_inputs``).

A fixed share of train people (``training.data.train_split``) is never trained on: ``evaluation.suspicious``
chooses the judge's thresholds there. Nothing from val is used. It lives beside the evaluation because it builds
its people as the evaluation's families do.

    python -m posefill_dev.evaluation.judge DATA [--out models/suspicious.onnx] [--draws N] [--steps N]
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from lib_posefill.skeleton import MIRROR, NUM_JOINTS
from lib_posefill.suspicion_model import FEATURES, TWINS

HIDDEN = 384
DRAWS = 8
"""Each train person is cut, jittered and given an error this many times (seeds seed, seed + 1, ...). With one
draw the judge learnt its people by heart (a longer run got surer on clean people, not better); with 3, 5 and 8
(and more steps) it touched fewer clean calibration people at the same catch (``evaluation.suspicious --grid 2``)."""
STEPS = 50_000
KINDS = ("clean", "moved", "parked", "exchanged")
KIND_SHARE = (0.4, 0.2, 0.2, 0.2)
JITTER = (0.005, 0.1)
"""Detector jitter on every joint: a standard deviation per person, log-uniform between these torso lengths (a
close-up from a strong detector .. a small, blurred person), so noise alone never looks wrong."""


def inject(cases, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Detections with jitter and at most one error each; per joint wrong (N, 18); per twin pair exchanged (N, 4)."""
    xy, present, torso = cases.truth.copy(), cases.present, cases.torso
    n = len(xy)
    jitter = np.exp(rng.uniform(*np.log(JITTER), n)) * torso
    xy += rng.normal(0.0, 1.0, xy.shape) * jitter[:, None, None]
    wrong, exchanged = np.zeros((n, NUM_JOINTS), bool), np.zeros((n, len(TWINS)), bool)
    kind = rng.choice(len(KINDS), n, p=KIND_SHARE)
    for i in np.flatnonzero(kind > 0):
        given = np.flatnonzero(present[i])
        far = np.linalg.norm(xy[i, :, None] - xy[i, None], axis=-1) >= 0.2 * torso[i]
        if KINDS[kind[i]] == "exchanged":
            pairs = [k for k, p in enumerate(TWINS) if present[i, list(p)].all() and far[p]]
            if pairs:
                k = pairs[rng.integers(len(pairs))]
                a, b = TWINS[k]
                xy[i, [a, b]] = xy[i, [b, a]]
                wrong[i, [a, b]] = exchanged[i, k] = True
            continue
        j = rng.choice(given)
        angle = rng.uniform(0, 2 * np.pi)
        direction = np.array([np.cos(angle), np.sin(angle)])
        if KINDS[kind[i]] == "moved":
            xy[i, j] += rng.uniform(0.7, 4.0) * torso[i] * direction
        else:
            others = [m for m in given if m != j and far[j, m]]
            if not others:
                continue
            xy[i, j] = xy[i, rng.choice(others)] + rng.uniform(0.0, 0.08) * torso[i] * direction
        wrong[i, j] = True
    return xy, wrong, exchanged


def dataset(filler, people, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (2N, FEATURES) and targets (2N, 18 + 4) for ``people`` (each also mirrored): one draw of cuts,
    jitter and errors."""
    from lib_posefill.suspicious import judge_inputs, screen

    from .report import mirrored
    from .suspicious import all_cases, concat

    cases = concat(all_cases(people, seed))
    xy, wrong, exchanged = inject(cases, np.random.default_rng(seed))
    flipped = mirrored(replace(cases, truth=xy))  # labels follow; twin pair k is still pair k
    rows, targets = [], []
    # the flip is about the frame's middle, so the frame is the same (the original, not recomputed from the axis)
    for x, p, w in ((xy, cases.present, wrong), (flipped.truth, flipped.present, wrong[:, list(MIRROR)])):
        rows.append(judge_inputs(x, p, cases.frame, screen(filler, x, p, cases.frame)))
        targets.append(np.concatenate([w, exchanged], 1).astype(np.float32))
    return np.concatenate(rows), np.concatenate(targets)


def fit_judge(x: np.ndarray, y: np.ndarray, steps: int, seed: int = 0, hidden: int = HIDDEN) -> dict[str, np.ndarray]:
    """A two-hidden-layer MLP (GELU, dropout 0.1) trained with binary cross-entropy; weights as numpy arrays, the
    input standardisation folded into the first layer."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    mu, sd = x.mean(0), x.std(0) + 1e-3
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], hidden),
        torch.nn.GELU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(hidden, hidden),
        torch.nn.GELU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(hidden, y.shape[1]),
    )
    opt = torch.optim.AdamW(net.parameters(), 1e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, total_steps=steps)
    gen = torch.Generator().manual_seed(seed)
    for step in range(steps):
        batch = torch.randint(0, len(x), (1024,), generator=gen)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(net((x[batch] - mu) / sd), y[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
        if step % 2000 == 0 or step == steps - 1:
            print(f"step {step}: loss {loss.item():.4f}", flush=True)
    w = {
        f"l{k}.{p}": t.detach().numpy().astype(np.float64)
        for k, layer in zip((0, 1, 2), net[::3])
        for p, t in layer.named_parameters()
    }
    w["l0.bias"] = w["l0.bias"] - w["l0.weight"] @ (mu / sd).numpy()
    w["l0.weight"] = w["l0.weight"] / sd.numpy()[None]
    return {k: v.astype(np.float32) for k, v in w.items()}


def judge_onnx(weights: dict[str, np.ndarray]) -> bytes:
    """The judge as an ONNX graph: ``features`` (N, FEATURES) -> ``wrong`` (N, 22) probabilities."""
    from onnx import TensorProto, helper

    from ..training.export import IR_VERSION, OPSET, Graph

    inits: list = []
    g = Graph(weights, inits)
    h = g.gelu(g.linear("features", "l0"), "a0")
    h = g.gelu(g.linear(h, "l1"), "a1")
    g.op("Sigmoid", [g.linear(h, "l2")], "wrong")
    width = weights["l2.bias"].shape[0]
    graph = helper.make_graph(
        g.nodes,
        "posefill-suspicion",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", FEATURES])],
        [helper.make_tensor_value_info("wrong", TensorProto.FLOAT, ["N", width])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="posefill")
    model.ir_version = IR_VERSION
    return model.SerializeToString()


def main(argv: list[str] | None = None) -> int:
    import argparse

    from lib_posefill.errors import PoseFillError
    from lib_posefill.model import load_filler
    from lib_posefill.suspicion_model import MODEL_PATH

    from ..training.data import load_people, train_split

    parser = argparse.ArgumentParser(prog="python -m posefill_dev.evaluation.judge", description=__doc__.split("\n")[0])
    parser.add_argument("data", help="COCO 2017 keypoints folder or file")
    parser.add_argument("--out", default=str(MODEL_PATH), help="where to write the ONNX judge (default: %(default)s)")
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument(
        "--draws", type=int, default=DRAWS, help="draws of cuts, jitter and errors per person (default %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hidden", type=int, default=HIDDEN, help="units per hidden layer (default %(default)s)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        people = train_split(load_people(args.data, "train"), "fit")
    except PoseFillError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    filler = load_filler()
    draws = [dataset(filler, people, args.seed + k) for k in range(args.draws)]
    x, y = np.concatenate([x for x, _ in draws]), np.concatenate([y for _, y in draws])
    del draws
    print(f"{len(x):,} rows from {len(people):,} train people in {time.perf_counter() - start:.0f} s", flush=True)
    weights = fit_judge(x, y, args.steps, args.seed, args.hidden)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(judge_onnx(weights))
    print(f"wrote {args.out} in {time.perf_counter() - start:.0f} s in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
