"""One Options constructor for every host's raw values (``Options.from_host``), each value validated once, and one
way to say "no seed": None inside PoseFill, each surface's own spelling (ComfyUI's -1, the ControlNet slider's 0,
the tab's version counter) turned into None by ``options.is_unset`` / ``options.next_seed``."""

from __future__ import annotations

import argparse
import logging
import types

import numpy as np
import pytest
from conftest import person_doc, run_cli, write_json

from lib_posefill import Options, PoseFillError
from lib_posefill.comfyui.load import with_canvas
from lib_posefill.comfyui.nodes import UNSET, PoseFill, options_from_widgets
from lib_posefill.filler import NO_SEED, seed_array
from lib_posefill.hosts import settings, variants
from lib_posefill.http.bodies import request_options, validate
from lib_posefill.options import (
    BEST_GUESS,
    FIELD_BY_NAME,
    FIELDS,
    add_option_arguments,
    alternative,
    is_unset,
    next_seed,
    options_from_args,
)
from lib_posefill.ui.handlers import tab_options

BAD = [
    ("scope", "legs"),
    ("framing", "zoom"),
    ("hands", "many"),
    ("suspicious", "drop"),
    ("margin", "0.9"),
    ("margin", "wide"),
    ("margin", "nan"),
    ("min_visible", "0"),
    ("min_visible", "2.5"),
    ("min_visible", "many"),
    ("seed", "-5"),
    ("seed", "1.5"),
    ("seed", str(2**31)),
]
"""Bad values as a person types them (the CLI's text); the other hosts get the same value."""


def one_error(build) -> str:
    with pytest.raises(PoseFillError) as info:
        build()
    message = str(info.value)
    assert "\n" not in message
    return message


def cli_error(name: str, text: str) -> str:
    parser = argparse.ArgumentParser()
    add_option_arguments(parser)
    args = parser.parse_args([f"--{name.replace('_', '-')}", text])
    assert getattr(args, name) == text  # argparse neither converts nor checks: Options does, once
    return one_error(lambda: options_from_args(args))


@pytest.mark.parametrize(("name", "text"), BAD)
def test_a_bad_value_gives_the_same_one_line_error_on_every_surface(name, text, caplog):
    expected = one_error(lambda: Options.from_host({name: text}))
    assert expected.startswith(f"{name}: expected ")
    assert cli_error(name, text) == expected
    http = one_error(lambda: request_options(validate("complete", {"pose": {}, "options": {name: text}})))
    assert http == f"options: {expected}"
    if name != "seed":  # the tab shows no seed control (Another version instead)
        assert one_error(lambda: tab_options({name: text})) == expected
    assert one_error(lambda: options_from_widgets({name: text})) == expected
    stored = {"scope": settings.SCOPE, "min_visible": settings.MIN_VISIBLE, "hands": settings.HANDS_KEY}
    if name in stored:  # WebUI settings: the same message, as a warning, and the defaults
        opts = types.SimpleNamespace(data={stored[name]: text})  # shared.opts keeps its values in .data
        with caplog.at_level(logging.WARNING, logger="posefill"):
            assert settings.current_options(opts) == Options()
        assert f"PoseFill settings: {expected}; using the defaults" in caplog.text


def test_numbers_from_sliders_and_numpy_are_read_as_the_numbers_they_are():
    got = options_from_widgets(
        {"min_visible": np.int64(4), "margin": np.float32(0.25), "seed": np.int32(7), "scope": "all"}
    )
    assert (got.min_visible, got.margin, got.seed, got.scope) == (4, pytest.approx(0.25), 7, "all")
    assert type(got.min_visible) is int and type(got.seed) is int and type(got.margin) is float
    assert tab_options({"min_visible": 5.0, "margin": 0.1, "canvas": " 640x480 "}).min_visible == 5
    with pytest.raises(PoseFillError, match="^min_visible: expected an integer, got 4.5$"):
        options_from_widgets({"min_visible": np.float64(4.5)})
    with pytest.raises(PoseFillError, match="^min_visible: expected a number, got true$"):
        tab_options({"min_visible": True})


def test_argparse_only_collects_the_text():
    parser = argparse.ArgumentParser()
    add_option_arguments(parser)
    for action in parser._actions[1:]:
        assert action.type is None and action.choices is None, action.dest
    assert "--scope {limbs,all,outside}" in parser.format_help()  # the choices still shown as argparse did


def test_replace_checks_only_the_changes():
    base = Options(scope="all", seed=3)
    assert base.replace(margin="0.2") == Options(scope="all", seed=3, margin=0.2)
    with pytest.raises(PoseFillError, match="^margin: "):
        base.replace(margin=0.9)
    with pytest.raises(PoseFillError, match="unknown option"):
        base.replace(colour="red")


def test_no_seed_is_none_inside_and_each_surface_spells_it_its_own_way():
    assert Options().seed is None
    # the one conversion: None, or a surface's own spelling of "unset"
    comfyui = (UNSET, "")
    assert is_unset(None) and is_unset(-1, comfyui) and is_unset(-1.0, comfyui) and is_unset(np.int64(-1), comfyui)
    assert is_unset(BEST_GUESS, (BEST_GUESS,)) and is_unset("  ", comfyui)
    assert not is_unset(0, comfyui) and not is_unset("-1", comfyui) and not is_unset(-1) and not is_unset(True, (1,))
    # CLI: no --seed; HTTP: no seed or null
    parser = argparse.ArgumentParser()
    add_option_arguments(parser)
    assert options_from_args(parser.parse_args([])).seed is None
    assert options_from_args(parser.parse_args(["--seed", "0"])).seed == 0
    for options in (None, {}, {"seed": None}):
        assert request_options(validate("complete", {"pose": {}, "options": options})).seed is None
    with pytest.raises(PoseFillError, match="^options: seed: "):
        request_options(validate("complete", {"pose": {}, "options": {"seed": -1}}))  # JSON has null for that
    # ComfyUI: the INT widget's -1 (its default), while 0 is a seed
    seed_spec = PoseFill.INPUT_TYPES()["required"]["seed"][1]
    assert seed_spec["default"] == seed_spec["min"] == UNSET
    assert options_from_widgets({"seed": UNSET}).seed is None and options_from_widgets({"seed": 0}).seed == 0
    docs = [{"people": [], "canvas_width": None, "canvas_height": None}]
    assert with_canvas(docs, " ") == docs and with_canvas(docs, "64x32")[0]["canvas_width"] == 64  # the text widget
    # ControlNet: alternative 0 is the best guess, n is seed n, a value off the slider the best guess
    assert variants.ALTERNATIVE_SLIDER.value == BEST_GUESS and f"{BEST_GUESS} = best guess" in (
        variants.ALTERNATIVE_SLIDER.label
    )
    assert [variants.slider_options(Options(), 0, v).seed for v in (BEST_GUESS, 1, 32, 33, -1, None)] == [
        None,
        1,
        32,
        None,
        None,
        None,
    ]
    # the tab: Another version counts alternatives (version = alternative + 1) and wraps back to the best guess
    assert [next_seed(s) for s in (None, 1, 2)] == [1, 2, 3]
    assert next_seed(FIELD_BY_NAME["seed"].high) is None
    assert alternative(None) == BEST_GUESS and alternative(4) == 4
    # the filler's int64 seeds array, which holds no None
    assert seed_array(None, 2).tolist() == [NO_SEED] * 2 and seed_array(5, 1).tolist() == [5]
    assert seed_array(None, 2).dtype == np.int64


def test_every_field_goes_through_from_host():
    texts = {"scope": "all", "framing": "fit", "margin": "0.1", "min_visible": "4", "seed": "9", "hands": "off"}
    texts |= {"suspicious": "refill", "min_confidence": "0.2", "coords": "pixel", "canvas": "64 x 32"}
    texts |= {"max_file_mb": "2", "max_people": "50"}
    assert set(texts) == {f.name for f in FIELDS}
    assert Options.from_host(texts) == Options(
        scope="all",
        framing="fit",
        margin=0.1,
        min_visible=4,
        seed=9,
        hands="off",
        suspicious="refill",
        min_confidence=0.2,
        coords="pixel",
        canvas="64x32",
        max_file_mb=2.0,
        max_people=50,
    )


@pytest.mark.parametrize(("flag", "text"), [("--min-visible", "many"), ("--scope", "legs"), ("--seed", "-1")])
def test_the_cli_says_a_bad_flag_value_in_the_options_own_line_and_exits_2(tmp_path, flag, text):
    src = write_json(tmp_path / "in.json", person_doc())
    done = run_cli("complete", str(src), "-o", str(tmp_path / "out.json"), flag, text)
    name = flag[2:].replace("-", "_")
    expected = one_error(lambda: Options.from_host({name: text}))
    assert done.returncode == 2 and done.stderr == f"error: {expected}\n"
    assert not (tmp_path / "out.json").exists()
