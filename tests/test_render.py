"""The renderer against ControlNet's documented OpenPose drawing rules (annotator/openpose/util.py in
sd-webui-controlnet): black canvas of the document's size; limbs as filled ellipses of half-width 4 in the
joint colours times 0.6 (earlier people keep their colours); joints as discs of radius 4 in full colour;
hand bones 2 px wide in HSV rainbow colours (edge i of 20 at hue i/20) with blue discs of radius 4; face points
as white discs of radius 3; hand and face points whose integer x or y is below 1 are not drawn."""

from __future__ import annotations

import colorsys
import math

import cv2
import numpy as np
import pytest

from lib_posefill import Options, complete_document
from lib_posefill.document import parse_documents
from lib_posefill.render import draw_before_after, draw_document, render_document
from lib_posefill.skeleton import COLORS, LIMBS, NUM_JOINTS
from posefill_dev.synthetic import body

BLACK = [0, 0, 0]


def doc_with(body_xy=None, seen=None, width=400, height=300, **parts):
    person = {"pose_keypoints_2d": None}
    if body_xy is not None:
        seen = np.ones(len(body_xy), bool) if seen is None else seen
        person["pose_keypoints_2d"] = [v for p, s in zip(body_xy, seen) for v in ((*p, 1.0) if s else (0, 0, 0))]
    for key, pts in parts.items():
        person[key] = [v for p in pts for v in (*p, 1.0)]
    return {"people": [person], "canvas_width": width, "canvas_height": height}


def px(image, x, y):
    return image[int(y), int(x)].tolist()


def test_canvas_size_and_black_background():
    image = render_document({"people": [], "canvas_width": 300, "canvas_height": 200})
    assert image.shape == (200, 300, 3) and image.dtype == np.uint8 and not image.any()


def test_joint_discs_in_full_colour():
    xy = body(256, 60, 600)
    doc = doc_with(xy, width=512, height=768)
    image = render_document(doc)
    for j in range(NUM_JOINTS):
        x, y = int(xy[j, 0]), int(xy[j, 1])
        assert px(image, x, y) == list(COLORS[j]), j


@pytest.mark.parametrize("limb", range(len(LIMBS)))
def test_limb_colour_and_stick_width(limb):
    a, b = LIMBS[limb]
    xy = np.zeros((NUM_JOINTS, 2))
    seen = np.zeros(NUM_JOINTS, bool)
    xy[a], xy[b] = (100, 150), (300, 150)  # horizontal, 200 px long
    seen[[a, b]] = True
    image = render_document(doc_with(xy, seen))
    limb_colour = (np.array(COLORS[limb]) * 0.6).astype(np.uint8).tolist()
    assert px(image, 200, 150) == limb_colour
    assert px(image, 200, 150 + 3) == limb_colour and px(image, 200, 150 - 3) == limb_colour
    assert px(image, 200, 150 + 6) == BLACK and px(image, 200, 150 - 6) == BLACK
    assert px(image, 100, 150) == list(COLORS[a]) and px(image, 300, 150) == list(COLORS[b])
    assert px(image, 100 - 8, 150) == BLACK and px(image, 300 + 8, 150) == BLACK


def test_earlier_people_keep_their_colours():
    """sd-webui-controlnet and Forge dim the limb colour (util.draw_bodypose), not the canvas drawn so far."""
    first = np.zeros((NUM_JOINTS, 2))
    first[0], first[1] = (50, 50), (50, 120)  # nose and neck: one limb
    first_seen = np.zeros(NUM_JOINTS, bool)
    first_seen[[0, 1]] = True
    second = np.zeros((NUM_JOINTS, 2))
    second[0] = (200, 200)
    second_seen = np.zeros(NUM_JOINTS, bool)
    second_seen[0] = True
    doc = doc_with(first, first_seen)
    doc["people"].append(doc_with(second, second_seen)["people"][0])
    image = render_document(doc)
    assert px(image, 50, 50) == list(COLORS[0])  # drawn before the second person, still in full colour
    assert px(image, 50, 85) == (np.array(COLORS[LIMBS.index((1, 0))]) * 0.6).astype(np.uint8).tolist()
    assert px(image, 200, 200) == list(COLORS[0])


def test_hand_bones_and_joints():
    wrist = np.array([50.0, 150.0])
    pts = [wrist]
    for f in range(5):
        direction = np.array([math.cos((f - 2) * 0.5), math.sin((f - 2) * 0.5)])
        pts += [wrist + direction * 40 * (k + 1) for k in range(4)]
    image = render_document(doc_with(hand_right_keypoints_2d=pts))
    edges = [(0, 1), (1, 2), (2, 3), (3, 4)]
    for f in range(5):
        for k, (a, b) in enumerate(edges):
            i = 4 * f + k
            a, b = (0 if a == 0 else 4 * f + a), 4 * f + b
            hue = colorsys.hsv_to_rgb(i / 20, 1.0, 1.0)
            mid = (pts[a] + pts[b]) / 2
            assert px(image, *mid) == [round(c * 255) for c in hue], i
    assert px(image, *((pts[0] + pts[1]) / 2)) == [255, 0, 0]  # edge 0: red
    assert px(image, *((pts[0] + pts[9]) / 2)) == [0, 255, 102]  # edge 8: hue 0.4
    assert px(image, *((pts[10] + pts[11]) / 2)) == [0, 255, 255]  # edge 10: hue 0.5, cyan
    for p in pts:
        assert px(image, *p) == [0, 0, 255]


def test_hand_and_face_points_left_of_one_pixel_are_not_drawn():
    image = render_document(doc_with(face_keypoints_2d=[(0.5, 100), (100, 100)], hand_left_keypoints_2d=[(0.9, 50)]))
    assert px(image, 100, 100) == [255, 255, 255]
    assert not image[:, :5].any()


def test_face_discs_radius_3():
    image = render_document(doc_with(face_keypoints_2d=[(100, 100)]))
    assert px(image, 100, 100) == [255, 255, 255] and px(image, 103, 100) == [255, 255, 255]
    assert px(image, 105, 100) == BLACK
    assert {tuple(v) for v in image[image.any(-1)]} == {(255, 255, 255)}


def test_normalised_and_pixel_documents_draw_the_same():
    xy = body(256, 60, 600)
    pixel = doc_with(xy, width=512, height=768)
    norm = doc_with(xy / (512, 768), width=512, height=768)
    np.testing.assert_array_equal(render_document(pixel), render_document(norm))


def test_preview_rings_filled_joints_and_extend_shows_outside(filler):
    xy = body(256, 60, 1000)
    seen = ((xy >= 0) & (xy < (512, 768))).all(1)
    out = complete_document(doc_with(xy, seen, width=512, height=768), filler=filler)
    doc = parse_documents(out, Options(coords="pixel"))[0][0]
    plain = draw_document(doc)
    preview = draw_document(doc, style="preview")
    assert plain.shape == preview.shape == (768, 512, 3)
    filled = out["people"][0]["posefill"]["filled"]
    inside = [j for j in filled if 0 <= doc.people[0].body.xy[j, 1] < 760]
    for j in inside:
        x, y = doc.people[0].body.xy[j]
        assert px(preview, x + 8, y) == [255, 255, 255] and px(plain, x + 8, y) != [255, 255, 255]
    extended = draw_document(doc, extend=True)
    low = doc.people[0].body.xy[filled, 1].max()
    assert low > 768 and extended.shape[0] >= low + 4
    pair = draw_before_after(parse_documents(doc_with(xy, seen, width=512, height=768), Options())[0][0], doc)
    assert pair.shape[0] == extended.shape[0] and pair.shape[1] > 2 * extended.shape[1]


def test_bad_style_and_huge_canvas_are_errors():
    from lib_posefill import PoseFillError

    doc = parse_documents({"people": [], "canvas_width": 10, "canvas_height": 10}, Options())[0][0]
    with pytest.raises(PoseFillError, match="style"):
        draw_document(doc, style="neon")
    with pytest.raises(PoseFillError, match="^canvas_width: expected a whole number of pixels from 1 to 16384"):
        parse_documents({"people": [], "canvas_width": 10**6, "canvas_height": 10}, Options())
    huge = parse_documents({"people": [], "canvas_width": 8000, "canvas_height": 8000}, Options())[0][0]
    with pytest.raises(PoseFillError, match="^canvas: the image would be 8000x8000 pixels, over the 16,777,216-pixel"):
        draw_document(huge)
    with pytest.raises(PoseFillError, match="^document: an empty list holds no document to draw$"):
        render_document([])


def reference_bodypose(canvas, xy, present):
    """ControlNet's draw_bodypose step by step, one limb at a time in Python (the spec the batched drawing keeps)."""
    for (a, b), color in zip(LIMBS, COLORS):
        if present[a] and present[b]:
            (x1, y1), (x2, y2) = xy[a].tolist(), xy[b].tolist()
            length, angle = math.hypot(x1 - x2, y1 - y2), math.degrees(math.atan2(y1 - y2, x1 - x2))
            polygon = cv2.ellipse2Poly(
                (int((x1 + x2) / 2), int((y1 + y2) / 2)), (int(length / 2), 4), int(angle), 0, 360, 1
            )
            cv2.fillConvexPoly(canvas, polygon, [int(float(c) * 0.6) for c in color])
    for (x, y), seen, color in zip(xy.tolist(), present, COLORS):
        if seen:
            cv2.circle(canvas, (int(x), int(y)), 4, color, thickness=-1)


@pytest.mark.parametrize("seed", range(4))
def test_many_bodies_are_drawn_exactly_as_one_limb_at_a_time(seed):
    rng = np.random.default_rng(seed)
    n = 60
    xy = rng.uniform(-40, 340, (n, NUM_JOINTS, 2))
    xy[: n // 3] = np.round(xy[: n // 3])  # whole pixels: 45-degree limbs and even lengths happen
    xy[n // 3 : n // 2, :, 1] = xy[n // 3 : n // 2, :, 0]  # exactly diagonal
    present = rng.random((n, NUM_JOINTS)) < 0.8
    doc = parse_documents(
        {
            "people": [
                {"pose_keypoints_2d": [v for p, s in zip(body, seen) for v in ((*p, 1.0) if s else (0, 0, 0))]}
                for body, seen in zip(xy.tolist(), present)
            ],
            "canvas_width": 300,
            "canvas_height": 300,
        },
        Options(coords="pixel"),
    )[0][0]
    expected = np.zeros((300, 300, 3), np.uint8)
    for person in doc.people:
        reference_bodypose(expected, person.body.xy, person.body.present)
    assert np.array_equal(draw_document(doc), expected)
