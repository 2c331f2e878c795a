"""Decoding JSON text within bounds: its size, the memory its decoded form takes, its nesting depth; and only
values JSON can write back (finite numbers, valid Unicode), so whatever PoseFill carries over from an input into
an output (a file, an HTTP answer, an export) is valid JSON again.

orjson, where installed (PoseFill lists it; gradio brings it to every WebUI), reads texts up to FAST_BYTES (an
HTTP request, a pose file) about 6 times faster than the standard library (a 100-person body) and already refuses
what JSON cannot write back. Text it refuses or could read differently (integers of 19 digits or more, which it
turns into floats beyond 64 bits), and larger texts, whose memory the estimate below bounds for ``json`` alone,
are read by ``json`` as before, with the same result and the same errors. ``dumps_compact`` writes the HTTP API's
answers (about 10 times faster for 100 people).
"""

from __future__ import annotations

import json
import math
from typing import Any

try:
    import orjson
except ImportError:  # the standard library alone: the same values, more slowly
    orjson = None

from .errors import NotJSONError, PoseFillError, TooLargeError, shown
from .files import over_limit
from .limits import JSON_MEMORY_FACTOR, MAX_JSON_DEPTH

DEFAULT_MAX_MB = 64.0
BYTE_COST = {b"{": 200, b"[": 80, b",": 40, b":": 40, b'"': 32}
"""Bytes of memory json.loads may take per structural character, on top of one byte per input byte: an object
(a dict of up to five keys is 184 bytes), a list, one more value (a float is 24 bytes plus its 8-byte slot), one
more key, half a string. Upper estimates for CPython on 64 bits (tests/test_jsontext.py checks them)."""
CONTAINERS = (dict, list)
MAX_PATH = 120  # characters of a value's path an error message shows


def decoded_size(data: bytes) -> int:
    """An upper estimate of the memory (bytes) ``json.loads(data)`` takes, counted at C speed."""
    return len(data) + sum(data.count(char) * cost for char, cost in BYTE_COST.items())


def loads_json(data: str | bytes, max_mb: float = DEFAULT_MAX_MB) -> Any:
    """Decode JSON text (str, or bytes in UTF-8/16/32, a byte-order mark allowed) within the bounds above.

    Errors are one line: line and column for syntax errors, the path of the value for the rest.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")  # json.loads(bytes) accepts a BOM; json.loads(str) does not
    limit = int(max_mb * 2**20)
    if len(data) > limit:
        raise over_limit(max_mb, len(data))
    estimate = decoded_size(data)
    if estimate > JSON_MEMORY_FACTOR * limit:
        raise TooLargeError(
            f"this JSON would take about {estimate / 2**20:,.0f} MB of memory once decoded, over "
            f"{JSON_MEMORY_FACTOR} x the {max_mb:g} MB size limit (max_file_mb); are there millions of tiny objects?"
        )
    value = _fast_loads(data)
    if value is not _REFUSED:
        check_value(value, leaves=False)  # orjson's values are all writable: only the depth is left to check
        return value
    try:
        value = json.loads(data)
    except UnicodeDecodeError:
        raise NotJSONError("not UTF-8 text; expected an OpenPose JSON document") from None
    except json.JSONDecodeError as err:
        raise NotJSONError(f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise PoseFillError(f"nested more than {MAX_JSON_DEPTH} levels deep", where="document") from None
    except ValueError as err:  # e.g. an integer literal with thousands of digits
        raise NotJSONError(f"invalid JSON: {str(err).splitlines()[0][:120]}") from None
    check_value(value)
    return value


_REFUSED = object()
FAST_BYTES = 2**20
"""Texts up to this size are read by orjson (its own working memory then stays a few MB)."""
DIGIT_MAP = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
"""Every digit to "0", every other byte to " ": a run of 19 digits becomes LONG_DIGITS."""
LONG_DIGITS = b"0" * 19
"""A run of 19 digits may be an integer beyond 64 bits, which orjson reads as a float: ``json`` reads such text."""


def _fast_loads(data: bytes) -> Any:
    """orjson's value for ``data`` (finite numbers and valid Unicode only), or _REFUSED: no orjson, text over
    FAST_BYTES, text it refuses, or a run of 19 digits."""
    if orjson is None or len(data) > FAST_BYTES or LONG_DIGITS in data.translate(DIGIT_MAP):
        return _REFUSED
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return _REFUSED


def dumps_compact(value: Any) -> bytes:
    """``value`` as compact JSON bytes (orjson where installed, else ``json``). Only for values of finite numbers
    (what PoseFill writes is; orjson would write a NaN as null where ``json`` raises ValueError)."""
    if orjson is not None:
        try:
            return orjson.dumps(value)
        except TypeError:  # e.g. an integer beyond 64 bits, read by ``json``: written by it too
            pass
    return json.dumps(value, allow_nan=False, separators=(",", ":")).encode()


def _valid_text(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _leaf_problem(value: Any) -> str | None:
    if type(value) is float and not math.isfinite(value):
        return f"expected a finite number, got {value} (JSON has no NaN or Infinity)"
    if type(value) is str and not _valid_text(value):
        return f"expected valid Unicode text, got {shown(value)} (a lone surrogate escape)"
    return None


def _plain_list(items: list) -> bool:
    """True when ``items`` holds only finite numbers, or only valid strings (checked at C speed)."""
    kinds = set(map(type, items))
    try:
        if kinds <= {int, float}:
            return all(map(math.isfinite, items))
    except OverflowError:  # an integer beyond any float: fine, but checked one by one
        return False
    return kinds <= {str} and all(map(_valid_text, items))


def _children(node: Any, leaves: bool):
    """(key, item) of a container's items; none for a list without containers whose values need no check here
    (plain numbers or strings, checked at C speed; any values when ``leaves`` is off)."""
    if type(node) is dict:
        return iter(node.items())
    if leaves:
        plain = _plain_list(node)
    else:
        kinds = set(map(type, node))
        plain = dict not in kinds and list not in kinds
    return iter(()) if plain else enumerate(node)


def check_value(value: Any, leaves: bool = True) -> None:
    """PoseFillError naming the path of the first value nested more than MAX_JSON_DEPTH levels deep, the first
    non-finite number, or the first string (or key) with a lone surrogate: what JSON cannot write back (with
    ``leaves`` off, only the depth: for values orjson decoded, which refuses the rest).
    Depth first, with one iterator per level: the memory it takes grows with the depth, not the size."""
    if type(value) not in CONTAINERS:
        problem = _leaf_problem(value) if leaves else None
        if problem:
            raise PoseFillError(problem, where="document")
        return
    levels = [_children(value, leaves)]
    keys: list = []  # keys[i]: where the container of levels[i + 1] sits in that of levels[i]
    while levels:
        step = next(levels[-1], None)
        if step is None:
            levels.pop()
            del keys[len(levels) - 1 :]
            continue
        key, item = step
        if leaves and type(key) is str and not _valid_text(key):
            raise PoseFillError(f"expected valid Unicode text in a key, got {shown(key)}", where=path_text(keys))
        if type(item) in CONTAINERS:
            if len(levels) >= MAX_JSON_DEPTH:
                raise PoseFillError(
                    f"nested more than {MAX_JSON_DEPTH} levels deep", where=path_text([*keys, key], top=True)
                )
            if item:
                keys.append(key)
                levels.append(_children(item, leaves))
        elif leaves:
            problem = _leaf_problem(item)
            if problem:
                raise PoseFillError(problem, where=path_text([*keys, key]))


def path_text(keys: list, top: bool = False) -> str:
    """``["people", 0, "x"]`` -> ``people[0].x``; ``top`` keeps only the part up to the first key (none: the
    document)."""
    if top:
        first = next((i for i, k in enumerate(keys) if isinstance(k, str)), -1)
        keys = keys[: first + 1]
    out = ""
    for key in keys:
        if isinstance(key, int):
            out += f"[{key}]"
        elif key.isidentifier():
            out += f".{key}" if out else key
        else:
            out += f"[{shown(key)}]"
    return (out if len(out) <= MAX_PATH else out[: MAX_PATH - 3] + "...") or "document"
