"""The tab's state and its actions, as plain functions on plain data (no gradio).

A loaded pose becomes a *base* document (pixel coordinates, c = 1) plus, per person with a body, the
evidence the filler sees: each joint is given (from the input), pinned (placed or kept by the user)
or absent. Every action changes the evidence (or the seed) and refills; the completed document is
always the core's output for that evidence, so what the tab shows is what the export writes.
The base is parsed once, every fill is one batch for all people, and an edit remembers only the person
it changed: the work of an action grows linearly with the number of people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..completion import complete_parsed
from ..document import Part, PoseDocument, parse_documents, write_document
from ..document import Person as DocumentPerson
from ..errors import PoseFillError, shown
from ..filler import Filler
from ..model import cached_filler
from ..options import Options
from ..skeleton import JOINT_INDEX, JOINT_NAMES, NUM_JOINTS

ABSENT, GIVEN, PINNED = 0, 1, 2
STATES = ("given", "filled", "pinned", "missing")
MAX_UNDO = 50
PIXEL = Options(coords="pixel")


@dataclass
class Person:
    """One editable body: the evidence for the filler, and the input it started from."""

    index: int  # position in the document's people list
    xy: np.ndarray  # (18, 2) pixels
    source: np.ndarray  # (18,) ABSENT / GIVEN / PINNED
    input_xy: np.ndarray
    input_present: np.ndarray

    def copy(self) -> Person:
        return Person(self.index, self.xy.copy(), self.source.copy(), self.input_xy, self.input_present)


@dataclass
class TabState:
    base: dict[str, Any] | None = None  # the input document, pixel coordinates, c = 1.0
    people: list[Person] = field(default_factory=list)
    seed: int | None = None
    history: list[tuple] = field(default_factory=list)
    note: str = ""  # where the pose came from, shown in the status line
    result: dict[str, Any] | None = None  # the completed document (framing keep)
    offset: tuple[int, int] = (0, 0)  # where the canvas origin sits in the last completed image
    input_image: np.ndarray | None = None  # the base document drawn once (it never changes)
    parsed: PoseDocument | None = None  # the base, parsed once: its hands and face go into every fill
    completed: PoseDocument | None = None  # ``result`` as arrays; each person's raw is its output (with posefill)

    def clone(self) -> TabState:
        return TabState(
            self.base,
            [p.copy() for p in self.people],
            self.seed,
            list(self.history),
            self.note,
            self.result,
            self.offset,
            self.input_image,
            self.parsed,
            self.completed,
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
    if not docs:
        raise PoseFillError("an empty list holds no document to load", where="document")
    doc = docs[0]
    base = _pixel_document(doc)
    bodies = [(k, person.body) for k, person in enumerate(doc.people) if person.body is not None]
    xy = np.stack([body.xy for _, body in bodies]) if bodies else np.zeros((0, NUM_JOINTS, 2))
    present = np.stack([body.present for _, body in bodies]) if bodies else np.zeros((0, NUM_JOINTS), bool)
    present &= (xy >= 0).all(2)  # as the base reads back: a joint at a negative coordinate is missing there
    evidence = np.where(present[..., None], xy, 0.0)
    source = np.where(present, GIVEN, ABSENT).astype(np.int8)
    people = []
    for i, (k, body) in enumerate(bodies):
        body.present = present[i]
        people.append(Person(index=k, xy=evidence[i], source=source[i], input_xy=xy[i], input_present=present[i]))
    if is_list and len(docs) > 1:
        note = f"{note} (first of {len(docs)} documents)".strip()
    return TabState(base=base, people=people, note=note, parsed=doc)


def evidence_document(state: TabState) -> PoseDocument:
    """The base with every body replaced by its current evidence (new objects; the base is not touched)."""
    base = state.parsed
    people = [
        DocumentPerson(raw=p.raw, body=None, parts={key: Part(part.xy, part.present) for key, part in p.parts.items()})
        for p in base.people
    ]
    for person in state.people:
        people[person.index].body = Part(xy=person.xy, present=person.source != ABSENT)
    return PoseDocument(raw=base.raw, width=base.width, height=base.height, people=people, normalised=False)


def _complete(state: TabState, options: Options, filler: Filler | None) -> tuple[dict[str, Any], PoseDocument]:
    """The core's output for the current evidence (one batch for every person), and its document as arrays."""
    doc = evidence_document(state)
    out = complete_parsed([doc], options.replace(seed=state.seed, coords="pixel"), filler or cached_filler())[0]
    for person, raw in zip(doc.people, out["people"], strict=True):
        person.raw = raw  # its posefill record: what the preview rings
    return out, doc


def fill(state: TabState, options: Options, filler: Filler | None = None) -> TabState:
    """Complete the current evidence (framing keep, the state's seed); stores the result on the state."""
    if not state.loaded:
        return state
    state.result, state.completed = _complete(state, options.replace(framing="keep"), filler)
    return state


def export_document(state: TabState, options: Options, filler: Filler | None = None) -> dict[str, Any]:
    """The completed document in the core's output format, with the chosen framing."""
    if not state.loaded:
        raise PoseFillError("nothing to export yet: load a pose first")
    return _complete(state, options, filler)[0]


def joint_states(state: TabState, person: int) -> list[str]:
    """given / filled / pinned / missing for each joint of one person, after the last fill."""
    p = state.people[person]
    filled = set(fill_record(state, person).get("filled") or [])
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


def fill_record(state: TabState, person: int) -> dict[str, Any]:
    """The person's posefill record of the last fill ({} before any)."""
    if state.completed is None:
        return {}
    record = state.completed.people[state.people[person].index].raw.get("posefill")
    return record if isinstance(record, dict) else {}


def completed_xy(state: TabState, person: int) -> tuple[np.ndarray, np.ndarray]:
    """The person's joints after the last fill: (18, 2) pixels and (18,) present."""
    body = (state.completed or state.parsed).people[state.people[person].index].body
    return body.xy, body.present


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
            raise PoseFillError(
                f"unknown joint {shown(joint)}; expected one of {', '.join(JOINT_NAMES)}", where="joint"
            )
        return JOINT_INDEX[joint]
    if isinstance(joint, bool) or not isinstance(joint, (int, np.integer)) or not 0 <= int(joint) < NUM_JOINTS:
        raise PoseFillError(f"expected a joint name or 0..{NUM_JOINTS - 1}, got {shown(joint)}", where="joint")
    return int(joint)


def _remember(state: TabState, person: int | None = None) -> TabState:
    """A copy of the state with what an edit of ``person`` (None: the seed only) changes pushed on the undo stack."""
    new = state.clone()
    evidence = (state.people[person].xy.copy(), state.people[person].source.copy()) if person is not None else None
    new.history = [*new.history[-(MAX_UNDO - 1) :], (state.seed, person, evidence)]
    return new


def place(state: TabState, person: int, joint: int | str, x: float, y: float) -> TabState:
    """Put a joint at (x, y) document pixels and pin it there."""
    _check_person(state, person)
    j = _joint(joint)
    if not (np.isfinite(x) and np.isfinite(y)):
        raise PoseFillError("expected finite coordinates", where="x, y")
    if x < 0 or y < 0:
        raise PoseFillError(
            f"({x:.0f}, {y:.0f}) is left of or above the canvas; OpenPose JSON reads negative coordinates as a "
            "missing joint, so place it at x >= 0 and y >= 0",
            where=JOINT_NAMES[j],
        )
    new = _remember(state, person)
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
    new = _remember(state, person)
    new.people[person].source[j] = ABSENT
    return new


def restore(state: TabState, person: int, joint: int | str) -> TabState:
    """Put a joint back as the input gave it (or missing, if the input had none)."""
    _check_person(state, person)
    j = _joint(joint)
    new = _remember(state, person)
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
            raise PoseFillError(f"expected one of {', '.join(STATES)}, got {shown(row[3])}", where=f"table: {name}")
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
    except (TypeError, ValueError, OverflowError):
        raise PoseFillError(f"expected a number, got {shown(value)}", where=f"table: {name}.{axis}") from None
    if not np.isfinite(v):
        raise PoseFillError(f"expected a finite number, got {shown(value)}", where=f"table: {name}.{axis}")
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
    new.seed, person, evidence = new.history.pop()
    if person is not None:
        new.people[person].xy, new.people[person].source = (a.copy() for a in evidence)
    return new
