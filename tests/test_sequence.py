"""Sequence mode: tracking, joints carried across frames, steadying without moving given joints, seeded
alternatives along a track, natural frame order, and ``complete --sequence``."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import flat, run_cli, triples, write_json

from lib_posefill import PoseFillError, complete_document, complete_sequence
from lib_posefill.baselines import MeanPoseFiller
from lib_posefill.sequence.order import natural_key
from lib_posefill.sequence.steady import keep_sides
from lib_posefill.skeleton import L_ANKLE, L_KNEE, NECK, NUM_JOINTS, R_ANKLE, R_KNEE
from posefill_dev.synthetic import body

W, H = 512, 768
LEGS = [R_KNEE, R_ANKLE, L_KNEE, L_ANKLE]


def frame(*people: np.ndarray, width: int = W, height: int = H) -> dict:
    """A document with these people (18, 2), each joint present when inside the canvas."""
    docs = []
    for xy in people:
        seen = ((xy >= 0) & (xy < (width, height))).all(1)
        docs.append({"pose_keypoints_2d": flat(xy, seen)})
    return {"people": docs, "canvas_width": width, "canvas_height": height}


def bodies(out: dict) -> list[np.ndarray]:
    return [triples(p) for p in out["people"]]


class NoisyFiller(MeanPoseFiller):
    """The mean pose fitted to each person, trembling: fresh noise on every row of every call."""

    name = "noisy"

    def __init__(self, sigma: float = 8.0) -> None:
        super().__init__()
        self.sigma = sigma
        self.rng = np.random.default_rng(0)

    def predict(self, xy, present, frame, seeds):
        out = super().predict(xy, present, frame, seeds)
        return out + self.rng.normal(0, self.sigma, out.shape).astype(np.float32)


class TwoKindsFiller(MeanPoseFiller):
    """Seeded rows get one of two very different leg poses, picked per row (as a hypothesis pick may jump)."""

    name = "two kinds"
    SHIFT = np.array([[120.0, 0.0], [-120.0, 0.0]])

    def predict(self, xy, present, frame, seeds):
        out = super().predict(xy, present, frame, seeds)
        pick = (np.round(xy.sum((1, 2))).astype(np.int64) % 2)[:, None]
        for j in LEGS:
            out[:, j] += np.where(seeds[:, None] >= 0, self.SHIFT[pick[:, 0]], 0.0)
        return out


def jitter(path: np.ndarray) -> float:
    return float(np.linalg.norm(path[2:] - 2 * path[1:-1] + path[:-2], axis=-1).mean())


def test_tracks_follow_people_through_crossing_loss_and_shuffled_order():
    rng = np.random.default_rng(1)
    frames, truth = [], []  # truth: per frame, the true person (0, 1, 2) of each document slot
    for t in range(30):
        people = {0: body(60 + 14 * t, 80, 560), 1: body(460 - 14 * t, 140, 460)}
        if 10 <= t < 20:
            people[2] = body(256, 20, 300)  # appears, then leaves
        if 14 <= t < 17:
            del people[0]  # the detector lost person 0 for three frames, while crossing
        order = rng.permutation(list(people))
        frames.append(frame(*(people[k] + rng.normal(0, 1.5, (NUM_JOINTS, 2)) for k in order)))
        truth.append(list(order))
    frames[25] = {"people": [], "canvas_width": W, "canvas_height": H}
    truth[25] = []
    out = complete_sequence(frames, filler=MeanPoseFiller())
    ids: dict[int, set] = {0: set(), 1: set(), 2: set()}
    for doc, who in zip(out, truth):
        assert len(doc["people"]) == len(who)
        for person, k in zip(doc["people"], who):
            ids[k].add(person["posefill"]["track"])
    assert all(len(v) == 1 for v in ids.values()), ids
    assert len(set.union(*ids.values())) == 3
    assert out[25] == frames[25]


@pytest.mark.parametrize("seed", [None, 3])
def test_given_joints_never_move(filler, seed):
    rng = np.random.default_rng(2)
    frames = [frame(body(200 + 3 * t, 40, 1000) + rng.normal(0, 2, (NUM_JOINTS, 2))) for t in range(40)]
    out = complete_sequence(frames, {"seed": seed}, filler=filler)
    for doc_in, doc_out in zip(frames, out):
        given, done = triples(doc_in["people"][0]), triples(doc_out["people"][0])
        seen = given[:, 2] > 0
        assert np.array_equal(done[seen, :2], given[seen, :2])
        filled = doc_out["people"][0]["posefill"]["filled"]
        assert filled and not seen[filled].any()
        assert set(LEGS) <= set(filled) | set(np.flatnonzero(seen).tolist())


def test_joints_seen_in_other_frames_are_carried_with_the_body():
    """Legs seen while the person stood back fill the frames after they left the picture, moved with the body;
    the filler's own (here deliberately wrong) legs are not used there."""

    class WrongLegs(MeanPoseFiller):
        def predict(self, xy, present, frame, seeds):
            out = super().predict(xy, present, frame, seeds)
            out[:, LEGS] += 300.0
            return out

    poses = [body(150 + 6 * t, 20 + (0 if t < 8 else 25 * (t - 7)), 560) for t in range(16)]
    frames = [frame(p, height=600) for p in poses]
    assert triples(frames[15]["people"][0])[LEGS, 2].sum() == 0  # legs below the picture by then
    out = complete_sequence(frames, filler=WrongLegs())
    for t in (9, 12, 15):
        legs = triples(out[t]["people"][0])[LEGS, :2]
        assert np.abs(legs - poses[t][LEGS]).max() < 0.03 * 560
    ankles = [R_ANKLE, L_ANKLE]
    plain = triples(complete_document(frames[12], filler=WrongLegs())["people"][0])[ankles, :2]
    assert np.abs(plain - poses[12][ankles]).min() > 250  # per frame, the filler's legs


def test_filled_joints_are_steadied_along_time():
    poses = [body(256 + 80 * np.sin(t / 15), 40, 1100) for t in range(60)]
    frames = [frame(p) for p in poses]
    seq = complete_sequence(frames, filler=NoisyFiller())
    per = complete_document(frames, filler=NoisyFiller())
    for j in LEGS:
        steady = jitter(np.array([triples(d["people"][0])[j, :2] for d in seq]))
        trembling = jitter(np.array([triples(d["people"][0])[j, :2] for d in per]))
        assert steady < 0.2 * trembling
        truth = jitter(np.array([p[j] for p in poses]))
        assert steady < truth + 1.0


def test_a_seeded_alternative_keeps_one_kind_of_legs_along_a_track():
    frames = [frame(body(200 + 2 * t, 40, 1100)) for t in range(30)]
    best = complete_sequence(frames, filler=TwoKindsFiller())
    alt = complete_sequence(frames, {"seed": 5}, filler=TwoKindsFiller())
    per = complete_document(frames, {"seed": 5}, filler=TwoKindsFiller())
    offsets = np.array(
        [triples(a["people"][0])[R_KNEE, 0] - triples(b["people"][0])[R_KNEE, 0] for a, b in zip(alt, best)]
    )
    assert np.abs(np.abs(offsets) - 120).max() < 10 and len(set(np.sign(offsets))) == 1
    per_offsets = [triples(a["people"][0])[R_KNEE, 0] - triples(b["people"][0])[R_KNEE, 0] for a, b in zip(per, best)]
    assert len(set(np.sign(np.round(per_offsets)))) == 2  # per frame, the kind of legs jumps


def test_keep_sides_swaps_back_a_limb_flipped_in_one_frame():
    steps = 21
    est = np.zeros((steps, NUM_JOINTS, 2))
    est[:, R_KNEE], est[:, L_KNEE] = (-30.0, 100.0), (30.0, 100.0)
    est[:, R_ANKLE], est[:, L_ANKLE] = (-30.0, 200.0), (30.0, 200.0)
    est[10, [R_KNEE, L_KNEE, R_ANKLE, L_ANKLE]] = est[10, [L_KNEE, R_KNEE, L_ANKLE, R_ANKLE]]
    estimated = np.zeros((steps, NUM_JOINTS), dtype=bool)
    estimated[:, LEGS] = True
    out = keep_sides(est, estimated, np.full(steps, 100.0))
    assert out[10, R_KNEE, 0] < 0 < out[10, L_KNEE, 0] and out[10, R_ANKLE, 0] < 0 < out[10, L_ANKLE, 0]
    assert np.array_equal(out[9], est[9])
    estimated[10, R_KNEE] = False  # a given joint is never swapped
    assert keep_sides(est, estimated, np.full(steps, 100.0))[10, R_KNEE, 0] == est[10, R_KNEE, 0]


def test_canvases_that_differ_are_the_same_picture_at_another_size():
    poses = [body(150 + 5 * t, 40, 1000) for t in range(20)]
    frames = [frame(p) if t % 3 else frame(2 * p, width=2 * W, height=2 * H) for t, p in enumerate(poses)]
    out = complete_sequence(frames, filler=MeanPoseFiller())
    assert {d["people"][0]["posefill"]["track"] for d in out} == {0}
    for doc_in, doc_out in zip(frames, out):
        assert doc_out["canvas_width"] == doc_in["canvas_width"]
        given = triples(doc_in["people"][0])
        assert np.array_equal(triples(doc_out["people"][0])[given[:, 2] > 0, :2], given[given[:, 2] > 0, :2])


def test_framing_fit_moves_every_frame_the_same_way():
    poses = [body(150 + 5 * t, 40, 1000) for t in range(12)]
    out = complete_sequence([frame(p) for p in poses], {"framing": "fit"}, filler=MeanPoseFiller())
    necks = np.array([triples(d["people"][0])[NECK, :2] for d in out])
    scale = (necks[-1, 0] - necks[0, 0]) / (poses[-1][NECK, 0] - poses[0][NECK, 0])
    assert 0.3 < scale < 1.0
    assert np.allclose(necks - necks[0], scale * (np.array([p[NECK] for p in poses]) - poses[0][NECK]), atol=1e-6)


def test_shapes_empty_and_single_document():
    assert complete_sequence([], filler=MeanPoseFiller()) == []
    one = complete_sequence(frame(body(256, 40, 1000)), filler=MeanPoseFiller())
    assert isinstance(one, dict) and one["people"][0]["posefill"]["track"] == 0
    no_body = {
        "people": [{"pose_keypoints_2d": None, "face_keypoints_2d": [1.0, 2.0, 1.0]}],
        "canvas_width": W,
        "canvas_height": H,
    }
    assert complete_sequence([no_body], filler=MeanPoseFiller())[0]["people"][0]["posefill"]["track"] is None


def test_natural_name_order():
    names = ["frame_10.json", "frame_2.json", "Frame_1.json", "frame_002.json", "frame_1b.json", "a.json"]
    assert sorted(names, key=natural_key) == [
        "a.json",
        "Frame_1.json",
        "frame_1b.json",
        "frame_002.json",
        "frame_2.json",
        "frame_10.json",
    ]


def test_cli_sequence_folder_in_natural_order_and_a_list_file(tmp_path):
    src = tmp_path / "frames"
    for t in range(12):  # 40 px per frame: in name order frame_1, frame_10, frame_11 ... the person would jump
        write_json(src / f"frame_{t + 1}.json", frame(body(40 + 40 * t, 40, 1000)))
    done = run_cli("complete", str(src), "-o", str(tmp_path / "out"), "--sequence")
    assert done.returncode == 0, done.stderr
    tracks = {json.loads(p.read_text())["people"][0]["posefill"]["track"] for p in (tmp_path / "out").glob("*.json")}
    assert tracks == {0}
    plain = run_cli("complete", str(src), "-o", str(tmp_path / "plain"))
    assert (
        plain.returncode == 0
        and "track" not in json.loads((tmp_path / "plain/frame_3.json").read_text())["people"][0]["posefill"]
    )

    listed = write_json(tmp_path / "clip.json", [frame(body(100 + 10 * t, 40, 1000)) for t in range(8)])
    done = run_cli("complete", str(listed), "-o", str(tmp_path / "clip_out.json"), "--sequence")
    assert done.returncode == 0, done.stderr
    out = json.loads((tmp_path / "clip_out.json").read_text())
    assert isinstance(out, list) and len(out) == 8 and {d["people"][0]["posefill"]["track"] for d in out} == {0}


def test_a_long_sequence_is_filled_in_bounded_chunks(monkeypatch):
    calls: list[int] = []

    class Counting(MeanPoseFiller):
        def predict(self, xy, present, frame, seeds):
            calls.append(len(xy))
            return super().predict(xy, present, frame, seeds)

    frames = [frame(body(150 + 5 * t, 40, 1000)) for t in range(10)]
    whole = complete_sequence(frames, filler=Counting())
    assert len(calls) == 1 and calls[0] >= 10  # every frame in one call
    rows = calls.pop()
    monkeypatch.setattr("lib_posefill.completion.CHUNK_ROWS", 4)
    assert complete_sequence(frames, filler=Counting()) == whole
    assert calls == [4] * (rows // 4) + ([rows % 4] if rows % 4 else [])


def test_a_failing_fill_leaves_every_frame_unrepaired_with_its_track(caplog):
    class Broken(MeanPoseFiller):
        def predict(self, xy, present, frame, seeds):
            raise RuntimeError("model exploded")

    frames = [frame(body(150 + 5 * t, 40, 1000)) for t in range(6)]
    out = complete_sequence(frames, filler=Broken())
    for doc_in, doc_out in zip(frames, out):
        record = doc_out["people"][0]["posefill"]
        assert record["filled"] == [] and "model exploded" in record["skipped"] and record["track"] == 0
        given = triples(doc_in["people"][0])
        assert np.array_equal(triples(doc_out["people"][0])[:, :2], np.where(given[:, 2:] > 0, given[:, :2], 0))
    assert "fill failed" in caplog.text


def test_frames_of_another_shape_are_refused_naming_the_first(tmp_path):
    """A clip exported at two aspect ratios (a crop) cannot be placed in one picture: refused, never filled with
    legs drawn in a squashed picture (which put knees above the hips)."""
    poses = [body(150 + 5 * t, 40, 1000) for t in range(12)]
    frames = [frame(p) if t < 7 else frame(p, width=W, height=H * 3 // 4) for t, p in enumerate(poses)]
    with pytest.raises(PoseFillError, match=r"^\[7\]: canvas 512x576 has another shape than the first frame's 512x768"):
        complete_sequence(frames, filler=MeanPoseFiller())
    src = tmp_path / "frames"
    for t, doc in enumerate(frames):
        write_json(src / f"frame_{t + 1}.json", doc)
    done = run_cli("complete", str(src), "-o", str(tmp_path / "out"), "--sequence")
    assert done.returncode == 1 and not list((tmp_path / "out").glob("*.json"))
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"{src / 'frame_8.json'}: canvas 512x576 has")
    listed = write_json(tmp_path / "clip.json", frames)
    done = run_cli("complete", str(listed), "-o", str(tmp_path / "clip_out.json"), "--sequence")
    assert done.returncode == 1 and done.stderr.startswith(f"{listed}: [7]: canvas 512x576") and done.stderr[-1] == "\n"
    assert not (tmp_path / "clip_out.json").exists()
    resized = [frame(p) if t % 2 else frame(2 * p, width=2 * W, height=2 * H) for t, p in enumerate(poses)]
    assert len(complete_sequence(resized, filler=MeanPoseFiller())) == 12  # the same shape at another size: fine


def test_suspicious_refill_replaces_a_parked_knee_in_a_clip(filler):
    """As for single documents: the knee parked on the other knee in frame 1 is taken out, filled near where the
    other frames saw it and listed in ``replaced``; with keep it stays; no other given joint moves."""
    truth = body(256, 60, 600)
    parked = truth.copy()
    parked[R_KNEE] = parked[L_KNEE]
    frames = [frame(truth), frame(parked), frame(truth)]
    out = complete_sequence(frames, {"suspicious": "refill"}, filler=filler)
    records = [f["people"][0]["posefill"] for f in out]
    assert [r["replaced"] for r in records] == [[], [R_KNEE], []]
    knee = bodies(out[1])[0][R_KNEE, :2]
    assert np.linalg.norm(knee - truth[R_KNEE]) < np.linalg.norm(parked[R_KNEE] - truth[R_KNEE]) / 2
    others = np.arange(NUM_JOINTS) != R_KNEE
    assert (bodies(out[1])[0][others, :2] == parked[others]).all()
    kept = complete_sequence(frames, filler=filler)
    assert "replaced" not in kept[1]["people"][0]["posefill"]
    assert (bodies(kept[1])[0][R_KNEE, :2] == parked[R_KNEE]).all()
