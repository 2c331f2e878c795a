"""The options model: defaults, validation with field names, and the CLI flags built from FIELDS."""

from __future__ import annotations

import argparse

import pytest

from lib_posefill import Options, PoseFillError
from lib_posefill.options import FIELDS, add_option_arguments, options_from_args


def test_defaults_match_fields():
    opts = Options()
    for field in FIELDS:
        assert getattr(opts, field.name) == field.default


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"scope": "legs"}, "scope"),
        ({"framing": 1}, "framing"),
        ({"margin": 0.9}, "margin"),
        ({"margin": "wide"}, "margin"),
        ({"margin": float("nan")}, "margin"),
        ({"margin": 10**400}, "margin"),
        ({"min_visible": 0}, "min_visible"),
        ({"min_visible": 2.5}, "min_visible"),
        ({"min_visible": True}, "min_visible"),
        ({"seed": -1}, "seed"),
        ({"canvas": "512"}, "canvas"),
        ({"canvas": "0x5"}, "canvas"),
        ({"scope": None}, "scope"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_name_the_field(values, field):
    with pytest.raises(PoseFillError) as info:
        Options.from_mapping(values)
    assert field in str(info.value) and "\n" not in str(info.value)


def test_coercion_and_replace():
    opts = Options.from_mapping({"min_visible": "4", "seed": 3.0, "canvas": [640, 480], "margin": "0.1"})
    assert (opts.min_visible, opts.seed, opts.canvas, opts.margin) == (4, 3, "640x480", 0.1)
    assert opts.canvas_size == (640, 480)
    assert opts.replace(scope="all").scope == "all"
    with pytest.raises(PoseFillError, match="options"):
        Options.from_mapping(["scope"])


def test_cli_flags_come_from_fields():
    parser = argparse.ArgumentParser()
    add_option_arguments(parser)
    assert options_from_args(parser.parse_args([])) == Options()
    args = parser.parse_args(["--scope", "all", "--framing", "fit", "--margin", "0.2", "--min-visible", "5"])
    assert options_from_args(args) == Options(scope="all", framing="fit", margin=0.2, min_visible=5)
    flags = {a.dest for a in parser._actions}
    assert {f.name for f in FIELDS} <= flags
    args = parser.parse_args(["--scope", "legs"])  # argparse passes the text on; Options checks it, once
    with pytest.raises(PoseFillError, match="^scope: expected one of limbs, all, outside"):
        options_from_args(args)


def test_readme_options_table_is_current():
    from conftest import REPO

    from lib_posefill.options import markdown_table

    assert markdown_table() in (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_states_the_limits():
    from conftest import REPO

    from lib_posefill import limits

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Input") : text.index("## Output")]
    side = int(limits.MAX_PIXELS**0.5)
    for stated in (
        f"over {Options().max_file_mb:g} MB",
        f"over {limits.HTTP_MAX_BYTES // 2**20} MB",
        f"more than {Options().max_people:,} people",
        f"more than {limits.JSON_MEMORY_FACTOR} × `max_file_mb`",
        f"more than {limits.MAX_JSON_DEPTH} levels",
        f"from 1 to {limits.MAX_CANVAS_SIDE}",
        f"over {side} × {side} pixels",
        f"over {limits.MAX_IMAGE_BATCH_BYTES // 2**20:,} MB",
    ):
        assert stated in section, stated


def test_unknown_option_names_are_quoted_on_one_line_whatever_their_type():
    with pytest.raises(PoseFillError) as err:
        Options.from_mapping({"\n": None, 3: 1, "speed": 1, "a\u2028b": 0})
    message = str(err.value)
    assert "\n" not in message and "\u2028" not in message and message.isprintable()
    assert "speed" in message and '"\\n"' in message and "3" in message


def test_an_error_stays_one_line_whatever_it_quotes():
    err = PoseFillError("bad value\nsecond line", where="file\r.json")
    assert str(err) == "file\\r.json: bad value\\nsecond line"
