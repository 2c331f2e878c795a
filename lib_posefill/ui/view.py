"""What the tab shows for a state: the two images, the joint table, the people and a status line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from ..document import parse_documents
from ..render import _extent, draw_document
from ..skeleton import JOINT_NAMES
from .state import PINNED, PIXEL, TabState, completed_xy, joint_states, table_rows

PIN_COLOR = (255, 255, 255)
LABEL_COLOR = (200, 200, 200)


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
    result = parse_documents(state.result or state.base, PIXEL)[0][0]
    out = draw_document(result, style="preview", extend=extend)
    base = draw_document(parse_documents(state.base, PIXEL)[0][0], style="controlnet")
    left, top = _extent(result)[:2] if extend else (0, 0)  # the padding draw_document added
    inp = np.zeros_like(out)
    h, w = min(base.shape[0], out.shape[0] - top), min(base.shape[1], out.shape[1] - left)
    inp[top : top + h, left : left + w] = base[:h, :w]
    if extend and (left or top or out.shape[:2] != base.shape[:2]):
        cv2.rectangle(inp, (left, top), (left + base.shape[1] - 1, top + base.shape[0] - 1), (96, 96, 96), 1)
    for i in range(len(state.people)):
        xy, present = completed_xy(state, i)
        for j in np.flatnonzero(state.people[i].source == PINNED):
            x, y = int(xy[j, 0] + left), int(xy[j, 1] + top)
            cv2.rectangle(out, (x - 7, y - 7), (x + 7, y + 7), PIN_COLOR, 1)
        if len(state.people) > 1 and present.any():
            x, y = xy[present].min(0)
            cv2.putText(out, str(i + 1), (int(x + left), max(12, int(y + top) - 8)), 0, 0.5, LABEL_COLOR, 1)
    return inp, out, (left, top)


def build_view(state: TabState, person: int, extend: bool, status: str = "", error: bool = False) -> View:
    """The full view of a state (the state's ``offset`` is updated for clicks on the completed image)."""
    if not state.loaded:
        return View(status=status or "Load a pose: drop a JSON file or a skeleton image, or paste JSON.", error=error)
    person = min(max(person, 0), max(len(state.people) - 1, 0))
    inp, out, state.offset = render_images(state, extend)
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
    """One line: source, people, what was filled, the version."""
    n = len(state.people)
    if n == 0:
        return f"{state.note}: no people in this pose — nothing to fill.".lstrip(": ")
    parts = []
    for i in range(n):
        states = joint_states(state, i)
        filled = [JOINT_NAMES[j] for j, s in enumerate(states) if s == "filled"]
        record = _skipped(state, i)
        text = f"skipped ({record})" if record else (f"filled {', '.join(filled)}" if filled else "nothing to fill")
        parts.append(f"{person_label(i)}: {text}" if n > 1 else text.capitalize())
    version = "best guess" if state.seed is None else f"version {state.seed + 1}"
    head = f"{state.note} · " if state.note else ""
    return f"{head}{n} {'person' if n == 1 else 'people'} · {version} · " + "; ".join(parts)


def _skipped(state: TabState, person: int) -> str | None:
    bodies = [p for p in (state.result or {}).get("people", []) if p.get("pose_keypoints_2d")]
    if person < len(bodies):
        return (bodies[person].get("posefill") or {}).get("skipped")
    return None
