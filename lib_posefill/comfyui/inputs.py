"""What the ComfyUI nodes take in and hand out, checked first: POSE_KEYPOINT values as other custom nodes make
them (numpy numbers and arrays where JSON has numbers and lists), and the memory of the IMAGE batch, refused with
one line before anything is allocated."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import PoseFillError
from ..limits import MAX_IMAGE_BATCH_BYTES, MAX_JSON_DEPTH
from ..options import Spelling

PLAIN = (int, float)
UNSET = -1
"""The value of an optional integer widget (``seed``) that leaves the option unset."""
WIDGETS = Spelling(unset=(UNSET, ""))
"""How the widgets spell option values: as Options does, but ``UNSET`` (an INT widget holds no None) or a blank
text (a STRING widget: ``canvas``) for unset."""


def plain_value(value: Any) -> Any:
    """``value`` with numpy numbers as Python numbers, numeric numpy arrays as flat lists (``[x, y, c, ...]``),
    other arrays and tuples as lists; containers are copied, never changed in place. Iterative, so any nesting
    gets the one-line depth error rather than a RecursionError."""
    root = [value]
    todo = [(root, 0, 0)]
    while todo:
        parent, key, depth = todo.pop()
        item = parent[key]
        if isinstance(item, np.ndarray):
            item = item.ravel().tolist() if item.dtype.kind in "biuf" else item.tolist()
        elif isinstance(item, np.generic):
            item = item.item()
        elif isinstance(item, tuple):
            item = list(item)
        if isinstance(item, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise PoseFillError(f"nested more than {MAX_JSON_DEPTH} levels deep", where="pose_keypoint")
            item = dict(item) if isinstance(item, dict) else list(item)
            if not (isinstance(item, list) and set(map(type, item)) <= set(PLAIN)):  # a plain number list is done
                todo.extend((item, k, depth + 1) for k in (item.keys() if isinstance(item, dict) else range(len(item))))
        parent[key] = item
    return root[0]


def image_batch_bytes(count: int, width: int, height: int) -> int:
    """Bytes of the float32 IMAGE batch (count, height, width, 3) plus one uint8 drawing."""
    return count * width * height * 3 * 4 + width * height * 3


def check_image_batch(count: int, width: int, height: int) -> None:
    """PoseFillError when the IMAGE batch would take more than ``MAX_IMAGE_BATCH_BYTES`` or more than half of
    the memory the system has available now (Linux's MemAvailable)."""
    need = image_batch_bytes(count, width, height)
    limit, why = MAX_IMAGE_BATCH_BYTES, "MAX_IMAGE_BATCH_BYTES"
    free = _available_bytes()
    if free is not None and free // 2 < limit:
        limit, why = free // 2, "half the memory available now"
    if need > limit:
        raise PoseFillError(
            f"the IMAGE batch of {count} x {width}x{height} would take {need / 2**20:,.0f} MB, over the limit of "
            f"{limit / 2**20:,.0f} MB ({why}); fill fewer frames at once or smaller canvases",
            where="image",
        )


def _available_bytes() -> int | None:
    """MemAvailable of /proc/meminfo (Linux), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
