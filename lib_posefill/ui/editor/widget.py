"""The editor inside a gradio Blocks: its HTML, its JavaScript, and the hidden channel to python.

Built only from things gradio 3.41, 4.x and 6.x share: a gr.HTML holding ``#posefill-editor`` (a
<canvas>), two hidden textboxes and a hidden button (hidden by CSS, so every gradio version keeps them
in the page), and JavaScript run through event listeners' ``js`` argument (``_js`` in gradio 3:
``compat.event_kwargs``). Element ids are contracts: see docs/tab.md.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ... import skeleton as sk
from ...render import FILLED_RING_RADIUS, HAND_EDGE_COLORS
from ..state import ATTACHED

EDITOR_ID = "posefill-editor"
STATUS_ID = "posefill-status"
TABLE_ID = "posefill-table"
ACTION_ID = "posefill-editor-action"
DATA_ID = "posefill-editor-data"
SEND_ID = "posefill-editor-send"
HIDDEN = "posefill-hidden"
"""The class of elements that must be in the page but not seen (the channel; gradio 6 leaves components
made with visible=False out of the page)."""
HERE = Path(__file__).resolve().parent
BACKGROUND_ALPHA = 0.5
HELP = (
    "Drag a joint to move it: it is pinned there and the rest of that person is filled again. Click a joint "
    "to select it, Delete marks it missing (refilled; Delete on a filled joint keeps it missing), double "
    "click unpins it, Ctrl+Z / Ctrl+Shift+Z undo and redo. Click a person to select it."
)
CSS = f"""
.{HIDDEN}, #{ACTION_ID}, #{DATA_ID}, #{SEND_ID} {{ display: none !important; }}
#{EDITOR_ID} {{ width: 100%; }}
#{EDITOR_ID} canvas {{ display: block; border: 0; padding: 0; margin: 0; outline: none; touch-action: none;
  cursor: crosshair; background: #1b1b1b; }}
#{EDITOR_ID} .posefill-help {{ font-size: 0.85em; opacity: 0.75; margin-top: 4px; }}
#{STATUS_ID} {{ min-height: 1.4em; margin: 0 0 6px 0; }}
#{STATUS_ID}.posefill-error {{ color: #e8590c; }}
#{TABLE_ID} {{ width: 100%; border-collapse: collapse; font-size: 0.9em; }}
#{TABLE_ID} th, #{TABLE_ID} td {{ border: 1px solid rgba(128, 128, 128, 0.35); padding: 2px 6px; text-align: left; }}
#{TABLE_ID} input, #{TABLE_ID} select {{ width: 100%; min-width: 5em; background: transparent; color: inherit;
  border: 0; font: inherit; padding: 1px 2px; margin: 0; height: auto; box-shadow: none; }}
"""


def config() -> dict[str, Any]:
    """The skeleton and style the editor draws with (the core's definitions, ControlNet's colours)."""
    return {
        "limbs": [list(limb) for limb in sk.LIMBS],
        "colors": [list(c) for c in sk.COLORS],
        "limbScale": sk.LIMB_COLOR_SCALE,
        "stick": sk.BODY_STICK_WIDTH,
        "jointRadius": sk.BODY_JOINT_RADIUS,
        "ringRadius": FILLED_RING_RADIUS,
        "handEdges": [list(e) for e in sk.HAND_EDGES],
        "handEdgeColors": [list(c) for c in HAND_EDGE_COLORS],
        "handJointColor": list(sk.HAND_JOINT_COLOR),
        "handRadius": sk.HAND_JOINT_RADIUS,
        "handLine": sk.HAND_LINE_WIDTH,
        "faceColor": list(sk.FACE_JOINT_COLOR),
        "faceRadius": sk.FACE_JOINT_RADIUS,
        "attached": {str(j): key for j, key in ATTACHED.items()},
        "parts": sorted(set(ATTACHED.values())),
        "backgroundAlpha": BACKGROUND_ALPHA,
    }


def _attribute(value: Any) -> str:
    """JSON for a single-quoted HTML attribute."""
    return json.dumps(value, separators=(",", ":")).replace("&", "&amp;").replace("'", "&#39;")


def markup() -> str:
    """The gr.HTML value: the status line, the editor's element, its canvas and its style."""
    return (
        f"<style>{CSS}</style>"
        f"<div id='{STATUS_ID}' role='status'></div>"
        f"<div id='{EDITOR_ID}' data-config='{_attribute(config())}'>"
        "<canvas tabindex='0' aria-label='Pose editor: drag joints to move them'></canvas>"
        f"<div class='posefill-help'>{HELP}</div></div>"
    )


def table_markup(states: tuple[str, ...]) -> str:
    """The joint table of the selected person (filled in by the editor): joint, x, y and a state to choose."""
    return (
        "<div>Joints of the selected person: edit x, y or the state, then <b>Apply table edits</b>.</div>"
        f"<table id='{TABLE_ID}' data-states='{_attribute(list(states))}'>"
        "<thead><tr><th>joint</th><th>x</th><th>y</th><th>state</th></tr></thead><tbody></tbody></table>"
    )


@cache
def script() -> str:
    """editor.js as a function expression, for a load event's js."""
    return "() => {\n" + (HERE / "editor.js").read_text(encoding="utf-8") + "\n}"


def send_js(count: int) -> str:
    """The send button's hook: its ``count`` inputs with the pending action put in the first one."""
    return f"(...args) => window.PoseFillEditor.take(args, {count})"


def action_js(action: dict[str, Any]) -> str:
    """A button that only sends an editor action (no python of its own)."""
    return f"() => {{ window.PoseFillEditor.send({json.dumps(action)}); }}"


RECEIVE_JS = "(data) => { if (window.PoseFillEditor) window.PoseFillEditor.receive(data); }"
EXTEND_JS = "(on) => { if (window.PoseFillEditor) window.PoseFillEditor.setExtend(on); }"
