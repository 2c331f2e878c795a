"""The tab's state and its actions, as plain functions on plain data (no gradio).

A loaded pose becomes a *base* document (pixel coordinates, c = 1) plus, per person with a body, the
evidence the filler sees: each joint is given (from the input), pinned (placed or kept by the user),
absent (filled if the scope covers it) or removed (pinned missing: stays missing through refills).
Every action changes the evidence, a person's seed or the hands and face in the base, and refills the
people it touched; the completed document is always the core's output for that evidence (each person has
its own seed; people with the same seed are filled in one batch), so what the editor shows is what the
export writes. People are never changed in place: an action replaces the ones it edits, so a state, its
undo history and the states before it share everything else (work per edit does not grow with the people).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..completion import complete
from ..document import BODY_KEY, PART_KEYS, PoseDocument, parse_documents, plain_number, write_document
from ..errors import PoseFillError, shown
from ..filler import Filler
from ..framing import apply_framing
from ..hands import FACE_KEY, HAND_KEYS
from ..model import cached_filler
from ..options import Options, next_seed
from ..skeleton import JOINT_INDEX, JOINT_NAMES, L_WRIST, NOSE, NUM_JOINTS, R_WRIST

ABSENT, GIVEN, PINNED, REMOVED = 0, 1, 2, 3  # a joint's source: what the filler is told
FILLED = 4  # an absent joint the last fill added
REPLACED = 5  # a given joint the last fill took out and filled again (suspicious=refill)
STATE_OF_CODE = ("missing", "given", "pinned", "pinned missing", "filled", "replaced")
STATES = ("given", "filled", "pinned", "missing", "pinned missing", "replaced")
MAX_UNDO = 50
PIXEL = Options(coords="pixel")
ATTACHED = {R_WRIST: "hand_right_keypoints_2d", L_WRIST: "hand_left_keypoints_2d", NOSE: "face_keypoints_2d"}
"""A hand follows its wrist and the face its nose when those are moved."""


@dataclass
class Person:
    """One editable body: the evidence for the filler, its seed, and the input it started from (not changed
    once made: ``copy`` it to edit)."""

    index: int  # position in the document's people list
    xy: np.ndarray  # (18, 2) pixels
    source: np.ndarray  # (18,) ABSENT / GIVEN / PINNED / REMOVED
    input_xy: np.ndarray
    input_present: np.ndarray
    seed: int | None = None

    def copy(self) -> Person:
        return Person(self.index, self.xy.copy(), self.source.copy(), self.input_xy, self.input_present, self.seed)


@dataclass
class TabState:
    base: dict[str, Any] | None = None  # the document being edited: pixel coordinates, c = 1.0, hands/face moved
    people: list[Person] = field(default_factory=list)
    history: list[tuple] = field(default_factory=list)
    future: list[tuple] = field(default_factory=list)
    note: str = ""  # where the pose came from, shown in the status line
    result: dict[str, Any] | None = None  # the completed document (framing keep): the editor's data-state
    input_base: dict[str, Any] | None = None  # the base as loaded (Restore input)
    background: str | None = None  # data URL of the picture shown under the skeleton
    background_size: tuple[int, int] | None = None
    person: int = 0  # the selected person (index into people)
    filled_with: Options | None = None  # the options of the last fill
    dirty: set[int] = field(default_factory=set)  # people edited since the last fill

    def clone(self) -> TabState:
        new = copy.copy(self)
        new.people, new.history, new.future, new.dirty = list(self.people), list(self.history), list(self.future), set()
        return new

    def edit(self, person: int) -> Person:
        """The person's own copy in this state, to change (it is refilled by the next fill)."""
        self.people[person] = self.people[person].copy()
        self.dirty.add(person)
        return self.people[person]

    @property
    def loaded(self) -> bool:
        return self.base is not None


def _pixel_document(doc: PoseDocument) -> dict[str, Any]:
    out = write_document(doc)
    for person in out["people"]:
        person.pop("posefill", None)
    return out


def load(value: Any, note: str = "", options: Options | None = None) -> TabState:
    """A fresh state for a decoded pose document (dict, or a list whose first document is used)."""
    options = options or Options()
    docs, is_list = parse_documents(value, options)
    if not docs:
        raise PoseFillError("an empty list holds no document to load", where="document")
    base = _pixel_document(docs[0])
    people = []
    for k, person in enumerate(docs[0].people):  # in pixels already: the base's own bodies, without parsing it again
        if person.body is None:
            continue
        present = person.body.present & (person.body.xy >= 0).all(1)  # as the base reads back (negative = missing)
        people.append(
            Person(
                index=k,
                xy=np.where(present[:, None], person.body.xy, 0.0),
                source=np.where(present, GIVEN, ABSENT).astype(np.int8),
                input_xy=person.body.xy.copy(),
                input_present=present,
            )
        )
    if is_list and len(docs) > 1:
        note = f"{note} (first of {len(docs)} documents)".strip()
    return TabState(base=base, people=people, note=note, input_base=base)


def with_background(state: TabState, data_url: str | None, size: tuple[int, int] | None) -> TabState:
    """The same pose with another picture under it (None: no picture)."""
    new = state.clone()
    new.background, new.background_size = data_url, size
    return new


def _evidence(person: Person) -> list[float]:
    keypoints = np.zeros((NUM_JOINTS, 3))
    have = (person.source == GIVEN) | (person.source == PINNED)
    keypoints[have, :2] = person.xy[have]
    keypoints[have, 2] = 1.0
    return keypoints.ravel().tolist()


def _raw_person(state: TabState, person: Person) -> dict[str, Any]:
    """The person as the filler sees it: its part of the base with the body replaced by its evidence."""
    return {**state.base["people"][person.index], BODY_KEY: _evidence(person)}


def _fill_group(state: TabState, people: list[Person], options: Options, filler: Filler | None) -> list[dict]:
    """People with the same seed, completed in one call on the document's canvas; removed joints stay missing."""
    doc = {**{k: v for k, v in state.base.items() if k != "people"}, "people": [_raw_person(state, p) for p in people]}
    opts = options.replace(seed=people[0].seed)
    docs = complete(parse_documents(doc, opts)[0], opts, filler or cached_filler())
    for person, parsed in zip(people, docs[0].people, strict=True):
        removed = person.source == REMOVED
        if removed.any() and parsed.body is not None:
            parsed.body.present &= ~removed
            parsed.record["filled"] = [j for j in parsed.record["filled"] if not removed[j]]
    out = write_document(docs[0])["people"]
    for person, raw in zip(people, out, strict=True):
        given = state.base["people"][person.index]
        added = _added_parts(raw.get("posefill") or {})
        for key in PART_KEYS:  # written back the same (pixels, c = 1): share the base's lists, not hold them twice
            if key in given and key not in added:
                raw[key] = given[key]
    return out


def _added_parts(record: dict[str, Any]) -> set[str]:
    """The part keys the fill added to a person (its ``posefill`` record's hands and face)."""
    hands = record.get("hands")
    keys = {HAND_KEYS[side] for side in hands if side in HAND_KEYS} if isinstance(hands, list) else set()
    return keys | ({FACE_KEY} if record.get("face") is True else set())


def fill(state: TabState, options: Options, filler: Filler | None = None) -> TabState:
    """Complete the current evidence (framing keep, each person's seed); stores the result on the state.

    Only the people edited since the last fill are completed again (everyone after a new pose or other
    options), in one filler call per seed; the others keep their completed joints.
    """
    if not state.loaded:
        return state
    opts = options.replace(framing="keep", seed=None, coords="pixel")
    top = {k: v for k, v in state.base.items() if k != "people"}
    if state.result is None or opts != state.filled_with:
        people = [{**raw, "posefill": {"filled": [], "skipped": "no body keypoints"}} for raw in state.base["people"]]
        todo = range(len(state.people))
    else:
        people = list(state.result["people"])
        todo = sorted(state.dirty)
    groups: dict[int | None, list[Person]] = {}
    for i in todo:
        groups.setdefault(state.people[i].seed, []).append(state.people[i])
    for group in groups.values():
        for person, raw in zip(group, _fill_group(state, group, opts, filler), strict=True):
            people[person.index] = raw
    state.result = {**top, "people": people}
    state.filled_with, state.dirty = opts, set()
    return state


def export_document(state: TabState, options: Options) -> dict[str, Any]:
    """The completed document in the core's output format, with the chosen framing (keep = ``result``)."""
    if not state.loaded or state.result is None:
        raise PoseFillError("nothing to export yet: load a pose first")
    if options.framing != "fit" or not state.result["people"]:
        return copy.deepcopy(state.result)
    parsed = parse_documents(state.result, PIXEL)[0][0]
    apply_framing([parsed], options)
    return write_document(parsed)


def joint_states(state: TabState, person: int) -> list[str]:
    """given / filled / pinned / missing / pinned missing / replaced for each joint of one person, after the last
    fill."""
    codes = state.people[person].source.tolist()
    record = _record(state, person)
    for j in record.get("filled") or []:
        if 0 <= j < NUM_JOINTS and codes[j] == ABSENT:
            codes[j] = FILLED
    for j in record.get("replaced") or []:
        if 0 <= j < NUM_JOINTS and codes[j] in (GIVEN, PINNED):
            codes[j] = REPLACED
    return [STATE_OF_CODE[c] for c in codes]


def _record(state: TabState, person: int) -> dict[str, Any]:
    if state.result is None or not 0 <= person < len(state.people):
        return {}
    return state.result["people"][state.people[person].index].get("posefill") or {}


def completed_xy(state: TabState, person: int) -> tuple[np.ndarray, np.ndarray]:
    """The person's joints after the last fill: (18, 2) pixels and (18,) present."""
    raw = (state.result or state.base)["people"][state.people[person].index]
    k = np.asarray(raw[BODY_KEY], dtype=np.float64).reshape(NUM_JOINTS, 3)
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


def check_person(state: TabState, person: int) -> None:
    if not state.loaded:
        raise PoseFillError("load a pose first")
    if not 0 <= person < len(state.people):
        raise PoseFillError(f"no person {person + 1} in this pose", where="person")


def joint_index(joint: int | str) -> int:
    if isinstance(joint, str):
        if joint not in JOINT_INDEX:
            raise PoseFillError(
                f"unknown joint {shown(joint)}; expected one of {', '.join(JOINT_NAMES)}", where="joint"
            )
        return JOINT_INDEX[joint]
    if isinstance(joint, bool) or not isinstance(joint, (int, np.integer)) or not 0 <= int(joint) < NUM_JOINTS:
        raise PoseFillError(f"expected a joint name or 0..{NUM_JOINTS - 1}, got {shown(joint)}", where="joint")
    return int(joint)


def _snapshot(state: TabState) -> tuple:
    return list(state.people), state.base


def _restore_snapshot(state: TabState, snapshot: tuple) -> None:
    """Back to a snapshot; the people that differ from it (another Person, or other hands/face) are refilled."""
    people, base = snapshot
    state.dirty = {
        i
        for i, (now, then) in enumerate(zip(state.people, people, strict=True))
        if now is not then or state.base["people"][now.index] is not base["people"][then.index]
    }
    state.people, state.base = list(people), base


def _remember(state: TabState) -> TabState:
    """A copy of the state with its current evidence pushed on the undo stack (the redo stack is cleared)."""
    new = state.clone()
    new.history = [*new.history[-(MAX_UNDO - 1) :], _snapshot(state)]
    new.future = []
    return new


def _shift_attached(base: dict[str, Any], index: int, joint: int, delta: np.ndarray) -> dict[str, Any]:
    """The base with the hand or face attached to ``joint`` moved by ``delta`` (a new document)."""
    key = ATTACHED.get(joint)
    raw = base["people"][index]
    if key is None or not raw.get(key) or not np.any(delta):
        return base
    points = np.asarray(raw[key], dtype=np.float64).reshape(-1, 3)
    seen = points[:, 2] > 0
    points[seen, :2] += delta
    people = list(base["people"])
    people[index] = {**raw, key: [plain_number(round(v, 3)) for v in points.ravel()]}
    return {**base, "people": people}


def _keep_added(base: dict[str, Any], state: TabState, person: int, joint: int) -> dict[str, Any]:
    """The base with the hand or face the last fill added at ``joint`` taken over from the result, so that it
    stays on the joint (and moves with it) once the joint is pinned."""
    key = ATTACHED.get(joint)
    if key is None or key not in _added_parts(_record(state, person)):
        return base
    index = state.people[person].index
    people = list(base["people"])
    people[index] = {**people[index], key: state.result["people"][index][key]}
    return {**base, "people": people}


def place(state: TabState, person: int, joint: int | str, x: float, y: float) -> TabState:
    """Put a joint at (x, y) document pixels and pin it there; its hand or face moves with it."""
    check_person(state, person)
    j = joint_index(joint)
    if not (np.isfinite(x) and np.isfinite(y)):
        raise PoseFillError("expected finite coordinates", where="x, y")
    if x < 0 or y < 0:
        raise PoseFillError(
            f"({x:.6g}, {y:.6g}) is left of or above the canvas; OpenPose JSON reads negative coordinates as a "
            "missing joint, so place it at x >= 0 and y >= 0",
            where=JOINT_NAMES[j],
        )
    new = _remember(state)
    xy, present = completed_xy(state, person)
    edited = new.edit(person)
    if present[j]:
        new.base = _keep_added(new.base, state, person, j)
        new.base = _shift_attached(new.base, edited.index, j, np.array([x, y]) - xy[j])
    edited.xy[j] = (float(x), float(y))
    edited.source[j] = PINNED
    return new


def pin(state: TabState, person: int, joint: int | str) -> TabState:
    """Keep a joint where it is now (a filled joint stays put through re-rolls and refills)."""
    check_person(state, person)
    j = joint_index(joint)
    xy, present = completed_xy(state, person)
    if not present[j]:
        raise PoseFillError(f"{JOINT_NAMES[j]} is missing; place it first", where="pin")
    return place(state, person, j, *xy[j])


def _set_source(state: TabState, person: int, joint: int | str, source: int) -> TabState:
    check_person(state, person)
    j = joint_index(joint)
    new = _remember(state)
    new.edit(person).source[j] = source
    return new


def mark_missing(state: TabState, person: int, joint: int | str) -> TabState:
    """Drop a joint from the evidence so PoseFill fills it again (if the scope covers it)."""
    return _set_source(state, person, joint, ABSENT)


def remove(state: TabState, person: int, joint: int | str) -> TabState:
    """Pin a joint missing: it stays missing through every refill (until restored, unpinned or undone)."""
    return _set_source(state, person, joint, REMOVED)


def delete(state: TabState, person: int, joint: int | str) -> TabState:
    """The Delete key: a given or pinned joint becomes missing and is refilled; deleting a joint PoseFill
    filled pins it missing."""
    check_person(state, person)
    j = joint_index(joint)
    if state.people[person].source[j] in (GIVEN, PINNED):
        return mark_missing(state, person, j)
    return remove(state, person, j)


def restore(state: TabState, person: int, joint: int | str | None = None) -> TabState:
    """Put a joint (None: every joint, the hands, the face and the seed of the person) back as the input
    gave it, or missing where the input had none."""
    check_person(state, person)
    new = _remember(state)
    p = new.edit(person)
    joints = range(NUM_JOINTS) if joint is None else [joint_index(joint)]
    for j in joints:
        p.xy[j] = p.input_xy[j] if p.input_present[j] else 0.0
        p.source[j] = GIVEN if p.input_present[j] else ABSENT
        key = ATTACHED.get(j)
        if key is not None and new.base["people"][p.index].get(key) != new.input_base["people"][p.index].get(key):
            people = list(new.base["people"])
            people[p.index] = {**people[p.index], key: new.input_base["people"][p.index].get(key)}
            new.base = {**new.base, "people": people}
    if joint is None:
        p.seed = None
    return new


def unpin(state: TabState, person: int, joint: int | str) -> TabState:
    """Double click: a pinned joint goes back to what the input said (given, or missing and refilled)."""
    check_person(state, person)
    j = joint_index(joint)
    if state.people[person].source[j] != PINNED:
        raise PoseFillError(f"{JOINT_NAMES[j]} is not pinned", where="unpin")
    return restore(state, person, j)


def apply_rows(state: TabState, person: int, rows: list[list[Any]]) -> TabState:
    """Apply edits made in the joint table: a moved joint is pinned; a state change pins, restores (given),
    drops (missing / filled / replaced: refilled) or removes (pinned missing) the joint. Rows are matched by joint name."""
    check_person(state, person)
    before = {r[0]: r for r in table_rows(state, person)}
    new = state
    for row in rows:
        if len(row) != 4:
            raise PoseFillError(f"expected [joint, x, y, state], got {shown(row)}", where="table")
        if str(row[0]) not in before:
            raise PoseFillError(
                f"expected a joint name ({', '.join(before)[:60]}...), got {shown(row[0])}", where="table"
            )
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
            elif wanted == "pinned missing":
                new = remove(new, person, name)
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


def reroll(state: TabState, person: int) -> TabState:
    """Another version of one person: its next seed (re-rolls its filled joints; given and pinned joints stay)."""
    check_person(state, person)
    new = _remember(state)
    new.edit(person).seed = next_seed(state.people[person].seed)
    return new


def _travel(state: TabState, back: bool) -> TabState:
    """One step through the edit history: back (undo) or forward again (redo)."""
    source, target = ("history", "future") if back else ("future", "history")
    if not getattr(state, source):
        raise PoseFillError(f"nothing to {'undo' if back else 'redo'}")
    new = state.clone()
    setattr(new, target, [*getattr(new, target), _snapshot(state)])
    _restore_snapshot(new, getattr(new, source).pop())
    return new


def undo(state: TabState) -> TabState:
    """Back to the evidence, seeds and hands/face before the last edit."""
    return _travel(state, back=True)


def redo(state: TabState) -> TabState:
    """Forward again to the edit the last undo took back."""
    return _travel(state, back=False)
