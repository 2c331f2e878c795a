"""The fuzz suite, tab part: any upload, paste, option value or editor action either works or gets a one-line message
naming what is wrong, and the pose on screen stays (never "internal error")."""

from __future__ import annotations

import json

import pytest
from fuzzing import (
    EDITOR_FIELDS,
    files,
    hostile_json,
    json_texts,
    json_values,
    scalars,
    settings_for,
    text,
    with_raw_field,
)
from hypothesis import given
from hypothesis import strategies as st
from tab_poses import legs_cut

from lib_posefill.ui.editor.protocol import OPS
from lib_posefill.ui.handlers import Handlers
from lib_posefill.ui.state import TabState

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
OPTS = {"scope": "limbs", "min_visible": 3, "framing": "keep", "margin": 0.05}
HANDLERS = Handlers()
LOADED, LOADED_VIEW = HANDLERS.upload(TabState(), json.dumps(legs_cut()).encode(), "auto", OPTS)


def same_pose(new: TabState, old: TabState) -> bool:
    """The pose on screen is the old one (a photo may change only the picture under it)."""
    return (
        new.base is old.base
        and len(new.people) == len(old.people)
        and all(map(lambda a, b: a is b, new.people, old.people))
    )


def kept_or_loaded(new, view) -> None:
    assert "internal error" not in view.status, view.status
    message = view.status.removeprefix("⚠ ")
    assert message and "\n" not in message and len(message) < 400, message
    json.loads(view.payload)  # the editor can read the answer
    if view.error:
        assert same_pose(new, LOADED) and view.rows == LOADED_VIEW.rows


@settings_for(100)
@given(files, st.sampled_from(["auto", "skeleton", "photo", "other"]))
def test_any_upload(data, kind):
    kept_or_loaded(*HANDLERS.upload(LOADED, data, kind, OPTS))


@settings_for(100)
@given(json_texts | text)
def test_any_paste(pasted):
    kept_or_loaded(*HANDLERS.paste(LOADED, pasted, OPTS))


option_values = st.fixed_dictionaries(
    {name: st.just(value) | scalars for name, value in OPTS.items()}, optional={"canvas": text | scalars}
)
actions = st.fixed_dictionaries(
    {"op": st.sampled_from(OPS) | scalars},
    optional={
        "person": st.integers(-2, 3) | scalars,
        "joint": st.integers(-1, 19) | scalars,
        "x": st.floats() | scalars,
        "y": st.floats() | scalars,
        "kind": st.sampled_from(["json", "png"]) | scalars,
        "rows": st.lists(
            st.lists(scalars | text | st.sampled_from(["r_knee", "pinned", "missing"]), max_size=5), max_size=4
        )
        | json_values,
        "id": scalars,
    },
)


@settings_for(100)
@given(actions, option_values)
def test_any_editor_action_and_option_values(action, options):
    try:
        action_text = json.dumps(action)
    except ValueError:  # an integer too long to write
        return
    kept_or_loaded(*HANDLERS.edit(LOADED, action_text, options))


@settings_for(40)
@given(text | st.binary(max_size=50).map(lambda b: b.decode("latin-1")))
def test_any_editor_action_text(action_text):
    kept_or_loaded(*HANDLERS.edit(LOADED, action_text, OPTS))


@settings_for(60)
@given(actions, st.sampled_from(EDITOR_FIELDS), hostile_json)
def test_editor_actions_with_hostile_fields(action, field, raw):
    """Deep nesting, huge numbers, unknown joints and wrong types in any field of an action: one line, pose kept."""
    try:
        action_text = with_raw_field(action, field, raw)
    except ValueError:
        return
    kept_or_loaded(*HANDLERS.edit(LOADED, action_text, OPTS))
