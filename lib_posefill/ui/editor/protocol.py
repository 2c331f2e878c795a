"""The messages between the editor (JavaScript in the page) and the tab's handlers (python).

JS -> python: an *action*, one JSON object per user gesture, written into the hidden textbox
``posefill-editor-action``, e.g. ``{"op": "move", "person": 0, "joint": 9, "x": 210.5, "y": 480, "id": 7}``;
``{"op": "table", "rows": [[joint, x, y, state], ...]}`` carries the edited joint table.
python -> JS: a *payload*, one JSON object per answer, in the hidden textbox ``posefill-editor-data``:
the completed document (the editor's ``data-state``), each person's joint states, the selected person and
its table rows, the status line, and optionally a new background picture or a file to download.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
from dataclasses import dataclass
from typing import Any

from ...errors import PoseFillError, shown
from ...jsontext import loads_json

OPS = ("move", "delete", "unpin", "restore", "reroll", "undo", "redo", "select", "table", "refresh", "export")
EXPORT_KINDS = ("json", "png")
MAX_ACTION_CHARS = 10_000
MAX_PERSON = 10**7  # the most people a document may hold (max_people's upper bound)
KEEP = object()
"""``payload(background=KEEP)``: the editor keeps the picture it shows."""
_sequence = itertools.count(1)


@dataclass(frozen=True)
class Action:
    op: str
    person: int = 0
    joint: int | None = None
    x: float | None = None
    y: float | None = None
    kind: str = "json"  # export: json or png
    rows: tuple = ()  # table: the edited rows
    id: Any = None  # echoed back as the payload's ``ack``


def _int(value: Any, name: str, low: int, high: int) -> int:
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise PoseFillError(f"expected an integer, got {shown(value)}", where=f"action.{name}")
    if not low <= value <= high:
        raise PoseFillError(f"expected {low}..{high}, got {shown(value)}", where=f"action.{name}")
    return int(value)


def _number(value: Any, name: str) -> float:
    try:
        finite = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    except OverflowError:  # an integer beyond any float
        finite = False
    if not finite:
        raise PoseFillError(f"expected a finite number, got {shown(value)}", where=f"action.{name}")
    return float(value)


def parse_action(text: Any) -> Action:
    """An Action from the editor's JSON text, or a one-line PoseFillError naming the bad field."""
    if not isinstance(text, str) or not text.strip():
        raise PoseFillError("expected an editor action (JSON object)", where="action")
    raw = _decode(text)
    if not isinstance(raw, dict):
        raise PoseFillError("expected a JSON object", where="action")
    op = raw.get("op")
    if op not in OPS:
        raise PoseFillError(f"expected one of {', '.join(OPS)}, got {shown(op)}", where="action.op")
    person = _int(raw.get("person", 0), "person", 0, MAX_PERSON)
    joint = raw.get("joint")
    joint = None if joint is None else _int(joint, "joint", 0, 17)
    x = y = None
    if op == "move":
        x, y = _number(raw.get("x"), "x"), _number(raw.get("y"), "y")
    if op in ("move", "delete", "unpin") and joint is None:
        raise PoseFillError(f"'{op}' needs a joint", where="action.joint")
    kind = raw.get("kind", "json")
    if op == "export" and kind not in EXPORT_KINDS:
        raise PoseFillError(f"expected one of {', '.join(EXPORT_KINDS)}, got {shown(kind)}", where="action.kind")
    rows = raw.get("rows", [])
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise PoseFillError("expected a list of [joint, x, y, state] rows", where="action.rows")
    ident = raw.get("id")
    ident = ident if isinstance(ident, (int, str)) and not isinstance(ident, bool) else None
    return Action(op=op, person=person, joint=joint, x=x, y=y, kind=kind, rows=tuple(rows), id=ident)


def _decode(text: str) -> Any:
    """The action's JSON, within the limits of every JSON input (size, nesting depth, finite numbers, valid
    Unicode: ``jsontext.loads_json``), or a one-line PoseFillError under ``action``."""
    if len(text) > MAX_ACTION_CHARS:
        raise PoseFillError(f"over {MAX_ACTION_CHARS} characters", where="action")
    try:
        return loads_json(text, 1.0)  # the size is bounded above; the memory bound of a 1 MB input is ample
    except PoseFillError as err:
        inner = err.where if err.where and err.where != "document" else ""
        raise PoseFillError(err.detail, where=f"action.{inner}" if inner else "action") from None


def action_id(text: Any) -> Any:
    """The ``id`` of an action, even of one that does not parse (so the editor hears back about it)."""
    try:
        raw = _decode(text) if isinstance(text, str) else None
    except PoseFillError:
        return None
    ident = raw.get("id") if isinstance(raw, dict) else None
    return ident if isinstance(ident, (int, str)) and not isinstance(ident, bool) else None


def download(name: str, data: bytes, mime: str) -> dict[str, str]:
    """A file for the editor to hand to the browser as a download."""
    return {"name": name, "mime": mime, "base64": base64.b64encode(data).decode("ascii")}


def payload(
    doc: dict[str, Any] | None,
    people: list[dict[str, Any]],
    person: int,
    rows: list[list[Any]],
    status: str,
    error: bool = False,
    ack: Any = None,
    loaded: bool = False,
    background: Any = KEEP,
    download: dict[str, str] | None = None,
) -> str:
    """The JSON text the editor receives. ``loaded``: a new pose (the editor resets its selection);
    ``background``: a data URL, None (no picture) or KEEP; ``seq`` makes every payload differ."""
    out: dict[str, Any] = {
        "seq": next(_sequence),
        "ack": ack,
        "doc": doc,
        "people": people,
        "person": person,
        "rows": rows,
        "status": status,
        "error": error,
        "loaded": loaded,
    }
    if background is not KEEP:
        out["background"] = background
    if download is not None:
        out["download"] = download
    return json.dumps(out, separators=(",", ":"), allow_nan=False)
