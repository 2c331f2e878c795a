"""The tab's state and its actions, as plain functions on plain data (no gradio).

A loaded pose becomes a *base* document (pixel coordinates, c = 1) plus, per person with a body, the
evidence the filler sees: each joint is given (from the input), pinned (placed or kept by the user)
or absent. Every action changes the evidence (or the seed) and refills; the completed document is
always the core's output for that evidence, so what the tab shows is what the export writes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..api import complete_document
from ..document import BODY_KEY, PoseDocument, parse_documents, write_document
from ..errors import PoseFillError
from ..filler import Filler
from ..options import Options
from ..skeleton import JOINT_INDEX, JOINT_NAMES, NUM_JOINTS

ABSENT, GIVEN, PINNED = 0, 1, 2
STATES = ("given", "filled", "pinned", "missing")
MAX_UNDO = 50
PIXEL = Options(coords="pixel")


@dataclass
class Person:
    """One editable body: the evidence for the filler, and the input it started from."""

    xy: np.ndarray  # (18, 2) pixels
    source: np.ndarray  # (18,) ABSENT / GIVEN / PINNED
    input_xy: np.ndarray
    input_present: np.ndarray

    def copy(self) -> Person:
        return Person(self.xy.copy(), self.source.copy(), self.input_xy, self.input_present)


@dataclass
class TabState:
    base: dict[str, Any] | None = None  # the input document, pixel coordinates, c = 1.0
    people: list[Person] = field(default_factory=list)
    seed: int | None = None
    history: list[tuple] = field(default_factory=list)
    note: str = ""  # where the pose came from, shown in the status line
    result: dict[str, Any] | None = None  # the completed document (framing keep)
    offset: tuple[int, int] = (0, 0)  # where the canvas origin sits in the last completed image

    def clone(self) -> TabState:
        return TabState(
            self.base,
            [p.copy() for p in self.people],
            self.seed,
            list(self.history),
            self.note,
            self.result,
            self.offset,
        )

    @property
    def loaded(self) -> bool:
        return self.base is not None


def _pixel_document(doc: PoseDocument) -> dict[str, Any]:
    out = write_document(doc, [{} for _ in doc.people])
    for person in out["people"]:
        person.pop("posefill", None)
    return out


def load(value: Any, note: str = "", options: Options | None = None) -> TabState:
    """A fresh state for a decoded pose document (dict, or a list whose first document is used)."""
    options = options or Options()
    docs, is_list = parse_documents(value, options)
    base = _pixel_document(docs[0])
    people = []
    for person in parse_documents(base, PIXEL)[0][0].people:
        if person.body is None:
            continue
        present = person.body.present.copy()
        people.append(
            Person(
                xy=np.where(present[:, None], person.body.xy, 0.0),
                source=np.where(present, GIVEN, ABSENT).astype(np.int8),
                input_xy=person.body.xy.copy(),
                input_present=present,
            )
        )
    if is_list and len(docs) > 1:
        note = f"{note} (first of {len(docs)} documents)".strip()
    return TabState(base=base, people=people, note=note)


def working_document(state: TabState) -> dict[str, Any]:
    """The base document with every body replaced by its current evidence."""
    doc = copy.deepcopy(state.base)
    bodies = [p for p in doc["people"] if p.get(BODY_KEY)]
    for raw, person in zip(bodies, state.people):
        keypoints = np.zeros((NUM_JOINTS, 3))
        have = person.source != ABSENT
        keypoints[have, :2] = person.xy[have]
        keypoints[have, 2] = 1.0
        raw[BODY_KEY] = keypoints.ravel().tolist()
        # The reader drops joints at negative coordinates unless PoseFill's own record lists them.
        outside = np.flatnonzero(have & (person.xy < 0).any(1)).tolist()
        if outside:
            raw["posefill"] = {"filled": outside}
    return doc


def fill(state: TabState, options: Options, filler: Filler | None = None) -> TabState:
    """Complete the current evidence (framing keep, the state's seed); stores the result on the state."""
    if not state.loaded:
        return state
    opts = options.replace(framing="keep", seed=state.seed, coords="pixel")
    state.result = complete_document(working_document(state), opts, filler=filler)
    return state


def export_document(state: TabState, options: Options, filler: Filler | None = None) -> dict[str, Any]:
    """The completed document in the core's output format, with the chosen framing."""
    if not state.loaded:
        raise PoseFillError("nothing to export yet: load a pose first")
    return complete_document(working_document(state), options.replace(seed=state.seed, coords="pixel"), filler=filler)


def joint_states(state: TabState, person: int) -> list[str]:
    """given / filled / pinned / missing for each joint of one person, after the last fill."""
    p = state.people[person]
    filled = set(_record(state, person).get("filled") or [])
    out = []
    for j in range(NUM_JOINTS):
        if p.source[j] == PINNED:
            out.append("pinned")
        elif p.source[j] == GIVEN:
            out.append("given")
        elif j in filled:
            out.append("filled")
        else:
            out.append("missing")
    return out


def _record(state: TabState, person: int) -> dict[str, Any]:
    if state.result is None:
        return {}
    bodies = [p for p in state.result["people"] if p.get(BODY_KEY)]
    return bodies[person].get("posefill") or {} if person < len(bodies) else {}


def completed_xy(state: TabState, person: int) -> tuple[np.ndarray, np.ndarray]:
    """The person's joints after the last fill: (18, 2) pixels and (18,) present."""
    bodies = [p for p in (state.result or state.base)["people"] if p.get(BODY_KEY)]
    k = np.asarray(bodies[person][BODY_KEY], dtype=np.float64).reshape(NUM_JOINTS, 3)
    return k[:, :2], k[:, 2] > 0


def table_rows(state: TabState, person: int) -> list[list[Any]]:
    """Rows of the joint table: joint, x, y, state (x and y empty where the joint is missing)."""
    if not state.loaded or not 0 <= person < len(state.people):
        return []
    xy, present = completed_xy(state, person)
    rows = []
    for j, st in enumerate(joint_states(state, person)):
        x, y = (round(float(xy[j, 0]), 1), round(float(xy[j, 1]), 1)) if present[j] else ("", "")
        rows.append([JOINT_NAMES[j], x, y, st])
    return rows


def _check_person(state: TabState, person: int) -> None:
    if not state.loaded:
        raise PoseFillError("load a pose first")
    if not 0 <= person < len(state.people):
        raise PoseFillError(f"no person {person + 1} in this pose", where="person")


def _joint(joint: int | str) -> int:
    if isinstance(joint, str):
        if joint not in JOINT_INDEX:
            raise PoseFillError(f"unknown joint {joint!r}; expected one of {', '.join(JOINT_NAMES)}", where="joint")
        return JOINT_INDEX[joint]
    if not 0 <= int(joint) < NUM_JOINTS:
        raise PoseFillError(f"expected 0..{NUM_JOINTS - 1}, got {joint}", where="joint")
    return int(joint)


def _remember(state: TabState) -> TabState:
    """A copy of the state with its current evidence pushed on the undo stack."""
    new = state.clone()
    snapshot = (tuple((p.xy.copy(), p.source.copy()) for p in state.people), state.seed)
    new.history = [*new.history[-(MAX_UNDO - 1) :], snapshot]
    return new


def place(state: TabState, person: int, joint: int | str, x: float, y: float) -> TabState:
    """Put a joint at (x, y) document pixels and pin it there."""
    _check_person(state, person)
    j = _joint(joint)
    if not (np.isfinite(x) and np.isfinite(y)):
        raise PoseFillError("expected finite coordinates", where="x, y")
    new = _remember(state)
    new.people[person].xy[j] = (float(x), float(y))
    new.people[person].source[j] = PINNED
    return new


def pin(state: TabState, person: int, joint: int | str) -> TabState:
    """Keep a joint where it is now (a filled joint stays put through re-rolls and refills)."""
    _check_person(state, person)
    j = _joint(joint)
    xy, present = completed_xy(state, person)
    if not present[j]:
        raise PoseFillError(f"{JOINT_NAMES[j]} is missing; place it on the image first", where="pin")
    return place(state, person, j, *xy[j])


def mark_missing(state: TabState, person: int, joint: int | str) -> TabState:
    """Drop a joint from the evidence so PoseFill fills it again (if the scope covers it)."""
    _check_person(state, person)
    j = _joint(joint)
    new = _remember(state)
    new.people[person].source[j] = ABSENT
    return new


def restore(state: TabState, person: int, joint: int | str) -> TabState:
    """Put a joint back as the input gave it (or missing, if the input had none)."""
    _check_person(state, person)
    j = _joint(joint)
    new = _remember(state)
    p = new.people[person]
    p.xy[j] = p.input_xy[j] if p.input_present[j] else 0.0
    p.source[j] = GIVEN if p.input_present[j] else ABSENT
    return new


def apply_rows(state: TabState, person: int, rows: list[list[Any]]) -> TabState:
    """Apply edits made in the joint table: a moved joint is pinned; a state change pins, restores
    (given) or drops (missing / filled) the joint. Rows are matched by joint name."""
    _check_person(state, person)
    before = {r[0]: r for r in table_rows(state, person)}
    new = state
    for row in rows:
        if len(row) < 4 or str(row[0]) not in before:
            continue
        name, old = str(row[0]), before[str(row[0])]
        wanted = str(row[3]).strip().lower()
        if wanted not in STATES:
            raise PoseFillError(f"expected one of {', '.join(STATES)}, got {row[3]!r}", where=f"table: {name}")
        moved = _number(row[1], name, "x") != _number(old[1], name, "x") or _number(row[2], name, "y") != _number(
            old[2], name, "y"
        )
        if wanted != old[3]:
            if wanted == "pinned":
                new = place(new, person, name, *_xy(row, name)) if moved else pin(new, person, name)
            elif wanted == "given":
                new = restore(new, person, name)
            else:
                new = mark_missing(new, person, name)
        elif moved:
            new = place(new, person, name, *_xy(row, name))
    return new


def _number(value: Any, name: str, axis: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise PoseFillError(f"expected a number, got {value!r}", where=f"table: {name}.{axis}") from None
    if not np.isfinite(v):
        raise PoseFillError(f"expected a finite number, got {value!r}", where=f"table: {name}.{axis}")
    return round(v, 1)


def _xy(row: list[Any], name: str) -> tuple[float, float]:
    x, y = _number(row[1], name, "x"), _number(row[2], name, "y")
    if x is None or y is None:
        raise PoseFillError("give both x and y to place this joint", where=f"table: {name}")
    return x, y


def reroll(state: TabState) -> TabState:
    """Another version: the next seed (re-rolls filled joints; given and pinned joints stay)."""
    if not state.loaded:
        raise PoseFillError("load a pose first")
    new = _remember(state)
    new.seed = 1 if state.seed is None else (state.seed + 1) % (2**31)
    return new


def undo(state: TabState) -> TabState:
    """Back to the evidence and seed before the last edit."""
    if not state.history:
        raise PoseFillError("nothing to undo")
    new = state.clone()
    people, seed = new.history.pop()
    for p, (xy, source) in zip(new.people, people):
        p.xy, p.source = xy.copy(), source.copy()
    new.seed = seed
    return new
