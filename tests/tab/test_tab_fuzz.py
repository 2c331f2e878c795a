"""The fuzz suite, tab part: any upload, paste, option value or table edit either works or gets a one-line message
naming what is wrong, and the pose on screen stays (never "internal error")."""

from __future__ import annotations

import json

import pytest
from fuzzing import files, json_texts, scalars, settings_for, text
from hypothesis import given
from hypothesis import strategies as st
from tab_poses import legs_cut

from lib_posefill.ui.handlers import Handlers
from lib_posefill.ui.state import TabState

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
OPTS = {"scope": "limbs", "min_visible": 3, "framing": "keep", "margin": 0.05}
HANDLERS = Handlers()
LOADED, LOADED_VIEW = HANDLERS.upload(TabState(), json.dumps(legs_cut()).encode(), "auto", None, True, OPTS)


def kept_or_loaded(new, view) -> None:
    assert "internal error" not in view.status, view.status
    if view.error:
        assert new is LOADED and view.rows == LOADED_VIEW.rows  # the previous pose is still on screen
        message = view.status.removeprefix("⚠ ")
        assert message and "\n" not in message and len(message) < 400, message
    else:
        assert view.output_image is not None and view.output_image.ndim == 3


@settings_for(100)
@given(files, st.sampled_from(["auto", "skeleton", "photo", "other"]), st.booleans())
def test_any_upload(data, kind, extend):
    kept_or_loaded(*HANDLERS.upload(LOADED, data, kind, "Person 1", extend, OPTS))


@settings_for(100)
@given(json_texts | text, st.booleans())
def test_any_paste(pasted, extend):
    kept_or_loaded(*HANDLERS.paste(LOADED, pasted, "Person 1", extend, OPTS))


option_values = st.fixed_dictionaries(
    {name: st.just(value) | scalars for name, value in OPTS.items()}, optional={"canvas": text | scalars}
)


@settings_for(60)
@given(option_values, scalars | text, st.booleans())
def test_any_option_values_and_person(options, person, extend):
    kept_or_loaded(*HANDLERS.refresh(LOADED, person, extend, options))


rows = st.lists(
    st.lists(scalars | text | st.sampled_from(["r_knee", "pinned", "missing", "given"]), max_size=5), max_size=4
)


@settings_for(60)
@given(rows | scalars, scalars | st.lists(scalars, max_size=3), scalars | text)
def test_any_table_edit_click_or_joint(table, xy, joint):
    kept_or_loaded(*HANDLERS.table(LOADED, "Person 1", table, True, OPTS))
    kept_or_loaded(*HANDLERS.click(LOADED, "Person 1", joint, xy, True, OPTS))
    kept_or_loaded(*HANDLERS.pin(LOADED, "Person 1", joint, True, OPTS))
