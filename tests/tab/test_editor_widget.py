"""The editor's python glue: the HTML and its config, the JavaScript hooks under each gradio's argument names,
and the payload format the page reads."""

from __future__ import annotations

import html
import json
import re

import pytest

from lib_posefill.skeleton import COLORS, LIMBS
from lib_posefill.ui.compat import event_kwargs
from lib_posefill.ui.editor import protocol, widget

gr = pytest.importorskip("gradio")


def test_markup_carries_the_editor_element_its_canvas_and_the_skeleton():
    markup = widget.markup()
    assert f"id='{widget.EDITOR_ID}'" in markup and "<canvas" in markup
    config = json.loads(html.unescape(re.search(r"data-config='([^']*)'", markup)[1]))
    assert config == json.loads(json.dumps(widget.config()))
    assert config["colors"] == [list(c) for c in COLORS] and config["limbs"] == [list(limb) for limb in LIMBS]
    assert config["attached"] == {
        "4": "hand_right_keypoints_2d",
        "7": "hand_left_keypoints_2d",
        "0": "face_keypoints_2d",
    }


def test_the_table_offers_every_state():
    markup = widget.table_markup(("given", "pinned missing"))
    assert f"id='{widget.TABLE_ID}'" in markup
    assert json.loads(html.unescape(re.search(r"data-states='([^']*)'", markup)[1])) == ["given", "pinned missing"]


def test_the_script_and_python_agree_on_the_element_ids():
    script = widget.script()
    assert script.startswith("() => {") and script.rstrip().endswith("}")
    for ident in (widget.EDITOR_ID, widget.SEND_ID, widget.STATUS_ID, widget.TABLE_ID):
        assert f'"#{ident}"' in script
    for name in ("state", "view", "busy", "seq"):
        assert f"dataset.{name}" in script


def test_event_arguments_follow_the_gradio_version():
    kwargs = event_kwargs(gr, "() => 1", queue=False, not_an_argument=1)
    name = "_js" if gr.__version__.startswith("3.") else "js"
    assert kwargs == {name: "() => 1", "queue": False}
    with gr.Blocks():  # the listener accepts them
        button = gr.Button()
        button.click(None, None, None, **kwargs)


def test_payload_sends_the_picture_only_when_it_changes():
    first = json.loads(protocol.payload(None, [], 0, [], "s"))
    second = json.loads(protocol.payload(None, [], 0, [], "s", background=None, loaded=True))
    assert "background" not in first and second["background"] is None and second["loaded"]
    assert second["seq"] > first["seq"]
