"""The skeleton-image decoder on skeletons drawn by the core renderer (PNG and JPEG)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from tab_poses import body, document

from lib_posefill.decode import classify, decode_skeleton
from lib_posefill.document import parse_documents
from lib_posefill.options import Options
from lib_posefill.render import draw_document
from lib_posefill.skeleton import BODY_JOINT_RADIUS


def render(doc: dict) -> np.ndarray:
    return draw_document(parse_documents(doc, Options())[0][0])


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1]


def visible_share(reference: np.ndarray, xy: np.ndarray, joint: int) -> float:
    """How much of a joint's disc shows its own colour in the lossless render (others may cover it)."""
    cls, _ = classify(reference)
    disc = np.zeros(reference.shape[:2], np.uint8)
    cv2.circle(disc, (int(xy[0]), int(xy[1])), BODY_JOINT_RADIUS, 1, -1)
    return float(((cls == joint) & (disc > 0)).sum() / max(disc.sum(), 1))


def crowd(seed: int, n: int, width: int, height: int, drop: int) -> dict:
    rng = np.random.default_rng(seed)
    people = []
    for i in range(n):
        scale = min(height * 0.28, width / n * 0.45) * rng.uniform(0.75, 1.0)
        missing = rng.choice(18, drop, replace=False) if drop else ()
        people.append(body(rng, width * (i + 0.5) / n, height * 0.5, scale, missing))
    return document(people, width, height)


def compare(doc: dict, decoded: dict, reference: np.ndarray, tol: float) -> tuple[int, int]:
    """Match people left to right; assert positions; return (joints found, joints that should be)."""
    want = [np.asarray(p["pose_keypoints_2d"]).reshape(18, 3) for p in doc["people"]]
    want.sort(key=lambda k: k[k[:, 2] > 0, 0].min())
    got = [np.asarray(p["pose_keypoints_2d"]).reshape(18, 3) for p in decoded["people"]]
    assert len(got) == len(want)
    found = expected = 0
    for w, g in zip(want, got):
        for j in range(18):
            if w[j, 2] == 0:
                assert g[j, 2] == 0, f"joint {j} decoded but not drawn"
                continue
            if visible_share(reference, w[j, :2], j) < 0.6:
                continue  # mostly hidden under later discs
            expected += 1
            if g[j, 2] > 0:
                found += 1
                assert np.hypot(*(g[j, :2] - w[j, :2])) <= tol, f"joint {j} at {g[j, :2]}, drawn at {w[j, :2]}"
    return found, expected


@pytest.mark.parametrize(
    ("n", "width", "height", "drop", "seed"),
    [
        (1, 512, 768, 0, 0),
        (1, 768, 512, 4, 1),
        (1, 384, 384, 2, 2),
        (2, 1024, 1024, 2, 3),
        (2, 768, 512, 0, 4),
        (3, 1024, 768, 0, 5),
        (3, 768, 512, 3, 6),
    ],
)
def test_png_recovers_every_visible_joint(n, width, height, drop, seed):
    doc = crowd(seed, n, width, height, drop)
    image = render(doc)
    decoded = decode_skeleton(image)
    assert (decoded["canvas_width"], decoded["canvas_height"]) == (width, height)
    found, expected = compare(doc, decoded, image, tol=3.0)
    assert found == expected


@pytest.mark.parametrize(("n", "width", "height", "seed"), [(1, 512, 768, 10), (1, 768, 768, 11), (2, 1024, 768, 12)])
def test_jpeg_recovers_joints_within_a_few_pixels(n, width, height, seed):
    doc = crowd(seed, n, width, height, 2)
    image = render(doc)
    decoded = decode_skeleton(jpeg(image, 90))
    found, expected = compare(doc, decoded, image, tol=4.0)
    assert found >= 0.9 * expected


def test_people_come_out_whole_when_the_neck_is_missing():
    """Without a neck no limb joins arms, legs and head; the fragments still make one body."""
    rng = np.random.default_rng(7)
    doc = document([body(rng, 256, 300, 110, missing=(1,))], 512, 640)
    decoded = decode_skeleton(render(doc))
    assert len(decoded["people"]) == 1
    assert sum(1 for c in decoded["people"][0]["pose_keypoints_2d"][2::3] if c > 0) == 17


def test_blank_and_photo_like_images_have_no_people():
    assert decode_skeleton(np.zeros((64, 80, 3), np.uint8))["people"] == []
    noise = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    assert decode_skeleton(noise)["people"] == []


@pytest.mark.parametrize(
    ("factor", "interpolation"), [(2.0, cv2.INTER_LINEAR), (1.5, cv2.INTER_CUBIC), (0.6, cv2.INTER_AREA)]
)
def test_resized_renders(factor, interpolation):
    """Pose packs are often upscaled or shrunk after ControlNet drew them."""
    doc = crowd(20, 2, 768, 768, 1)
    image = render(doc)
    resized = cv2.resize(image, None, fx=factor, fy=factor, interpolation=interpolation)
    decoded = decode_skeleton(resized)
    for person in decoded["people"]:
        k = np.asarray(person["pose_keypoints_2d"]).reshape(18, 3)
        k[:, :2] = (k[:, :2] + 0.5) / factor - 0.5  # back to the original pixel grid
        person["pose_keypoints_2d"] = k.ravel().tolist()
    found, expected = compare(doc, decoded, image, tol=3.0)
    assert found >= expected - 1
