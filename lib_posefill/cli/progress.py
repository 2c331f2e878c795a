"""The progress line of ``posefill complete``: files read, people filled, files written.

Drawn on stderr only when it is a terminal and ``--quiet`` is not given, redrawn at most ten times a second.
While it is shown, other text written to stderr (a file's error line) first clears it, so lines never mix.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..completion import complete_parsed
from ..document import PoseDocument
from ..filler import Filler
from ..options import Options

BAR = 24
CHUNK_PEOPLE = 8192
"""People per model call when filling with progress; a folder of a few thousand people stays one call."""


class ProgressLine:
    """One counter at a time (``stage``), drawn as ``label [####....] done/total unit``."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None, interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.enabled = not quiet and self.stream.isatty()
        self.interval = interval
        self.label, self.unit, self.total, self.done = "", "", 0, 0
        self._drawn_at = 0.0
        self._visible = False
        if self.enabled and self.stream is sys.stderr:
            sys.stderr = _ClearsLine(self)

    def stage(self, label: str, total: int, unit: str) -> None:
        self.label, self.unit, self.total, self.done = label, unit, total, 0
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw(force=self.done >= self.total)

    def close(self) -> None:
        """Leave the last state on screen and give stderr back."""
        if self.enabled and self._visible:
            self.stream.write("\n")
            self.stream.flush()
        self._visible = False
        if isinstance(sys.stderr, _ClearsLine) and sys.stderr.progress is self:
            sys.stderr = self.stream

    def clear(self) -> None:
        if self._visible:
            self.stream.write("\r\033[K")
            self._visible = False

    def _draw(self, force: bool) -> None:
        now = time.monotonic()
        if not self.enabled or not self.total or (not force and now - self._drawn_at < self.interval):
            return
        self._drawn_at = now
        full = BAR * min(self.done, self.total) // self.total
        bar = "#" * full + "." * (BAR - full)
        self.stream.write(f"\r\033[K{self.label} [{bar}] {self.done}/{self.total} {self.unit}")
        self.stream.flush()
        self._visible = True


class _ClearsLine:
    """sys.stderr while a progress line is shown: clears the line before passing text through."""

    def __init__(self, progress: ProgressLine) -> None:
        self.progress = progress

    def write(self, text: str) -> int:
        self.progress.clear()
        return self.progress.stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self.progress.stream, name)


def complete_counting(docs: list[PoseDocument], options: Options, filler: Filler, progress: ProgressLine) -> list[dict]:
    """``complete_parsed`` over chunks of about CHUNK_PEOPLE people, counting the people filled."""
    progress.stage("filling", sum(len(d.people) for d in docs), "people")
    outputs: list[dict] = []
    start = 0
    while start < len(docs):
        end, people = start, 0
        while end < len(docs) and (people < CHUNK_PEOPLE or end == start):
            people += len(docs[end].people)
            end += 1
        outputs += complete_parsed(docs[start:end], options, filler)
        progress.advance(people)
        start = end
    return outputs
