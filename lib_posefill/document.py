"""Reading and writing OpenPose pose documents (ControlNet, ComfyUI, openpose-editor and bare OpenPose JSON).

``parse_documents`` validates a decoded JSON value and turns every person into pixel-space arrays;
``write_documents`` turns them back into JSON-ready dicts, carrying every other key over untouched.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import PoseFillError, shown
from .files import read_bytes
from .jsontext import loads_json
from .limits import MAX_CANVAS_SIDE
from .options import Options
from .skeleton import BODY25_TO_18, NUM_JOINTS

PART_KEYS = ("hand_left_keypoints_2d", "hand_right_keypoints_2d", "face_keypoints_2d")
BODY_KEY = "pose_keypoints_2d"


@dataclass
class Part:
    """One keypoint list (body, a hand or the face) in pixels, with which points are present."""

    xy: np.ndarray  # (K, 2) float64, pixels
    present: np.ndarray  # (K,) bool


@dataclass
class Person:
    raw: dict[str, Any]  # the input person; keypoint lists held in ``body``/``parts`` are None here
    body: Part | None  # OpenPose-18; None when the person has no body keypoints
    parts: dict[str, Part] = field(default_factory=dict)
    record: dict[str, Any] | None = None  # the ``posefill`` record a completion gave it (None: not completed)

    @property
    def posefill(self) -> Any:
        """The person's ``posefill`` record: the one a completion gave it, else the input's (any JSON value)."""
        return self.record if self.record is not None else self.raw.get("posefill")


@dataclass
class PoseDocument:
    raw: dict[str, Any]  # the input document, its people replaced by their ``Person.raw``
    width: float
    height: float
    people: list[Person]
    normalised: bool  # the input used [0, 1] coordinates
    framed: bool = False  # framing=fit has been applied (``framing.apply_framing``)


def read_json_file(path: str | os.PathLike[str], options: Options, *, streams: bool = True) -> Any:
    """Load a JSON file (or a pipe or device with ``streams``) within the options' size limit."""
    return loads_json(read_bytes(path, options.max_file_mb, streams=streams), options.max_file_mb)


def _number_list(value: Any, where: str, per: int = 3) -> np.ndarray:
    if not isinstance(value, list):
        raise PoseFillError(f"expected a list of numbers [x, y, c, ...], got {type(value).__name__}", where=where)
    if len(value) % per:
        raise PoseFillError(f"expected a multiple of {per} numbers (x, y, c triples), got {len(value)}", where=where)
    if set(map(type, value)) <= {float, int}:  # the common case, checked at C speed
        try:
            array = np.asarray(value, dtype=np.float64)
        except OverflowError:
            array = None
        if array is not None and np.isfinite(array).all():
            return array.reshape(-1, 3)
    for i, v in enumerate(value):  # find and name the bad value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise PoseFillError(f"expected a number, got {shown(v)}", where=f"{where}[{i}]")
        if not _finite(v):
            raise PoseFillError(f"expected a finite number, got {shown(v)}", where=f"{where}[{i}]")
    return np.asarray(value, dtype=np.float64).reshape(-1, 3) if value else np.zeros((0, 3))


def _finite(v: float) -> bool:
    """True for numbers a float64 holds finitely (huge JSON integers overflow instead)."""
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _present(triples: np.ndarray, min_confidence: float) -> np.ndarray:
    """Which of (..., K, 3) triples are present: confident enough, at coordinates >= 0."""
    return (triples[..., 2] > min_confidence) & (triples[..., 0] >= 0) & (triples[..., 1] >= 0)


def _split(triples: np.ndarray, min_confidence: float) -> Part:
    return Part(xy=triples[:, :2].copy(), present=_present(triples, min_confidence))


def _plain_bodies(people: list, min_confidence: float) -> tuple[np.ndarray, list[Part]] | None:
    """Every person's body triples (P, 18, 3) and Part, read in one conversion in the common case: each person an
    object whose body is a list of 54 or 75 finite numbers. None otherwise: the people are read one by one, which
    names what is wrong."""
    lists = [person.get(BODY_KEY) if type(person) is dict else None for person in people]
    if not lists or any(type(v) is not list for v in lists) or len(set(map(len, lists))) != 1:
        return None
    if len(lists[0]) not in (3 * NUM_JOINTS, 75) or not set().union(*(map(type, v) for v in lists)) <= {float, int}:
        return None
    try:
        triples = np.asarray(lists, dtype=np.float64).reshape(len(lists), -1, 3)
    except OverflowError:  # an integer beyond any float
        return None
    if not np.isfinite(triples).all():
        return None
    if triples.shape[1] == 25:
        triples = triples[:, list(BODY25_TO_18)]
    xy, present = triples[..., :2].copy(), _present(triples, min_confidence)
    return triples, [Part(xy=xy[p], present=present[p]) for p in range(len(lists))]


def _keep_filled_outside(body: Part, triples: np.ndarray, record: Any, min_confidence: float) -> None:
    """Joints PoseFill filled (its ``posefill.filled`` record) stay present at negative coordinates, which
    otherwise mark missing joints: PoseFill's own output reads back whole, e.g. to render or complete again."""
    filled = record.get("filled") if isinstance(record, dict) else None
    if not isinstance(filled, list):
        return
    for j in filled:
        if isinstance(j, int) and not isinstance(j, bool) and 0 <= j < len(triples):
            body.present[j] |= triples[j, 2] > min_confidence


def _canvas_value(doc: dict[str, Any], key: str, where: str) -> float | None:
    """A canvas side: a whole number of pixels from 1 to MAX_CANVAS_SIDE (512.0 is fine, 0.4 is not)."""
    if key not in doc or doc[key] is None:
        return None
    v = doc[key]
    if (
        isinstance(v, bool)
        or not isinstance(v, (int, float))
        or not _finite(v)
        or not 1 <= v <= MAX_CANVAS_SIDE
        or v % 1
    ):
        raise PoseFillError(
            f"expected a whole number of pixels from 1 to {MAX_CANVAS_SIDE}, got {shown(v)}", where=f"{where}{key}"
        )
    return float(v)


def _parse_one(doc: Any, where: str, options: Options) -> PoseDocument:
    if not isinstance(doc, dict):
        raise PoseFillError(
            f"expected a pose document object with 'people', got {type(doc).__name__}",
            where=where.rstrip(".") or "document",
        )
    if "people" not in doc:
        raise PoseFillError(
            "missing 'people' (expected an OpenPose pose document)", where=where.rstrip(".") or "document"
        )
    people = doc["people"]
    if not isinstance(people, list):
        raise PoseFillError(f"expected a list, got {type(people).__name__}", where=f"{where}people")
    if len(people) > options.max_people:
        raise PoseFillError(
            f"{len(people)} people, over the limit of {options.max_people} (max_people)", where=f"{where}people"
        )
    width = _canvas_value(doc, "canvas_width", where)
    height = _canvas_value(doc, "canvas_height", where)
    if width is None or height is None:
        if options.canvas_size is None:
            raise PoseFillError(
                "no canvas_width/canvas_height in the document; give the canvas size as WxH (option canvas: "
                "--canvas on the command line, the canvas field in the tab)",
                where=where.rstrip(".") or "document",
            )
        width, height = (float(v) for v in options.canvas_size)

    parsed: list[Person] = []
    plain = _plain_bodies(people, options.min_confidence)
    for p, person in enumerate(people):
        pw = f"{where}people[{p}]"
        if not isinstance(person, dict):
            raise PoseFillError(f"expected an object, got {type(person).__name__}", where=pw)
        body = None
        raw_body = person.get(BODY_KEY)
        if plain is not None:
            body = plain[1][p]
            _keep_filled_outside(body, plain[0][p], person.get("posefill"), options.min_confidence)
        elif raw_body is not None:
            triples = _number_list(raw_body, f"{pw}.{BODY_KEY}")
            if len(triples) == 25:
                triples = triples[list(BODY25_TO_18)]
            elif len(triples) not in (0, NUM_JOINTS):
                raise PoseFillError(
                    f"expected 18 (OpenPose-18) or 25 (BODY_25) keypoints, got {len(triples)}", where=f"{pw}.{BODY_KEY}"
                )
            body = _split(triples, options.min_confidence) if len(triples) else None
            if body is not None:
                _keep_filled_outside(body, triples, person.get("posefill"), options.min_confidence)
        parts = {
            key: _split(_number_list(person[key], f"{pw}.{key}"), options.min_confidence)
            for key in PART_KEYS
            if person.get(key) is not None
        }
        # The keypoint lists now live in the arrays and the output is written from them: the raw person keeps
        # its keys in order but lets the decoded lists go, which a big document would otherwise hold twice.
        converted = set(parts) | ({BODY_KEY} if body is not None else set())
        kept = {k: None if k in converted else v for k, v in person.items()}
        parsed.append(Person(raw=kept, body=body, parts=parts))

    normalised = _is_normalised(parsed, options.coords)
    if normalised:
        scale = np.array([width, height])
        for p, person in enumerate(parsed):
            named = [(BODY_KEY, person.body)] if person.body is not None else []
            for key, part in named + list(person.parts.items()):
                part.xy = part.xy.copy()
                with np.errstate(over="ignore"):
                    part.xy[part.present] *= scale  # missing points keep their values: they are never used
                if not np.isfinite(part.xy[part.present]).all():
                    raise PoseFillError(
                        "a coordinate times the canvas size is beyond any number; are these really normalised "
                        "coordinates (coords)?",
                        where=f"{where}people[{p}].{key}",
                    )
    raw = {**doc, "people": [person.raw for person in parsed]}
    return PoseDocument(raw=raw, width=width, height=height, people=parsed, normalised=normalised)


def parts_of(person: Person) -> list[Part]:
    """Every keypoint list of a person: the body (if any), hands and face."""
    return ([person.body] if person.body is not None else []) + list(person.parts.values())


def present_points(doc: PoseDocument) -> np.ndarray:
    """(M, 2) pixel coordinates of every present point of every person, body, hands and face."""
    pts = [part.xy[part.present] for person in doc.people for part in parts_of(person)]
    return np.concatenate(pts) if pts else np.zeros((0, 2))


def _is_normalised(people: list[Person], coords: str) -> bool:
    if coords != "auto":
        return coords == "normalised"
    seen = False
    for person in people:
        for part in parts_of(person):
            xy = part.xy[part.present]
            if xy.size:
                seen = True
                if xy.max() > 1.0:
                    return False
    return seen


def parse_documents(value: Any, options: Options) -> tuple[list[PoseDocument], bool]:
    """Validate a decoded JSON value: one document, or a list of them (ComfyUI's POSE_KEYPOINT).

    Returns the documents and whether the input was a list.
    """
    if isinstance(value, list):
        total = sum(len(d["people"]) for d in value if isinstance(d, dict) and isinstance(d.get("people"), list))
        if total > options.max_people:
            raise PoseFillError(f"{total} people, over the limit of {options.max_people} (max_people)")
        return [_parse_one(doc, f"[{i}].", options) for i, doc in enumerate(value)], True
    return [_parse_one(value, "", options)], False


def _triples(parts: list[Part]) -> list[list[float]]:
    """Keypoint lists [x, y, c, ...] of parts of one length, converted together: c = 1.0 for present points, missing
    points all zeros."""
    xy, present = np.stack([part.xy for part in parts]), np.stack([part.present for part in parts])
    out = np.zeros((*present.shape, 3))
    out[..., :2] = np.where(present[..., None], xy, 0.0)
    out[..., 2] = present
    return out.reshape(len(parts), -1).tolist()


def _all_triples(doc: PoseDocument) -> dict[tuple[int, str], list[float]]:
    """Every keypoint list of the document by (person, key), those of one length converted together."""
    groups: dict[int, list[tuple[int, str, Part]]] = {}
    for p, person in enumerate(doc.people):
        named = [(BODY_KEY, person.body)] if person.body is not None else []
        for key, part in named + list(person.parts.items()):
            groups.setdefault(len(part.xy), []).append((p, key, part))
    return {
        (p, key): values
        for group in groups.values()
        for (p, key, _), values in zip(group, _triples([part for _, _, part in group]), strict=True)
    }


def write_document(doc: PoseDocument) -> dict[str, Any]:
    """The output document: pixel coordinates, c = 1.0 for present joints, and each completed person's
    ``posefill`` record."""
    out = dict(doc.raw)
    out["canvas_width"] = plain_number(doc.width)
    out["canvas_height"] = plain_number(doc.height)
    lists = _all_triples(doc)
    people = []
    for p, person in enumerate(doc.people):
        new = dict(person.raw)
        if person.body is not None:
            new[BODY_KEY] = lists[p, BODY_KEY]
        for key in person.parts:
            new[key] = lists[p, key]
        if person.record is not None:
            new["posefill"] = person.record
        people.append(new)
    out["people"] = people
    return out


def write_documents(docs: list[PoseDocument]) -> list[dict[str, Any]]:
    """The output documents; one without people comes back as it was (no canvas keys added)."""
    return [write_document(doc) if doc.people else dict(doc.raw) for doc in docs]


def plain_number(v: float) -> int | float:
    """A number as PoseFill writes it into JSON: whole values as int, others as float."""
    return int(v) if float(v).is_integer() else float(v)
