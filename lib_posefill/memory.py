"""Handing memory back to the system after a large request.

CPython frees the objects of a large document, but glibc keeps the freed heap for reuse, so a server's resident
size stays at its peak; ``malloc_trim`` returns what is free. Elsewhere (macOS, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc


@functools.cache
def _malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Collect garbage and return the C heap's free memory to the system (glibc only)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
