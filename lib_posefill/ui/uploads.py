"""Turning an upload (JSON text, a skeleton image or a photo) into a pose document, with clear refusals."""

from __future__ import annotations

import struct
from typing import Any

import cv2
import numpy as np

from ..decode import decode_skeleton
from ..errors import PoseFillError, shown
from ..files import over_limit
from ..jsontext import loads_json
from ..limits import MAX_PIXELS
from ..options import Options
from .detect import NEEDS_CONTROLNET, Detector

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


def _png(data: bytes) -> tuple[int, int] | None:
    return struct.unpack(">II", data[16:24]) if data[12:16] == b"IHDR" else None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01, 0xFF) or 0xD0 <= marker <= 0xD7:
            i += 1 if marker == 0xFF else 2
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start-of-frame marker
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":  # extended: the canvas, 24 bits each
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and data[20] == 0x2F:  # lossless: 14 bits each
        bits = struct.unpack("<I", data[21:25])[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":  # lossy key frame
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    return None


def _gif(data: bytes) -> tuple[int, int] | None:
    return struct.unpack("<HH", data[6:10])  # the logical screen every frame is drawn on


def _bmp(data: bytes) -> tuple[int, int] | None:
    if struct.unpack("<I", data[14:18])[0] == 12:  # OS/2 core header
        return struct.unpack("<HH", data[18:22])
    w, h = struct.unpack("<ii", data[18:26])  # a negative height means top-down rows
    return abs(w), abs(h)


HEADERS = {"png": _png, "jpeg": _jpeg, "webp": _webp, "gif": _gif, "bmp": _bmp}
"""Every image format the tab accepts, with the reader of its size from the header."""


def image_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """(width, height) from the header of an image of an accepted ``kind``, without decoding; None if unreadable."""
    try:
        return HEADERS[kind](data)
    except (struct.error, IndexError):  # a header cut short
        return None


def decode_image(data: bytes, kind: str) -> np.ndarray:
    """RGB uint8 pixels of an uploaded image; its size is read from the header and checked before decoding."""
    size = image_size(data, kind)
    if size is None:
        raise PoseFillError(f"could not read the image size from this {kind.upper()} file's header (broken file?)")
    if min(size) < 1:
        raise PoseFillError(f"image is {size[0]}x{size[1]} pixels; expected a picture")
    if size[0] * size[1] > MAX_PIXELS:
        raise PoseFillError(f"image is {size[0]}x{size[1]} pixels, over the {MAX_PIXELS:,}-pixel limit; scale it down")
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise PoseFillError(f"could not decode this {kind.upper()} image (broken or unsupported file)")
    if image.shape[0] * image.shape[1] > MAX_PIXELS:
        raise PoseFillError(f"image is {image.shape[1]}x{image.shape[0]} pixels, over the {MAX_PIXELS:,}-pixel limit")
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
    if len(data) > options.max_file_mb * 2**20:
        raise over_limit(options.max_file_mb, len(data))
    kind = sniff(data)
    if kind == "text":
        return loads_json(data, options.max_file_mb), "JSON", None
    if image_kind not in IMAGE_KINDS:
        raise PoseFillError(f"expected one of {', '.join(IMAGE_KINDS)}, got {shown(image_kind)}", where="image kind")
    image = decode_image(data, kind)
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
