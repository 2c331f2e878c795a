"""Drawing pose documents the way ControlNet draws its OpenPose conditioning image.

``style="controlnet"`` reproduces ControlNet's renderer (black background, its limb and joint colours
and widths, hands and face); ``style="preview"`` also rings the joints PoseFill filled, and
``extend=True`` grows the view so joints outside the canvas stay visible (the canvas edge is outlined).
"""

from __future__ import annotations

import colorsys
import math
import os
from fractions import Fraction
from typing import Any

import cv2
import numpy as np

from .document import BODY_KEY, Part, Person, PoseDocument, parse_documents, present_points
from .errors import PoseFillError, shown
from .files import write_bytes
from .framing import apply_framing, picture
from .limits import MAX_PIXELS
from .options import Options
from .skeleton import (
    BODY_JOINT_RADIUS,
    BODY_STICK_WIDTH,
    COLORS,
    DRAW_EPS,
    FACE_JOINT_COLOR,
    FACE_JOINT_RADIUS,
    HAND_EDGES,
    HAND_JOINT_COLOR,
    HAND_JOINT_RADIUS,
    HAND_LINE_WIDTH,
    JOINT_NAMES,
    LIMB_COLOR_SCALE,
    LIMBS,
)

HAND_EDGE_COLORS = tuple(
    tuple(round(c * 255) for c in colorsys.hsv_to_rgb(i / len(HAND_EDGES), 1.0, 1.0)) for i in range(len(HAND_EDGES))
)
FILLED_RING_COLOR = (255, 255, 255)
FILLED_RING_RADIUS = 8
FRAME_COLOR = (96, 96, 96)
FAR = 2**26
"""Pixels: drawing stops here (OpenCV takes 32-bit coordinates). A limb reaching further is cut at this distance,
a joint further away is not drawn; every image PoseFill draws is far smaller (MAX_PIXELS)."""
LIMB_STYLE = tuple(
    (a, b, tuple(int(float(c) * LIMB_COLOR_SCALE) for c in color)) for (a, b), color in zip(LIMBS, COLORS)
)
"""(joint a, joint b, colour) of each limb; ControlNet dims the joint colour with ``int(float(c) * 0.6)``."""


def _near(x: float, y: float) -> bool:
    return -FAR < x < FAR and -FAR < y < FAR


def _clip(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float, float, float] | None:
    """The part of a segment within FAR of the origin (Liang-Barsky, in exact arithmetic: an end may be at
    1e308), or None when none of it is."""
    fx1, fy1, fx2, fy2 = (Fraction(v) for v in (x1, y1, x2, y2))
    dx, dy = fx2 - fx1, fy2 - fy1
    t0, t1 = Fraction(0), Fraction(1)
    for p, q in ((-dx, fx1 + FAR), (dx, FAR - fx1), (-dy, fy1 + FAR), (dy, FAR - fy1)):
        if p == 0:
            if q < 0:
                return None
        elif p < 0:
            t0 = max(t0, q / p)
        else:
            t1 = min(t1, q / p)
    if t0 > t1:
        return None
    return float(fx1 + t0 * dx), float(fy1 + t0 * dy), float(fx1 + t1 * dx), float(fy1 + t1 * dy)


def draw_body(canvas: np.ndarray, xy: np.ndarray, present: np.ndarray, offset=(0.0, 0.0)) -> None:
    """ControlNet's ``draw_bodypose`` on pixel coordinates, in place: limbs as filled ellipses in the joint
    colours times 0.6, then joint discs in full colour; earlier people are untouched."""
    pts = (np.asarray(xy, dtype=np.float64) + offset).tolist()
    seen = np.asarray(present, dtype=bool).tolist()
    for a, b, color in LIMB_STYLE:
        if seen[a] and seen[b]:
            (x1, y1), (x2, y2) = pts[a], pts[b]
            if not (-FAR < x1 < FAR and -FAR < y1 < FAR and -FAR < x2 < FAR and -FAR < y2 < FAR):
                segment = _clip(x1, y1, x2, y2)
                if segment is None:
                    continue
                x1, y1, x2, y2 = segment
            length = math.hypot(x1 - x2, y1 - y2)
            angle = math.degrees(math.atan2(y1 - y2, x1 - x2))
            polygon = cv2.ellipse2Poly(
                (int((x1 + x2) / 2), int((y1 + y2) / 2)), (int(length / 2), BODY_STICK_WIDTH), int(angle), 0, 360, 1
            )
            cv2.fillConvexPoly(canvas, polygon, color)
    for (x, y), visible, color in zip(pts, seen, COLORS):
        if visible and -FAR < x < FAR and -FAR < y < FAR:
            cv2.circle(canvas, (int(x), int(y)), BODY_JOINT_RADIUS, color, -1)


def draw_hand(canvas: np.ndarray, hand: Part, offset=(0.0, 0.0)) -> None:
    """ControlNet's ``draw_handpose``: rainbow bones, blue joints; points at or left/above 0 are skipped."""
    pts = (hand.xy + offset).tolist()
    shown = [s and int(x) > DRAW_EPS and int(y) > DRAW_EPS for (x, y), s in zip(pts, hand.present.tolist())]
    for (a, b), color in zip(HAND_EDGES, HAND_EDGE_COLORS):
        if a < len(pts) and b < len(pts) and shown[a] and shown[b]:
            ends = [float(int(v)) for v in (*pts[a], *pts[b])]  # ControlNet draws between whole pixels
            segment = ends if _near(*ends[:2]) and _near(*ends[2:]) else _clip(*ends)
            if segment is not None:
                x1, y1, x2, y2 = segment
                cv2.line(canvas, (int(x1), int(y1)), (int(x2), int(y2)), color, thickness=HAND_LINE_WIDTH)
    for (x, y), visible in zip(pts, shown):
        if visible and _near(x, y):
            cv2.circle(canvas, (int(x), int(y)), HAND_JOINT_RADIUS, HAND_JOINT_COLOR, thickness=-1)


def draw_face(canvas: np.ndarray, face: Part, offset=(0.0, 0.0)) -> None:
    """ControlNet's ``draw_facepose``: small white discs."""
    for (x, y), seen in zip((face.xy + offset).tolist(), face.present.tolist()):
        if seen and int(x) > DRAW_EPS and int(y) > DRAW_EPS and _near(x, y):
            cv2.circle(canvas, (int(x), int(y)), FACE_JOINT_RADIUS, FACE_JOINT_COLOR, thickness=-1)


def _extent(doc: PoseDocument) -> tuple[int, int, int, int]:
    """Pixels to add left, top, right, bottom so every present point fits in the view."""
    allp = present_points(doc)
    if not len(allp):
        return 0, 0, 0, 0
    pad = BODY_JOINT_RADIUS + FILLED_RING_RADIUS
    lo, hi = allp.min(0) - pad, allp.max(0) + pad
    return (
        int(max(0, math.ceil(-lo[0]))),
        int(max(0, math.ceil(-lo[1]))),
        int(max(0, math.ceil(hi[0] - doc.width))),
        int(max(0, math.ceil(hi[1] - doc.height))),
    )


def _farthest(doc: PoseDocument) -> tuple[float, str]:
    """How far outside the canvas the farthest present point is (pixels; not above 0 when none is outside),
    and where it is, e.g. ``people[0].pose_keypoints_2d: the nose at (1e+10, 5)``."""
    best = (-math.inf, "")
    for p, person in enumerate(doc.people):
        named = [(BODY_KEY, person.body)] if person.body is not None else []
        for key, part in named + list(person.parts.items()):
            if not part.present.any():
                continue
            xy = part.xy
            out = np.maximum.reduce([-xy[:, 0], -xy[:, 1], xy[:, 0] - doc.width, xy[:, 1] - doc.height])
            out = np.where(part.present, out, -np.inf)
            j = int(out.argmax())
            if out[j] > best[0]:
                what = f"the {JOINT_NAMES[j]}" if key == BODY_KEY else f"point {j}"
                best = (float(out[j]), f"people[{p}].{key}: {what} at ({xy[j, 0]:g}, {xy[j, 1]:g})")
    return best


def drawable_size(doc: PoseDocument, view: tuple[int, int, int, int], max_pixels: int | None = MAX_PIXELS):
    """The (width, height) of the image of ``doc`` grown by ``view``; PoseFillError naming the canvas, or the point
    that grows the view, when the image would be over ``max_pixels`` (None: no limit)."""
    w, h = int(round(doc.width)), int(round(doc.height))
    full_w, full_h = w + view[0] + view[2], h + view[1] + view[3]
    if max_pixels is not None and full_w * full_h > max_pixels:
        size = f"{full_w}x{full_h}" if max(full_w, full_h) < 10**9 else f"{full_w:.3g}x{full_h:.3g}"
        limit = f"the image would be {size} pixels, over the {max_pixels:,}-pixel limit"
        distance, where = _farthest(doc)
        if w * h > max_pixels or distance <= 0:  # too large a canvas, or grown only by the margin around points
            raise PoseFillError(limit if w * h > max_pixels else f"extended, {limit}", where="canvas")
        raise PoseFillError(f"{where} is too far outside the canvas to show it ({limit})")
    return full_w, full_h


def filled_joints(person: Person) -> list[int]:
    """The joints a person's ``posefill`` record lists as filled (what the preview style rings)."""
    record = person.posefill
    filled = record.get("filled") if isinstance(record, dict) else None
    n = len(person.body.xy) if person.body is not None else 0
    return [j for j in filled if type(j) is int and 0 <= j < n] if isinstance(filled, list) else []


def as_written(doc: PoseDocument) -> PoseDocument:
    """The document as its written form reads back (what is drawn): in a completed person, a point at negative
    coordinates is missing unless it is a body joint PoseFill filled. A parsed document is returned as it is."""
    if all(person.record is None for person in doc.people):
        return doc
    people = []
    for person in doc.people:
        if person.record is None:
            people.append(person)
            continue
        body = None
        if person.body is not None:
            kept = (person.body.xy >= 0).all(1)
            kept[filled_joints(person)] = True
            body = Part(person.body.xy, person.body.present & kept)
        parts = {key: Part(part.xy, part.present & (part.xy >= 0).all(1)) for key, part in person.parts.items()}
        people.append(Person(person.raw, body, parts, person.record))
    return PoseDocument(doc.raw, doc.width, doc.height, people, doc.normalised, doc.framed)


def draw_document(
    doc: PoseDocument,
    style: str = "controlnet",
    extend: bool = False,
    view: tuple[int, int, int, int] | None = None,
    max_pixels: int | None = MAX_PIXELS,
) -> np.ndarray:
    """An RGB uint8 image of the document (canvas-sized unless ``extend``).

    ``view`` (pixels added left, top, right, bottom) replaces the extent ``extend`` would compute. Images over
    ``max_pixels`` are refused before anything is allocated (see ``drawable_size``).
    """
    if style not in ("controlnet", "preview"):
        raise PoseFillError(f"expected controlnet or preview, got {shown(style)}", where="style")
    doc = as_written(doc)
    left, top, right, bottom = view if view is not None else _extent(doc) if extend else (0, 0, 0, 0)
    full_w, full_h = drawable_size(doc, (left, top, right, bottom), max_pixels)
    canvas = np.zeros((full_h, full_w, 3), dtype=np.uint8)
    offset = (float(left), float(top))
    for person in doc.people:
        if person.body is not None:
            draw_body(canvas, person.body.xy, person.body.present, offset)
        for key in ("hand_left_keypoints_2d", "hand_right_keypoints_2d"):
            if key in person.parts:
                draw_hand(canvas, person.parts[key], offset)
        if "face_keypoints_2d" in person.parts:
            draw_face(canvas, person.parts["face_keypoints_2d"], offset)
    if left or top or right or bottom:  # outline the canvas where nothing else is drawn
        w, h = full_w - left - right, full_h - top - bottom
        edge = np.zeros(canvas.shape[:2], dtype=np.uint8)
        cv2.rectangle(edge, (left, top), (left + w - 1, top + h - 1), 1, 1)
        canvas[(edge > 0) & ~canvas.any(-1)] = FRAME_COLOR
    if style == "preview":
        for person in doc.people:
            for j in filled_joints(person):
                x, y = person.body.xy[j] + offset
                if person.body.present[j] and _near(x, y):
                    cv2.circle(canvas, (int(x), int(y)), FILLED_RING_RADIUS, FILLED_RING_COLOR, 2)
    return canvas


def draw_before_after(before: PoseDocument, after: PoseDocument) -> np.ndarray:
    """Side by side: the input as ControlNet draws it, and the completed pose in the preview style,
    both grown to the same view so filled joints outside the canvas show."""
    before, after = as_written(before), as_written(after)
    view = tuple(max(a, b) for a, b in zip(_extent(before), _extent(after)))
    images = [draw_document(before, "controlnet", view=view), draw_document(after, "preview", view=view)]
    for image, label in zip(images, ("before", "after (PoseFill)")):
        cv2.putText(image, label, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (230, 230, 230), 2, cv2.LINE_AA)
    gap = np.full((images[0].shape[0], 8, 3), 64, dtype=np.uint8)
    return np.hstack([images[0], gap, images[1]])


def first_document(value: Any, options: Options | None = None) -> PoseDocument:
    """The document to draw: ``value`` itself, or the first one of a list (an empty list is an error)."""
    docs, _ = parse_documents(value, options or Options())
    if not docs:
        raise PoseFillError("an empty list holds no document to draw", where="document")
    return docs[0]


def render(
    doc: PoseDocument,
    options: Options,
    style: str = "controlnet",
    extend: bool = False,
    frame: np.ndarray | None = None,
) -> np.ndarray:
    """Draw a parsed (or completed) document with the options' framing applied (in place; a completed one is
    already framed): an RGB uint8 array. ``frame``: the picture inside a padded canvas (None: the canvas)."""
    apply_framing([doc], options, [picture(doc, frame)])
    return draw_document(doc, style=style, extend=extend)


def render_document(
    value: Any, options: Options | None = None, style: str = "controlnet", extend: bool = False
) -> np.ndarray:
    """Render a decoded pose document (the first one of a list) to an RGB uint8 array."""
    options = options or Options()
    return render(first_document(value, options), options, style=style, extend=extend)


def encode_png(image: np.ndarray) -> bytes:
    """An RGB uint8 array as PNG bytes."""
    ok, data = cv2.imencode(".png", np.ascontiguousarray(image[..., ::-1]))
    if not ok:
        raise PoseFillError("could not encode the image as PNG")
    return data.tobytes()


def save_png(path: str | os.PathLike[str], image: np.ndarray) -> None:
    """Write an RGB uint8 array as a PNG file (creating parent folders; see ``files.write_bytes``)."""
    try:
        write_bytes(path, encode_png(image))
    except PoseFillError as err:
        raise err.at(str(path)) from None
