"""The fuzz suite's inputs: hypothesis strategies for pose documents, the files and texts they travel in, uploads
and HTTP requests, and a fixed corpus of nasty files (and folder entries) the tests generate.

Used by tests/test_fuzz.py (API and CLI), tests/webui/test_http_fuzz.py and tests/tab/test_tab_fuzz.py. Example
counts are bounded (``settings_for``) so the whole suite stays within a few minutes on 2 cores.
"""

from __future__ import annotations

import codecs
import json
import os
import struct
import zlib
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

PARTS = ("pose_keypoints_2d", "hand_left_keypoints_2d", "hand_right_keypoints_2d", "face_keypoints_2d")


def settings_for(examples: int):
    """Bounded example counts. The draws are the same on every run (a red CI is always reproducible); set
    POSEFILL_FUZZ_RANDOM=1 to explore new ones."""
    return settings(
        max_examples=examples,
        derandomize=os.environ.get("POSEFILL_FUZZ_RANDOM") != "1",
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )


# -- JSON values and pose documents ---------------------------------------------------------------------------------
odd_text = st.sampled_from(["\ud800", "\udfff", "\U0001f600", "\x00", "\u202e", "\ufeff", "caf\u00e9", "\n", "a" * 300])
text = st.text(max_size=6) | odd_text
huge_int = st.integers(min_value=10**300, max_value=10**310) | st.integers(max_value=-(10**300), min_value=-(10**310))
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(min_value=-2, max_value=2),
    st.floats(min_value=0, max_value=2000),
    st.sampled_from([1e10, -1e10, 1e308, -1e308, 5e-324, 0.4, 1e-300, 2**53 + 1]),
    huge_int,
    st.booleans(),
    st.none(),
    text,
)
scalars = st.none() | st.booleans() | st.floats() | st.integers() | huge_int | text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)
keypoints = st.one_of(
    st.lists(numbers, max_size=80),
    st.lists(st.floats(min_value=-50, max_value=900), min_size=54, max_size=54),
    st.lists(st.floats(min_value=-1e12, max_value=1e12), min_size=54, max_size=54),
    st.lists(st.floats(min_value=0, max_value=1), min_size=75, max_size=75),
    st.lists(st.floats(min_value=0, max_value=600), min_size=63, max_size=63),
    json_values,
)
person = st.dictionaries(st.sampled_from([*PARTS, "posefill", "x"]), keypoints, max_size=5)
canvas_value = st.one_of(
    st.integers(-5, 3000),
    st.sampled_from([0.4, 1e-300, 512.0, 16384, 16385, 4097, 10**6, 2**63]),
    st.floats(),
    st.none(),
    text,
    st.booleans(),
)
documents = st.fixed_dictionaries(
    {"people": st.one_of(st.lists(person, max_size=4), json_values)},
    optional={
        "canvas_width": canvas_value,
        "canvas_height": canvas_value,
        "animals": json_values,
        "version": json_values,
        "\ud800": scalars,
    },
)
coordinates = st.floats(min_value=-200, max_value=2300) | st.sampled_from([0.0, 1.0, 1e10, -1e10, 1e308])
confidence = st.sampled_from([0.0, 0.3, 1.0]) | st.floats(min_value=0, max_value=1)


def triples_of(count: int):
    return st.lists(st.tuples(coordinates, coordinates, confidence), min_size=count, max_size=count).map(
        lambda points: [v for point in points for v in point]
    )


plausible_person = st.fixed_dictionaries(
    {"pose_keypoints_2d": triples_of(18) | triples_of(25)},
    optional={
        "hand_left_keypoints_2d": triples_of(21),
        "hand_right_keypoints_2d": triples_of(21),
        "face_keypoints_2d": triples_of(70) | st.none(),
        "posefill": st.fixed_dictionaries({"filled": st.lists(st.integers(-2, 20) | scalars, max_size=5)}) | scalars,
    },
)
plausible_documents = st.fixed_dictionaries(
    {
        "people": st.lists(plausible_person, max_size=3),
        "canvas_width": st.integers(1, 2048) | st.sampled_from([1, 16384, 512.0]),
        "canvas_height": st.integers(1, 2048) | st.sampled_from([1, 1024, 768.0]),
    },
    optional={"animals": json_values, "extra": json_values},
)
"""Documents that mostly parse: bodies, hands and faces with coordinates in and around the canvas."""
inputs = st.one_of(
    plausible_documents,
    plausible_documents,
    documents,
    st.lists(plausible_documents | documents, max_size=3),
    json_values,
)
option_sets = st.fixed_dictionaries(
    {},
    optional={
        "scope": st.sampled_from(["limbs", "all", "outside"]),
        "framing": st.sampled_from(["keep", "fit"]),
        "coords": st.sampled_from(["auto", "pixel", "normalised"]),
        "canvas": st.sampled_from(["64x64", "512x768"]),
        "min_visible": st.integers(1, 18),
        "seed": st.integers(0, 10),
    },
)
any_options = option_sets | st.dictionaries(
    text | st.sampled_from(["scope", "seed", "margin", "canvas"]), scalars, max_size=3
)


# -- texts and files ------------------------------------------------------------------------------------------------
def nest(value, depth: int):
    for _ in range(depth):
        value = [value]
    return value


MUTATIONS = {
    "as is": lambda t, n: t,
    "truncated": lambda t, n: t[: n % (len(t) + 1)],
    "byte-order mark": lambda t, n: "\ufeff" + t,
    "nested": lambda t, n: json.dumps(nest(json.loads(t), 90 + n % 30)) if t else t,
    "duplicate key": lambda t, n: t.replace("{", '{"people": 1, ', 1),
    "NaN": lambda t, n: t.replace("0", "NaN", 1),
    "Infinity": lambda t, n: t.replace("1", "-Infinity", 1),
    "huge exponent": lambda t, n: t.replace("1", "1e999", 1),
    "lone surrogate": lambda t, n: t.replace('"', '"\\udc00', 1),
    "null byte": lambda t, n: t[: n % (len(t) + 1)] + "\x00" + t[n % (len(t) + 1) :],
}
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1")


def mutated(value, mutation: str, n: int) -> str:
    try:
        return MUTATIONS[mutation](json.dumps(value), n)
    except (ValueError, RecursionError):  # e.g. an integer json.dumps cannot write
        return "{}"


mutations = st.sampled_from(["as is"] * len(MUTATIONS) + sorted(MUTATIONS))  # half of them as they are
json_texts = st.builds(mutated, inputs, mutations, st.integers(0, 10**6))


def encoded(text_: str, encoding: str) -> bytes:
    return text_.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")


json_files = st.builds(encoded, json_texts, st.sampled_from(("utf-8",) * len(ENCODINGS) + ENCODINGS))


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def jpeg_header(width: int, height: int) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + sof


def _riff(chunk: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_vp8x(width: int, height: int) -> bytes:
    size = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff(b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4 + size)


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    return _riff(b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits))


def webp_vp8(width: int, height: int) -> bytes:
    return _riff(b"VP8 " + struct.pack("<I", 10) + b"\x00" * 3 + b"\x9d\x01\x2a" + struct.pack("<HH", width, height))


def bmp_rle(width: int, height: int) -> bytes:
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info), 0, 0, 14 + len(info)) + info + b"\x00\x01" * 400


def gif_header(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + b"," + struct.pack("<HHHHB", 0, 0, 8, 8, 0)


IMAGE_HEADERS = {
    "png": png_header,
    "jpeg": jpeg_header,
    "webp-vp8x": webp_vp8x,
    "webp-vp8l": webp_vp8l,
    "webp-vp8": webp_vp8,
    "bmp": bmp_rle,
    "gif": gif_header,
}
"""A header claiming a size, with little or no pixel data behind it (an image bomb when the size is large)."""
LIMITS = {"png": 2**31 - 1, "jpeg": 65535, "webp-vp8x": 2**24, "webp-vp8l": 16384, "webp-vp8": 16383, "gif": 65535}


@st.composite
def image_headers(draw) -> bytes:
    kind = draw(st.sampled_from(sorted(IMAGE_HEADERS)))
    top = LIMITS.get(kind, 2**31 - 1)
    width, height = (draw(st.integers(1, top) | st.sampled_from([1, 64, 4096, 4097, top])) for _ in range(2))
    data = IMAGE_HEADERS[kind](width, height)
    return data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data


files = st.one_of(json_files, json_files, json_files, st.binary(max_size=300), image_headers())
"""The bytes of an upload, or of a file in a folder given to the CLI."""

requests = st.fixed_dictionaries(
    {},
    optional={
        "pose": inputs,
        "options": any_options | scalars,
        "frame": st.lists(numbers, max_size=5) | scalars,
        "complete": st.booleans() | scalars,
        "style": st.sampled_from(["controlnet", "preview", "sketch"]) | scalars,
        "extend": st.booleans() | scalars,
        "extra": scalars,
    },
)
request_bodies = st.one_of(
    st.builds(lambda body, mutation, n: encoded(mutated(body, mutation, n), "utf-8"), requests,
              mutations, st.integers(0, 10**6)),
    st.binary(max_size=200),
    json_files,
)  # fmt: skip


# -- ComfyUI node inputs and sequences ------------------------------------------------------------------------------
NUMPY_KINDS = ("float32", "float64", "int64", "int32", "uint16")


def numpy_mix(value, seed: int):
    """``value`` with some of its numbers and number lists turned into numpy scalars and arrays (as other custom
    nodes hand them over), picked by ``seed``; imported lazily so strategies stay cheap to define."""
    import numpy as np

    rng = np.random.default_rng(seed)

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            if v and all(type(x) in (int, float) for x in v) and rng.random() < 0.7:
                kind = NUMPY_KINDS[rng.integers(len(NUMPY_KINDS))]
                with np.errstate(all="ignore"):
                    try:
                        array = np.asarray(v, dtype=kind)
                    except (OverflowError, ValueError):
                        return v
                return array.reshape(-1, 3) if len(v) % 3 == 0 and rng.random() < 0.3 else array
            return [walk(x) for x in v] if rng.random() < 0.8 else tuple(walk(x) for x in v)
        if type(v) is int and rng.random() < 0.5 and abs(v) < 2**62:
            return np.int64(v)
        if type(v) is float and rng.random() < 0.5:
            return np.float32(v) if abs(v) < 1e30 else np.float64(v)
        return v

    return walk(value)


comfy_specials = st.sampled_from(
    [
        [],
        [{}],
        [{"people": []}],
        [{"people": [], "canvas_width": 0, "canvas_height": 0}],
        [{"people": [{"pose_keypoints_2d": [float("nan")] * 54}], "canvas_width": 64, "canvas_height": 64}],
        [{"people": [{"pose_keypoints_2d": "1, 2, 1"}], "canvas_width": 64, "canvas_height": 64}],
        [{"people": [{"pose_keypoints_2d": []}], "canvas_width": 64, "canvas_height": 64}],
        [{"people": [], "canvas_width": 16384, "canvas_height": 16384}],
        [{"people": [], "canvas_width": 4096, "canvas_height": 4096}] * 64,
        [{"people": [], "canvas_width": "512", "canvas_height": "768"}],
        "not a pose",
        None,
    ]
)
comfy_inputs = st.one_of(
    st.builds(numpy_mix, st.lists(plausible_documents, min_size=1, max_size=3), st.integers(0, 2**32)),
    st.builds(numpy_mix, inputs, st.integers(0, 2**32)),
    comfy_specials,
)
"""POSE_KEYPOINT values a ComfyUI node may receive: numpy values, missing keys, NaN, strings, empty lists,
canvas 0, huge canvases, and whatever else the documents above hold."""
mixed_canvas_clips = st.lists(
    st.fixed_dictionaries(
        {
            "people": st.lists(plausible_person, max_size=3),
            "canvas_width": st.sampled_from([512, 1024, 640]),
            "canvas_height": st.sampled_from([768, 1536, 480]),
        }
    ),
    min_size=1,
    max_size=12,
)
"""Clips whose frames mix canvas sizes (the same shape at another size, and other shapes) and 0-people frames."""


# -- editor actions (the tab) ---------------------------------------------------------------------------------------
EDITOR_FIELDS = ("op", "person", "joint", "x", "y", "kind", "rows", "id")
hostile_json = st.one_of(
    st.integers(90, 6000).map(lambda n: "[" * n + "1" + "]" * n),  # deep nesting, within and past the limits
    st.integers(90, 3000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.sampled_from(["1e999", "-1e999", "NaN", "Infinity", "9" * 5000, "1e308", "-1e308", "5e-324", '"\\ud800"']),
    st.sampled_from(['"r_kneee"', '"elbow"', '""', "18", "-1", "1e10", "true", "null", "{}", '[["nose"]]']),
    st.sampled_from(['[["r_knee", "x", "y", "pinned"]]', '[["hip_3", 1, 2, "given"]]', '[["r_knee", 1e308, 5, 7]]']),
)


def with_raw_field(action: dict, key: str, raw: str) -> str:
    """The action's JSON text with field ``key`` set to the raw JSON text ``raw`` (which json.dumps could not
    always write: deep nesting, NaN, literals beyond float range)."""
    return json.dumps({**action, key: "@@"}).replace('"@@"', raw, 1)


# -- the fixed corpus -----------------------------------------------------------------------------------------------
def good_document() -> dict:
    body = [v for j in range(18) for v in (100.0 + 4 * (j % 5), 50.0 + 20 * j, 1.0)]
    body[3 * 10 : 3 * 10 + 3] = [0, 0, 0]  # the right ankle is missing
    return {"people": [{"pose_keypoints_2d": body}], "canvas_width": 512, "canvas_height": 512}


def nasty_texts() -> dict[str, bytes]:
    """Files that must each be refused with one line (name -> bytes)."""
    canvas = '"canvas_width": 64, "canvas_height": 64'
    return {
        "truncated.json": b'{"people": [',
        "empty.json": b"",
        "not_utf8.json": b'{"people": "\xff"}',
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "deep_inside.json": f'{{"people": [], {canvas}, "x": {"[" * 150}{"]" * 150}}}'.encode(),
        "nan_unknown.json": f'{{"people": [], {canvas}, "x": NaN}}'.encode(),
        "inf_body.json": f'{{"people": [{{"pose_keypoints_2d": [1e999{", 1" * 53}]}}], {canvas}}}'.encode(),
        "surrogate.json": f'{{"people": [], {canvas}, "name": "\\ud800"}}'.encode(),
        "surrogate_key.json": f'{{"people": [], {canvas}, "\\udfff": 1}}'.encode(),
        "canvas_fraction.json": b'{"people": [], "canvas_width": 0.4, "canvas_height": 8}',
        "canvas_tiny.json": b'{"people": [], "canvas_width": 1e-300, "canvas_height": 8}',
        "canvas_huge.json": b'{"people": [], "canvas_width": 100000, "canvas_height": 8}',
        "canvas_zero.json": b'{"people": [], "canvas_width": 0, "canvas_height": 0}',
        "no_canvas.json": b'{"version": 1.3, "people": []}',
        "too_many_people.json": json.dumps([{**good_document(), "people": good_document()["people"] * 6000}] * 2).encode(),
        "tiny_objects.json": b'{"people": [], "canvas_width": 8, "canvas_height": 8, "x": [' + b"{}," * 3_000_000 + b"{}]}",
        "huge_int.json": b'{"people": [], "canvas_width": ' + b"9" * 5000 + b', "canvas_height": 8}',
        "png_bomb.json": png_header(20000, 20000),
        "utf16_bad.json": '{"people": 3}'.encode("utf-16"),
        "list_empty_doc.json": b"[{}]",
    }  # fmt: skip


def nasty_entries(folder: Path) -> set[str]:
    """Folder entries no file can be read from: a link loop, a dangling link, a folder, a FIFO. Returns their names."""
    (folder / "loop.json").symlink_to("loop.json")
    (folder / "dangling.json").symlink_to("no-such-target.json")
    (folder / "folder.json").mkdir()
    names = {"loop.json", "dangling.json", "folder.json"}
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.json")
        names.add("fifo.json")
    return names


def good_texts() -> dict[str, bytes]:
    """Files that must be completed (name -> bytes), in the encodings and shapes JSON allows."""
    doc = good_document()
    text = json.dumps(doc)
    return {
        "good.json": text.encode(),
        "good_bom.json": codecs.BOM_UTF8 + text.encode(),
        "good_utf16.json": text.encode("utf-16"),
        "good_list.json": json.dumps([doc, {**doc, "people": []}]).encode(),
        "good_unicode.json": json.dumps({**doc, "name": "caf\u00e9 \U0001f600", "big": 10**300}).encode(),
        "good_duplicate_keys.json": text.replace("{", '{"people": 5, ', 1).encode(),
        "good_far_joint.json": json.dumps({**doc, "people": [{"pose_keypoints_2d": [1e10, 1e10, 1] * 18}]}).encode(),
    }
