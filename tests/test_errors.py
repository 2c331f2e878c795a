"""Bad input: every file of the error corpus gets one line naming the field, never a traceback (generated inputs:
the fuzz suite, tests/test_fuzz.py)."""

from __future__ import annotations

import pytest
from conftest import run_cli

from lib_posefill import Options, PoseFillError
from lib_posefill.document import loads_json, parse_documents

CANVAS = '"canvas_width": 64, "canvas_height": 64'
BODY = ", ".join(["10, 10, 1"] * 18)

CORPUS = {
    "truncated": ('{"people": [', "invalid JSON at line 1"),
    "empty": ("", "invalid JSON"),
    "not_utf8": (b'{"people": "\xff"}', "not UTF-8"),
    "deep": ("[" * 50000 + "]" * 50000, "nested more than 100 levels deep"),
    "null": ("null", "document: expected a pose document object"),
    "numbers_list": ("[1, 2]", "[0]: expected a pose document object"),
    "no_people": (f"{{{CANVAS}}}", "missing 'people'"),
    "people_object": (f'{{"people": {{}}, {CANVAS}}}', "people: expected a list"),
    "person_number": (f'{{"people": [1], {CANVAS}}}', "people[0]: expected an object"),
    "body_string": (f'{{"people": [{{"pose_keypoints_2d": "abc"}}], {CANVAS}}}', "people[0].pose_keypoints_2d:"),
    "body_not_triples": (f'{{"people": [{{"pose_keypoints_2d": [1, 2]}}], {CANVAS}}}', "multiple of 3"),
    "body_6_points": (
        f'{{"people": [{{"pose_keypoints_2d": [{", ".join(["1"] * 18)}]}}], {CANVAS}}}',
        "18 (OpenPose-18) or 25",
    ),
    "body_text_value": (
        f'{{"people": [{{"pose_keypoints_2d": ["a", {BODY[3:]}]}}], {CANVAS}}}',
        "pose_keypoints_2d[0]:",
    ),
    "body_nan": (
        f'{{"people": [{{"pose_keypoints_2d": [1, 2, NaN, {BODY[10:]}]}}], {CANVAS}}}',
        "pose_keypoints_2d[2]: expected a finite",
    ),
    "body_infinity": (
        f'{{"people": [{{"pose_keypoints_2d": [Infinity, {BODY[3:]}]}}], {CANVAS}}}',
        "pose_keypoints_2d[0]: expected a finite",
    ),
    "body_1e999": (
        f'{{"people": [{{"pose_keypoints_2d": [1e999, {BODY[3:]}]}}], {CANVAS}}}',
        "pose_keypoints_2d[0]: expected a finite",
    ),
    "body_huge_int": (
        f'{{"people": [{{"pose_keypoints_2d": [{"9" * 400}, {BODY[3:]}]}}], {CANVAS}}}',
        "pose_keypoints_2d[0]: expected a finite",
    ),
    "body_bool": (
        f'{{"people": [{{"pose_keypoints_2d": [true, {BODY[3:]}]}}], {CANVAS}}}',
        "pose_keypoints_2d[0]: expected a number",
    ),
    "body_null_value": (
        f'{{"people": [{{"pose_keypoints_2d": [null, {BODY[3:]}]}}], {CANVAS}}}',
        "pose_keypoints_2d[0]: expected a number",
    ),
    "int_too_long": ('{"people": [], "canvas_width": ' + "1" * 5000 + "}", "invalid JSON"),
    "canvas_zero": (
        '{"people": [], "canvas_width": 0, "canvas_height": 5}',
        "canvas_width: expected a whole number of pixels",
    ),
    "canvas_negative": (
        '{"people": [], "canvas_width": 5, "canvas_height": -5}',
        "canvas_height: expected a whole number of pixels",
    ),
    "canvas_text": (
        '{"people": [], "canvas_width": "512", "canvas_height": 5}',
        "canvas_width: expected a whole number of pixels",
    ),
    "canvas_bool": (
        '{"people": [], "canvas_width": 5, "canvas_height": true}',
        "canvas_height: expected a whole number of pixels",
    ),
    "no_canvas": ('{"version": 1.3, "people": []}', "--canvas on the command line"),
    "hand_object": (
        f'{{"people": [{{"hand_left_keypoints_2d": {{"x": 1}}}}], {CANVAS}}}',
        "people[0].hand_left_keypoints_2d:",
    ),
    "face_4_numbers": (
        f'{{"people": [{{"face_keypoints_2d": [1, 2, 3, 4]}}], {CANVAS}}}',
        "people[0].face_keypoints_2d:",
    ),
    "list_second_bad": (f'[{{"people": [], {CANVAS}}}, {{"people": 3, {CANVAS}}}]', "[1].people: expected a list"),
    "second_person_bad": (
        f'{{"people": [{{"pose_keypoints_2d": [{BODY}]}}, {{"pose_keypoints_2d": 5}}], {CANVAS}}}',
        "people[1].pose_keypoints_2d:",
    ),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_one_line_naming_the_field(name):
    text, expected = CORPUS[name]
    with pytest.raises(PoseFillError) as info:
        parse_documents(loads_json(text), Options())
    message = str(info.value)
    assert expected in message and "\n" not in message and len(message) < 300


def test_corpus_through_the_cli(tmp_path):
    src = tmp_path / "corpus"
    src.mkdir()
    for name, (text, _) in CORPUS.items():
        (src / f"{name}.json").write_bytes(text if isinstance(text, bytes) else text.encode())
    (src / "fine.json").write_text(f'{{"people": [{{"pose_keypoints_2d": [{BODY}]}}], {CANVAS}}}')
    done = run_cli("complete", str(src), "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith(str(src))]
    assert len(lines) == len(CORPUS)
    for name, (_, expected) in CORPUS.items():
        (line,) = [line for line in lines if line.startswith(f"{src / name}.json: ")]
        assert expected in line, line
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["fine.json"]
