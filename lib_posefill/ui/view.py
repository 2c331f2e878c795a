"""What the tab shows for a state: the two images, the joint table, the people and a status line."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from ..errors import PoseFillError
from ..render import FRAME_COLOR, _extent, draw_document
from ..skeleton import JOINT_NAMES
from .state import PINNED, TabState, completed_xy, fill_record, joint_states, table_rows

PIN_COLOR = (255, 255, 255)
LABEL_COLOR = (200, 200, 200)
LISTED = 8
"""The status line tells each person's fill up to this many people, and counts beyond."""


@dataclass
class View:
    input_image: np.ndarray | None = None
    output_image: np.ndarray | None = None
    rows: list[list[Any]] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    person: str | None = None
    status: str = ""
    error: bool = False


def person_label(i: int) -> str:
    return f"Person {i + 1}"


def person_index(label: Any) -> int:
    """``"Person 3"`` -> 2; anything else -> 0."""
    try:
        return int(str(label).rsplit(" ", 1)[-1]) - 1
    except ValueError:
        return 0


def render_images(state: TabState, extend: bool) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Input and completed skeletons on the same (optionally extended) view, and the canvas offset in it."""
    result = state.completed or state.parsed
    with ThreadPoolExecutor(max_workers=1) as pool:  # OpenCV lets go of the GIL while it draws: both at once
        first = pool.submit(draw_document, state.parsed, "controlnet") if state.input_image is None else None
        out = draw_document(result, style="preview", extend=extend)
        if first is not None:
            state.input_image = first.result()
    base = state.input_image
    left, top = _extent(result)[:2] if extend else (0, 0)  # the padding draw_document added
    inp = np.zeros_like(out)
    h, w = min(base.shape[0], out.shape[0] - top), min(base.shape[1], out.shape[1] - left)
    inp[top : top + h, left : left + w] = base[:h, :w]
    if extend and (left or top or out.shape[:2] != base.shape[:2]):
        cv2.rectangle(inp, (left, top), (left + base.shape[1] - 1, top + base.shape[0] - 1), FRAME_COLOR, 1)
    height, width = out.shape[:2]

    def on_image(x: float, y: float) -> bool:  # marks for points far off the picture are not drawn
        return -16 <= x < width + 16 and -16 <= y < height + 16

    for i in range(len(state.people)):
        xy, present = completed_xy(state, i)
        for j in np.flatnonzero(state.people[i].source == PINNED):
            x, y = xy[j, 0] + left, xy[j, 1] + top
            if on_image(x, y):
                cv2.rectangle(out, (int(x) - 7, int(y) - 7), (int(x) + 7, int(y) + 7), PIN_COLOR, 1)
        if len(state.people) > 1 and present.any():
            x, y = xy[present].min(0) + np.array([left, top])
            if on_image(x, y):
                cv2.putText(out, str(i + 1), (int(x), max(12, int(y) - 8)), 0, 0.5, LABEL_COLOR, 1)
    return inp, out, (left, top)


def build_view(state: TabState, person: int, extend: bool, status: str = "", error: bool = False) -> View:
    """The full view of a state (the state's ``offset`` is updated for clicks on the completed image)."""
    if not state.loaded:
        return View(status=status or "Load a pose: drop a JSON file or a skeleton image, or paste JSON.", error=error)
    person = min(max(person, 0), max(len(state.people) - 1, 0))
    try:
        inp, out, state.offset = render_images(state, extend)
    except PoseFillError as err:  # an extended view too large to draw: the canvas alone, and why
        if not extend:
            raise
        inp, out, state.offset = render_images(state, False)
        status = status or f"{summary(state)} · view not extended: {err}"
    return View(
        input_image=inp,
        output_image=out,
        rows=table_rows(state, person),
        people=[person_label(i) for i in range(len(state.people))],
        person=person_label(person) if state.people else None,
        status=status or summary(state),
        error=error,
    )


def summary(state: TabState) -> str:
    """One line: source, people, what was filled (per person, or counted for many people), the version."""
    n = len(state.people)
    if n == 0:
        return f"{state.note}: no people in this pose — nothing to fill.".lstrip(": ")
    version = "best guess" if state.seed is None else f"version {state.seed + 1}"
    head = f"{state.note} · " if state.note else ""
    records = [fill_record(state, i) for i in range(n)]
    if n > LISTED:
        skipped = sum(1 for r in records if r.get("skipped"))
        filled = sum(1 for r in records if r.get("filled") and not r.get("skipped"))
        return f"{head}{n} people · {version} · {filled} filled, {skipped} skipped, {n - filled - skipped} complete"
    parts = []
    for i, record in enumerate(records):
        joints = [JOINT_NAMES[j] for j, s in enumerate(joint_states(state, i)) if s == "filled"]
        reason = record.get("skipped")
        text = f"skipped ({reason})" if reason else (f"filled {', '.join(joints)}" if joints else "nothing to fill")
        parts.append(f"{person_label(i)}: {text}" if n > 1 else text.capitalize())
    return f"{head}{n} {'person' if n == 1 else 'people'} · {version} · " + "; ".join(parts)
