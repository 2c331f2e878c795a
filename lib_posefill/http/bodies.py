"""The HTTP API's request bodies: each route's fields checked by hand, in one pass over the decoded object, the
same way under every host's pins (no pydantic model on top of PoseFill's own checks).

Unknown fields are refused, ``complete`` and ``extend`` must be true or false, ``style`` one of its values,
``frame`` four finite numbers with x0 < x1 and y0 < y1; each field is read once (``READERS``). ``options`` then
goes through the one options model (``Options.from_host``), and ``pose`` through the core's document reader. The
first wrong field is named (in the order of ``EXPECTED``, then unknown fields in the order sent), in one line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import PoseFillError, shown
from ..options import DEFAULTS, Options

STYLES = ("controlnet", "preview")
SERVER_ONLY = ("max_file_mb", "max_people")
"""Limits the server sets; a request cannot raise them."""
EXPECTED = {
    "pose": "a pose document or a list of them",
    "options": "an object of options",
    "frame": "[x0, y0, x1, y1] with x0 < x1 and y0 < y1",
    "complete": "true or false",
    "style": f"one of {', '.join(STYLES)}",
    "extend": "true or false",
}
ROUTE_FIELDS = {"complete": ("pose", "options", "frame"), "render": tuple(EXPECTED)}


@dataclass
class PoseRequest:
    """A checked request body; ``options`` is still the raw mapping (see ``request_options``)."""

    pose: Any
    options: dict[str, Any] | None = None
    frame: tuple[float, float, float, float] | None = None
    complete: bool = False
    style: str = "controlnet"
    extend: bool = False


BAD = object()
"""What a field's reader returns for a value of the wrong kind."""


def _is_number(v: Any) -> bool:
    return type(v) is float or (isinstance(v, int) and not isinstance(v, bool))


def _frame(v: Any) -> tuple[float, float, float, float] | None | object:
    """The frame as four floats (checked in one pass: a list of four finite numbers, x0 < x1, y0 < y1), None, or
    ``BAD``."""
    if v is None:
        return None
    if not (type(v) is list and len(v) == 4 and all(map(_is_number, v))):
        return BAD
    try:
        x0, y0, x1, y1 = (float(n) for n in v)
    except OverflowError:  # an integer beyond any float
        return BAD
    ok = all(math.isfinite(n) for n in (x0, y0, x1, y1)) and x0 < x1 and y0 < y1
    return (x0, y0, x1, y1) if ok else BAD


def _kind(test: Any) -> Any:
    return lambda v: v if test(v) else BAD


READERS = {
    "options": _kind(lambda v: v is None or type(v) is dict),
    "frame": _frame,
    "complete": _kind(lambda v: v is True or v is False),
    "style": _kind(lambda v: type(v) is str and v in STYLES),
    "extend": _kind(lambda v: v is True or v is False),
}
"""Per field: the value to use, or ``BAD``; each value read once."""


def _field_name(field: Any) -> str:
    text = str(field)
    return text if text.isidentifier() and len(text) <= 40 else shown(text)


def validate(route: str, body: dict[str, Any]) -> PoseRequest:
    """The request of ``route`` ("complete" or "render") from a decoded JSON object; PoseFillError naming the
    first wrong field."""
    fields = ROUTE_FIELDS[route]
    if "pose" not in body:
        raise PoseFillError(f"missing; expected {EXPECTED['pose']}", where="pose")
    given = {"pose": body["pose"]}
    for field in fields[1:]:
        if field in body:
            value = given[field] = READERS[field](body[field])
            if value is BAD:
                raise PoseFillError(f"expected {EXPECTED[field]}, got {shown(body[field])}", where=field)
    if len(body) > len(given):
        unknown = next(key for key in body if key not in fields)
        raise PoseFillError(f"unknown field; /{route} takes {', '.join(fields)}", where=_field_name(unknown))
    return PoseRequest(**given)


def request_options(request: PoseRequest) -> Options:
    """The request's options through the one options model; the server's limits cannot be set."""
    if not request.options:
        return DEFAULTS
    refused = sorted(set(request.options) & set(SERVER_ONLY))
    if refused:
        raise PoseFillError(f"{', '.join(refused)} cannot be set over HTTP", where="options")
    try:
        return Options.from_host(request.options)
    except PoseFillError as err:
        raise err.at("options") from None
