"""Drawing pose documents the way ControlNet draws its OpenPose conditioning image.

``style="controlnet"`` reproduces ControlNet's renderer (black background, its limb and joint colours
and widths, hands and face); ``style="preview"`` also rings the joints PoseFill filled, and
``extend=True`` grows the view so joints outside the canvas stay visible (the canvas edge is outlined).
"""

from __future__ import annotations

import colorsys
import math
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .document import Part, PoseDocument, parse_documents, present_points
from .errors import PoseFillError
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
    LIMB_COLOR_SCALE,
    LIMBS,
)

HAND_EDGE_COLORS = tuple(
    tuple(round(c * 255) for c in colorsys.hsv_to_rgb(i / len(HAND_EDGES), 1.0, 1.0)) for i in range(len(HAND_EDGES))
)
FILLED_RING_COLOR = (255, 255, 255)
FILLED_RING_RADIUS = 8
FRAME_COLOR = (96, 96, 96)
MAX_IMAGE_SIDE = 16384


def draw_body(canvas: np.ndarray, xy: np.ndarray, present: np.ndarray, offset=(0.0, 0.0)) -> None:
    """ControlNet's ``draw_bodypose`` on pixel coordinates, in place: limbs as filled ellipses in the joint
    colours times 0.6 (``int(float(c) * 0.6)``), then joint discs in full colour; earlier people are untouched."""
    ox, oy = offset
    for (a, b), color in zip(LIMBS, COLORS):
        if not (present[a] and present[b]):
            continue
        (x1, y1), (x2, y2) = xy[a] + (ox, oy), xy[b] + (ox, oy)
        length = math.hypot(x1 - x2, y1 - y2)
        angle = math.degrees(math.atan2(y1 - y2, x1 - x2))
        polygon = cv2.ellipse2Poly(
            (int((x1 + x2) / 2), int((y1 + y2) / 2)), (int(length / 2), BODY_STICK_WIDTH), int(angle), 0, 360, 1
        )
        cv2.fillConvexPoly(canvas, polygon, [int(float(c) * LIMB_COLOR_SCALE) for c in color])
    for (x, y), seen, color in zip(xy, present, COLORS):
        if seen:
            cv2.circle(canvas, (int(x + ox), int(y + oy)), BODY_JOINT_RADIUS, color, thickness=-1)


def draw_hand(canvas: np.ndarray, hand: Part, offset=(0.0, 0.0)) -> None:
    """ControlNet's ``draw_handpose``: rainbow bones, blue joints; points at or left/above 0 are skipped."""
    pts = [(int(x + offset[0]), int(y + offset[1])) if seen else None for (x, y), seen in zip(hand.xy, hand.present)]

    def shown(p):
        return p is not None and p[0] > DRAW_EPS and p[1] > DRAW_EPS

    for (a, b), color in zip(HAND_EDGES, HAND_EDGE_COLORS):
        if a < len(pts) and b < len(pts) and shown(pts[a]) and shown(pts[b]):
            cv2.line(canvas, pts[a], pts[b], color, thickness=HAND_LINE_WIDTH)
    for p in pts:
        if shown(p):
            cv2.circle(canvas, p, HAND_JOINT_RADIUS, HAND_JOINT_COLOR, thickness=-1)


def draw_face(canvas: np.ndarray, face: Part, offset=(0.0, 0.0)) -> None:
    """ControlNet's ``draw_facepose``: small white discs."""
    for (x, y), seen in zip(face.xy, face.present):
        p = (int(x + offset[0]), int(y + offset[1]))
        if seen and p[0] > DRAW_EPS and p[1] > DRAW_EPS:
            cv2.circle(canvas, p, FACE_JOINT_RADIUS, FACE_JOINT_COLOR, thickness=-1)


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


def draw_document(
    doc: PoseDocument, style: str = "controlnet", extend: bool = False, view: tuple[int, int, int, int] | None = None
) -> np.ndarray:
    """An RGB uint8 image of the document (canvas-sized unless ``extend``).

    ``view`` (pixels added left, top, right, bottom) replaces the extent ``extend`` would compute.
    """
    if style not in ("controlnet", "preview"):
        raise PoseFillError(f"expected controlnet or preview, got {style!r}", where="style")
    left, top, right, bottom = view if view is not None else _extent(doc) if extend else (0, 0, 0, 0)
    w, h = int(round(doc.width)), int(round(doc.height))
    full_w, full_h = w + left + right, h + top + bottom
    if max(full_w, full_h) > MAX_IMAGE_SIDE:
        raise PoseFillError(
            f"the image would be {full_w}x{full_h} pixels, over {MAX_IMAGE_SIDE} a side", where="canvas"
        )
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
        edge = np.zeros(canvas.shape[:2], dtype=np.uint8)
        cv2.rectangle(edge, (left, top), (left + w - 1, top + h - 1), 1, 1)
        canvas[(edge > 0) & ~canvas.any(-1)] = FRAME_COLOR
    if style == "preview":
        for person in doc.people:
            filled = (person.raw.get("posefill") or {}).get("filled") or []
            if person.body is None:
                continue
            for j in filled:
                if isinstance(j, int) and 0 <= j < len(person.body.xy) and person.body.present[j]:
                    x, y = person.body.xy[j]
                    cv2.circle(canvas, (int(x + left), int(y + top)), FILLED_RING_RADIUS, FILLED_RING_COLOR, 2)
    return canvas


def draw_before_after(before: PoseDocument, after: PoseDocument) -> np.ndarray:
    """Side by side: the input as ControlNet draws it, and the completed pose in the preview style,
    both grown to the same view so filled joints outside the canvas show."""
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


def render_document(
    value: Any, options: Options | None = None, style: str = "controlnet", extend: bool = False
) -> np.ndarray:
    """Render a decoded pose document (the first one of a list) to an RGB uint8 array."""
    return draw_document(first_document(value, options), style=style, extend=extend)


def save_png(path: str | os.PathLike[str], image: np.ndarray) -> None:
    """Write an RGB uint8 array as a PNG file, creating parent folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".png", np.ascontiguousarray(image[..., ::-1]))
    if not ok:
        raise PoseFillError("could not encode the image as PNG", where=str(path))
    path.write_bytes(data.tobytes())
