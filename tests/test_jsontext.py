"""The bounded JSON reader: its memory estimate bounds what json.loads really takes, depth and values are checked
wherever they sit, and every encoding JSON allows reads the same; with orjson and with the standard library alone
(``decoder``), which read every text to the same value or the same error."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from lib_posefill import jsontext
from lib_posefill.errors import NotJSONError, PoseFillError, TooLargeError
from lib_posefill.jsontext import decoded_size, dumps_compact, loads_json
from lib_posefill.limits import JSON_MEMORY_FACTOR, MAX_JSON_DEPTH


@pytest.fixture(params=["orjson", "json"])
def decoder(request, monkeypatch):
    """Each test using it runs with orjson (PoseFill's dependency) and with the standard library alone."""
    if request.param == "orjson":
        assert jsontext.orjson is not None, "orjson is a dependency of PoseFill"
    else:
        monkeypatch.setattr(jsontext, "orjson", None)
    return request.param


N = 100_000
SHAPES = {
    "small ints": "[" + ",".join(["0"] * N) + "]",
    "floats": "[" + ",".join(["1.5"] * N) + "]",
    "empty lists": "[" + ",".join(["[]"] * N) + "]",
    "empty objects": "[" + ",".join(["{}"] * N) + "]",
    "one-key objects": "[" + ",".join(['{"a":0}'] * N) + "]",
    "five-key objects": "[" + ",".join(['{"a":0,"b":1,"c":2,"d":3,"e":4}'] * (N // 5)) + "]",
    "short strings": "[" + ",".join(['"ab"'] * N) + "]",
    "unique keys": "{" + ",".join(f'"k{i}":0' for i in range(N)) + "}",
    "lists of one": "[" + ",".join(["[0]"] * N) + "]",
    "pose people": json.dumps({"people": [{"pose_keypoints_2d": [100.25, 200.5, 0.9] * 18}] * (N // 50)}),
}


@pytest.mark.parametrize("decode", ["json", "orjson"])
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_estimate_bounds_the_memory_json_loads_takes(name, decode):
    data = SHAPES[name].encode()
    loads = json.loads if decode == "json" else jsontext.orjson.loads
    tracemalloc.start()
    try:
        value = loads(data)
        taken, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert value is not None
    assert taken <= decoded_size(data) <= 8 * taken + len(data), (taken, decoded_size(data))


def test_json_over_the_memory_bound_is_refused_before_decoding():
    data = ("[" + ",".join(["{}"] * 200_000) + "]").encode()
    max_mb = decoded_size(data) / JSON_MEMORY_FACTOR / 2**20 * 0.99
    with pytest.raises(TooLargeError, match="of memory once decoded"):
        loads_json(data, max(max_mb, len(data) / 2**20 * 1.01))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_every_encoding_json_allows_reads_the_same(encoding, decoder):
    text = '{"name": "caf\u00e9"}'
    assert loads_json(text.encode(encoding)) == {"name": "caf\u00e9"}  # utf-8-sig, utf-16 and utf-32 carry a BOM
    assert loads_json("\ufeff" + text) == loads_json(text) == {"name": "caf\u00e9"}  # pasted text with a BOM


def test_depth_is_counted_from_the_document(decoder):
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert loads_json(ok) == eval(ok)
    with pytest.raises(PoseFillError, match=f"^document: nested more than {MAX_JSON_DEPTH} levels deep$"):
        loads_json("[" + ok + "]")
    deep = '{"a": {"b": [' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "]}}"
    with pytest.raises(PoseFillError, match="^a: nested more than"):
        loads_json(deep)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"a": [1, 2, {"b": NaN}]}', "a[2].b: expected a finite number, got nan"),
        ('{"a": [1, 2, -Infinity]}', "a[2]: expected a finite number, got -inf"),
        ('{"a": [1e400]}', "a[0]: expected a finite number, got inf"),
        ('[{"x y": ["\\udfff"]}]', '[0]["x y"][0]: expected valid Unicode text'),
        ('{"a": {"\\ud800x": 1}}', "a: expected valid Unicode text in a key"),
        ("NaN", "document: expected a finite number"),
    ],
)
def test_values_json_cannot_write_are_named_where_they_are(text, where, decoder):
    with pytest.raises(PoseFillError) as err:
        loads_json(text)
    assert str(err.value).startswith(where), str(err.value)


def test_values_json_can_write_pass(decoder):
    text = '{"a": [1e308, -0.0, 123456789012345678901234567890, "\\ud83d\\ude00 caf\\u00e9", true, null]}'
    value = loads_json(text)
    assert value == json.loads(text)
    assert value["a"][2] == 123456789012345678901234567890 and type(value["a"][2]) is int  # not a float
    assert value["a"][3] == "\U0001f600 caf\u00e9"


@pytest.mark.parametrize(
    ("data", "kind"), [(b"{", NotJSONError), (b"\xff\xfe\xfd", NotJSONError), (b"x" * 2000, NotJSONError)]
)
def test_text_that_is_no_json_is_its_own_kind_of_error(data, kind, decoder):
    with pytest.raises(kind):
        loads_json(data)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": [1.5, -0.0, 0.1, 1e-7, 5e-324, 1.7976931348623157e308], "a": 2}',  # a repeated key: the last
        "[9223372036854775807, 18446744073709551615, 1844674407370955161612, -9223372036854775809]",
        '{"people": [{"pose_keypoints_2d": [100.25, 200.5, 0.9, 0, 0, 0]}], "x": "caf\\u00e9 \\u2028"}',
        '  [1, true, false, null, "", {}, []]  ',
    ],
)
def test_both_decoders_read_the_same_values(text, monkeypatch):
    fast = loads_json(text)
    monkeypatch.setattr(jsontext, "orjson", None)
    plain = loads_json(text)
    assert json.dumps(fast) == json.dumps(plain) == json.dumps(json.loads(text))  # types too: 1 is no 1.0
    assert [type(v) for v in (fast if isinstance(fast, list) else fast.values())] == [
        type(v) for v in (plain if isinstance(plain, list) else plain.values())
    ]


def test_a_run_of_19_digits_is_read_by_json():
    assert jsontext.orjson is not None
    assert jsontext._fast_loads(b"[1844674407370955161612]") is jsontext._REFUSED  # orjson would read a float
    assert jsontext._fast_loads(b"[184467440737095516]") == [184467440737095516]


def test_the_compact_writer_writes_what_json_reads_back(decoder):
    value = {"pose": {"people": [{"pose_keypoints_2d": [1.5, 0.1, 1e-7, 1e16, -0.0, 3]}], "x": "caf\u00e9"}}
    assert json.loads(dumps_compact(value)) == value
    big = {"n": 2**70}  # beyond what orjson writes: the standard library writes it
    assert json.loads(dumps_compact(big)) == big


def test_large_texts_are_read_by_json_whose_memory_the_estimate_bounds(monkeypatch):
    big = json.dumps({"people": [{"pose_keypoints_2d": [100.25, 200.5, 0.9] * 18}] * 4000}).encode()
    assert len(big) > jsontext.FAST_BYTES
    assert jsontext._fast_loads(big) is jsontext._REFUSED
    calls, plain_loads = [], json.loads
    monkeypatch.setattr(jsontext.json, "loads", lambda data: calls.append(len(data)) or plain_loads(data))
    assert loads_json(big) == plain_loads(big) and calls == [len(big)]
