"""The progress line of ``posefill complete`` on a folder: ``[####....] 1200/4000 files read, 0 people filled,
0 written``, cut to the terminal's width.

Drawn on stderr only when it is a terminal and ``--quiet`` is not given, redrawn at most ten times a second.
While it is shown, other text written to stderr (a file's error line) first clears it, so lines never mix.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

BAR = 20


class ProgressLine:
    """Counts of files read, people filled and files written, out of ``files``, on one terminal line."""

    def __init__(self, files: int, quiet: bool = False, stream: TextIO | None = None, interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.enabled = files > 0 and not quiet and self.stream.isatty()
        self.files, self.read, self.filled, self.written = files, 0, 0, 0
        self.interval = interval
        self._drawn_at = 0.0
        self._visible = False
        if self.enabled and self.stream is sys.stderr:
            sys.stderr = _ClearsLine(self)

    def count(self, read: int = 0, filled: int = 0, written: int = 0) -> None:
        self.read += read
        self.filled += filled
        self.written += written
        now = time.monotonic()
        if self.enabled and (now - self._drawn_at >= self.interval or filled or self.written >= self.files):
            self._drawn_at = now
            self._draw()

    def close(self) -> None:
        """Leave the last count on screen and give stderr back."""
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
            self._visible = False
            if isinstance(sys.stderr, _ClearsLine) and sys.stderr.progress is self:
                sys.stderr = self.stream
        self.enabled = False

    def clear(self) -> None:
        if self._visible:
            self.stream.write("\r\033[K")
            self._visible = False

    def _draw(self) -> None:
        full = BAR * min(self.read, self.files) // self.files
        bar = "#" * full + "." * (BAR - full)
        line = f"[{bar}] {self.read}/{self.files} files read, {self.filled} people filled, {self.written} written"
        self.stream.write("\r\033[K" + line[: self._width() - 1])
        self.stream.flush()
        self._visible = True

    def _width(self) -> int:
        try:
            return os.get_terminal_size(self.stream.fileno()).columns or 80
        except (OSError, ValueError, AttributeError):
            return 80


class _ClearsLine:
    """sys.stderr while a progress line is shown: clears the line before passing text through."""

    def __init__(self, progress: ProgressLine) -> None:
        self.progress = progress

    def write(self, text: str) -> int:
        self.progress.clear()
        return self.progress.stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self.progress.stream, name)
