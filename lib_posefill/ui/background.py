"""The picture under the editor's skeleton (an uploaded photo or skeleton image), as a small data URL."""

from __future__ import annotations

import base64

import cv2
import numpy as np

MAX_SIDE = 1024
JPEG_QUALITY = 85
ASPECT_TOLERANCE = 0.02


def encode_background(image: np.ndarray) -> tuple[str, tuple[int, int]]:
    """RGB uint8 pixels -> (JPEG data URL no larger than MAX_SIDE on its long side, original (width, height))."""
    h, w = image.shape[:2]
    scale = min(1.0, MAX_SIDE / max(h, w))
    small = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", np.ascontiguousarray(small[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        return "", (w, h)
    return "data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode("ascii"), (w, h)


def fits_canvas(size: tuple[int, int] | None, width: float, height: float) -> bool:
    """Whether a picture of ``size`` can sit under a pose drawn on a width x height canvas (same aspect)."""
    if not size or width <= 0 or height <= 0:
        return False
    return abs(size[0] / size[1] - width / height) <= ASPECT_TOLERANCE * (width / height)
