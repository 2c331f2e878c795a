"""Natural name order for frame files: ``frame_2`` before ``frame_10``."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple:
    """Sort key: runs of digits compare as numbers, the rest case-insensitively; ties fall back to the name."""
    parts = _DIGITS.split(name.casefold())
    return (tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), name)
