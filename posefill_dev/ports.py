"""A free TCP port on 127.0.0.1 for a server a test or benchmark starts (the one copy they all use)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now (the system's pick; closed again before it is returned)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
