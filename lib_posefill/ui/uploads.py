"""Turning an upload (JSON text, a skeleton image or a photo) into a pose document, with clear refusals."""

from __future__ import annotations

import struct
from typing import Any

import cv2
import numpy as np

from ..document import loads_json
from ..errors import PoseFillError
from ..options import Options
from .decode import decode_skeleton
from .detect import NEEDS_CONTROLNET, Detector

MAX_IMAGE_PIXELS = 50_000_000
IMAGE_KINDS = ("auto", "skeleton", "photo")
SKELETON_DARK_SHARE = 0.6  # a rendered skeleton is mostly black background


def sniff(data: bytes) -> str:
    """png, jpeg, webp, gif, bmp or text."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    return "text"


def image_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """(width, height) from a PNG or JPEG header without decoding, or None when unknown."""
    if kind == "png" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if kind == "jpeg":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return w, h
            i += 2 + length
    return None


def decode_image(data: bytes, kind: str) -> np.ndarray:
    """RGB uint8 pixels of an uploaded image, refusing huge or broken files."""
    size = image_size(data, kind)
    if size is not None and size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise PoseFillError(f"image is {size[0]}x{size[1]} pixels, over the {MAX_IMAGE_PIXELS // 10**6} MP limit")
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise PoseFillError(f"could not decode this {kind.upper()} image (broken or unsupported file)")
    if image.shape[0] * image.shape[1] > MAX_IMAGE_PIXELS:
        raise PoseFillError(f"image is {image.shape[1]}x{image.shape[0]} pixels, over the limit")
    return np.ascontiguousarray(image[..., ::-1])


def looks_like_skeleton(image: np.ndarray) -> bool:
    """Mostly black: a rendered pose, not a photo."""
    return float((image.max(axis=2) < 24).mean()) >= SKELETON_DARK_SHARE


def read_upload(
    data: bytes, options: Options, image_kind: str = "auto", detector: Detector | None = None
) -> tuple[Any, str, np.ndarray | None]:
    """A pose document from uploaded bytes, a note saying what it was read as, and the picture (RGB) when
    the upload was an image. A photo without a detector gives no document (None) and says why in the note."""
    if not data:
        raise PoseFillError("the file is empty")
    limit = options.max_file_mb * 2**20
    if len(data) > limit:
        raise PoseFillError(f"file is {len(data) / 2**20:.1f} MB, over the {options.max_file_mb:g} MB limit")
    kind = sniff(data)
    if kind == "text":
        return loads_json(data), "JSON", None
    image = decode_image(data, kind)
    if image_kind not in IMAGE_KINDS:
        raise PoseFillError(f"expected one of {', '.join(IMAGE_KINDS)}, got {image_kind!r}", where="image kind")
    if image_kind == "photo" or (image_kind == "auto" and not looks_like_skeleton(image)):
        if detector is None:
            return None, f"this looks like a photo: {NEEDS_CONTROLNET}", image
        return detect_photo(image, detector), "photo (DWPose)", image
    doc = decode_skeleton(image)
    if not doc["people"]:
        raise PoseFillError(
            "no OpenPose skeleton found in this image (expected ControlNet's joint and limb colours on black)"
        )
    return doc, "skeleton image", image


def detect_photo(image: np.ndarray, detector: Detector) -> dict[str, Any]:
    try:
        doc = detector(image)
    except PoseFillError:
        raise
    except Exception as err:
        raise PoseFillError(f"pose detection failed: {err}") from None
    if not isinstance(doc, dict):
        raise PoseFillError("pose detection returned no pose")
    return doc
