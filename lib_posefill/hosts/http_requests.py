"""The HTTP API's request bodies: one request model per route, checked the same way under both hosts' pins.

pydantic (1 under AUTOMATIC1111, 2 under Forge; the models are built on first use, so importing this needs
neither) decides which fields a request may have and of what kind: unknown fields are refused, ``complete`` and
``extend`` must be true or false, ``style`` one of its values. ``options`` then goes through the one options model
(``Options.from_mapping``), and ``pose`` through the core's document reader. Errors are one line naming the field.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Dict, Literal, Optional, Tuple, Union  # noqa: UP035 (pydantic 1 reads these at runtime)

from ..errors import PoseFillError, shown
from ..options import Options

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
MISSING = ("missing", "value_error.missing")  # pydantic 2, 1
EXTRA = ("extra_forbidden", "value_error.extra")


@functools.cache
def models() -> dict[str, type]:
    """The pydantic model of each route's body, by route name."""
    import pydantic
    from pydantic import StrictBool, StrictFloat, StrictInt

    number = Union[StrictInt, StrictFloat]  # noqa: UP007
    kinds = {
        "pose": (Any, ...),
        "options": (Optional[Dict[str, Any]], None),  # noqa: UP006, UP007
        "frame": (Optional[Tuple[number, number, number, number]], None),  # noqa: UP006, UP007
        "complete": (StrictBool, False),
        "style": (Literal[STYLES], "controlnet"),
        "extend": (StrictBool, False),
    }
    if pydantic.VERSION.startswith("1."):
        config: Any = type("Config", (), {"extra": "forbid"})
    else:
        config = pydantic.ConfigDict(extra="forbid")
    return {
        route: pydantic.create_model(f"{route.capitalize()}Request", __config__=config, **{f: kinds[f] for f in fields})
        for route, fields in ROUTE_FIELDS.items()
    }


def _field_name(field: Any) -> str:
    text = str(field)
    return text if text.isidentifier() and len(text) <= 40 else shown(text)


def validate(route: str, body: dict[str, Any]) -> Any:
    """The request of ``route`` ("complete" or "render") from a decoded JSON object; PoseFillError naming the
    first wrong field."""
    import pydantic

    model = models()[route]
    try:
        request = model.model_validate(body) if hasattr(model, "model_validate") else model.parse_obj(body)
    except pydantic.ValidationError as err:
        first = err.errors()[0]
        field = first["loc"][0] if first["loc"] else "request body"
        if first["type"] in MISSING:
            raise PoseFillError(f"missing; expected {EXPECTED[field]}", where=field) from None
        if first["type"] in EXTRA or field not in EXPECTED:
            known = ", ".join(ROUTE_FIELDS[route])
            raise PoseFillError(f"unknown field; /{route} takes {known}", where=_field_name(field)) from None
        raise PoseFillError(f"expected {EXPECTED[field]}, got {shown(body.get(field))}", where=field) from None
    if request.frame is not None:
        request.frame = _frame(request.frame)
    return request


def _frame(values: tuple) -> tuple[float, float, float, float]:
    try:
        x0, y0, x1, y1 = (float(v) for v in values)
    except OverflowError:  # an integer beyond any float
        x0 = y0 = x1 = y1 = math.nan
    if not (all(math.isfinite(v) for v in (x0, y0, x1, y1)) and x0 < x1 and y0 < y1):
        raise PoseFillError(f"expected {EXPECTED['frame']}, got {shown(list(values))}", where="frame")
    return x0, y0, x1, y1


def request_options(request: Any) -> Options:
    """The request's options through the one options model; the server's limits cannot be set."""
    options = request.options or {}
    refused = sorted(set(options) & set(SERVER_ONLY))
    if refused:
        raise PoseFillError(f"{', '.join(refused)} cannot be set over HTTP", where="options")
    try:
        return Options.from_mapping(options)
    except PoseFillError as err:
        raise err.at("options") from None
