"""The tab's actions as functions of the widgets' values: (state, ...) -> (state, View). No gradio here.

Every action either succeeds and refills, or keeps the previous state and says why in the status line
(``View.error``): a bad upload never loses the pose on screen and never shows a traceback.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..document import parse_documents
from ..errors import PoseFillError
from ..files import read_bytes
from ..filler import Filler
from ..jsontext import loads_json
from ..memory import release_memory
from ..options import FIELD_BY_NAME, Options, Spelling
from ..render import draw_document, encode_png
from . import state as st
from .background import encode_background, fits_canvas
from .detect import Detector
from .editor import protocol
from .editor.protocol import Action
from .uploads import read_upload
from .view import View, build_view

log = logging.getLogger("posefill")

TAB_FIELDS = ("scope", "min_visible", "hands", "suspicious", "framing", "margin", "canvas")
"""Core options the tab shows as controls (built from options.FIELDS); seeds are the Another version button."""
LARGE_INPUT = 2**20
"""After an upload or paste larger than this, the memory it took is handed back to the system."""
EXPORT_NOTE = (
    "ControlNet's openpose editor hides joints outside the canvas: choose framing **fit** to zoom out "
    "so every filled joint is on the canvas."
)


CONTROLS = Spelling(unset=("",))
"""How the controls spell options: as Options does, but an optional one left empty (blank text) is unset."""


def tab_options(values: Mapping[str, Any]) -> Options:
    """Options from the controls' values (named as in FIELDS; other keys are not options), validated once."""
    return Options.from_host({k: v for k, v in values.items() if k in FIELD_BY_NAME}, CONTROLS)


class Handlers:
    """The actions, bound to a filler (None = the shipped model) and an optional photo detector."""

    def __init__(self, filler: Filler | None = None, detector: Detector | None = None):
        self.filler = filler
        self.detector = detector

    # -- plumbing ---------------------------------------------------------------------------------
    def _run(
        self,
        state: Any,
        options: Mapping[str, Any],
        action: Callable[[st.TabState, Options], st.TabState],
        **view: Any,
    ) -> tuple[st.TabState, View]:
        """Apply an action and refill; on a PoseFillError keep the old state and report the message."""
        state = state if isinstance(state, st.TabState) else st.TabState()
        try:
            opts = tab_options(options)
            new = action(state, opts)
            new = st.fill(new.clone() if new is state else new, opts, self.filler)
            if view.get("loaded"):  # a new pose: the editor gets its picture (or none) with it
                view["background"] = new.background
            return new, build_view(new, **view)
        except PoseFillError as err:
            return state, build_view(state, status=f"⚠ {err}", error=True, ack=view.get("ack"))
        except Exception as err:  # never a traceback in the UI
            log.exception("PoseFill tab: unexpected error")
            return state, build_view(state, status=f"⚠ internal error: {err}", error=True, ack=view.get("ack"))

    # -- inputs -----------------------------------------------------------------------------------
    def upload(self, state, data, image_kind, options) -> tuple[st.TabState, View]:
        """A dropped file: bytes (gradio's binary File), a path, or a tempfile-like object with .name.

        An image becomes the picture under the skeleton; a photo without a detector changes only that
        picture (the pose stays) and says why no pose was read from it.
        """
        state = state if isinstance(state, st.TabState) else st.TabState()
        try:
            opts = tab_options(options)
            raw = _file_bytes(data, opts)
            value, note, image = read_upload(raw, opts, image_kind or "auto", self.detector)
        except PoseFillError as err:
            return state, build_view(state, status=f"⚠ {err}", error=True)
        picture, size = encode_background(image) if image is not None else (None, None)
        if value is None:  # a photo and no detector: keep the pose, show the photo under it
            new = st.with_background(state, picture, size)
            return new, build_view(
                new, status=f"⚠ {note}; the photo is shown under the pose", error=True, background=picture
            )
        large, holder = len(raw) > LARGE_INPUT, [value]
        del raw, value, image  # the state keeps what it needs of them
        return self._load(state, holder, note, options, picture, size, large=large)

    def _load(
        self, state, value: list, note, options, picture=None, size=None, large=False
    ) -> tuple[st.TabState, View]:
        """A new pose (``value``: a list holding the decoded document, let go of once loaded: a large one is most
        of the memory); a JSON pose keeps the picture on screen when it fits the new canvas. After a large one the
        memory it took is handed back to the system."""
        old = state if isinstance(state, st.TabState) else st.TabState()
        if picture is None and old.background:
            picture, size = old.background, old.background_size

        def action(_state, opts):
            new = st.load(value.pop(), note, opts)
            if picture and (size is None or fits_canvas(size, new.base["canvas_width"], new.base["canvas_height"])):
                return st.with_background(new, picture, size)
            return new

        result = self._run(old, options, action, loaded=True)
        if large:
            release_memory()
        return result

    def paste(self, state, text, options) -> tuple[st.TabState, View]:
        try:
            opts = tab_options(options)
            if not isinstance(text, str) or not text.strip():
                raise PoseFillError("paste an OpenPose JSON document first")
            value = [loads_json(text, opts.max_file_mb)]  # within the size limits; a byte-order mark is fine
        except PoseFillError as err:
            state = state if isinstance(state, st.TabState) else st.TabState()
            return state, build_view(state, status=f"⚠ {err}", error=True)
        return self._load(state, value, "pasted JSON", options, large=len(text) > LARGE_INPUT)

    def load_path(self, state, path, options) -> tuple[st.TabState, View]:
        """A bundled example (a JSON file or a skeleton image on disk)."""
        state = state if isinstance(state, st.TabState) else st.TabState()
        if not path:
            return state, build_view(state, status="⚠ choose an example first", error=True)
        new, view = self.upload(state, Path(path), "auto", options)
        if not view.error:
            new.note = Path(path).name
            view = build_view(new, loaded=True, background=new.background)
        return new, view

    # -- the editor -------------------------------------------------------------------------------
    def edit(self, state, action_text, options) -> tuple[st.TabState, View]:
        """One editor action (JSON from the page, see editor.protocol)."""
        try:
            action = protocol.parse_action(action_text)
        except PoseFillError as err:
            state = state if isinstance(state, st.TabState) else st.TabState()
            return state, build_view(state, status=f"⚠ {err}", error=True, ack=protocol.action_id(action_text))
        if action.op == "export":
            return state, self.export(state, action, options)

        def apply(s: st.TabState, _opts: Options) -> st.TabState:
            if action.op not in ("undo", "redo", "refresh"):
                st.check_person(s, action.person)
            new = EDITS[action.op](s, action)
            if s.loaded:
                new = new.clone() if new is s else new
                new.person = min(action.person, max(len(new.people) - 1, 0))
            return new

        return self._run(state, options, apply, ack=action.id)

    def conditioning(self, state, framing, margin) -> np.ndarray:
        """The conditioning image Send to ControlNet puts in a unit (raises PoseFillError)."""
        opts = tab_options({"framing": framing, "margin": margin})
        return conditioning_image(st.export_document(state if isinstance(state, st.TabState) else st.TabState(), opts))

    def export(self, state, action: Action, options) -> View:
        """The completed JSON or the conditioning PNG, with the chosen framing, as a download for the page."""
        state = state if isinstance(state, st.TabState) else st.TabState()
        try:
            opts = tab_options(options)
            doc = st.export_document(state, opts)
            if action.kind == "json":
                file = protocol.download("posefill.json", json.dumps(doc, indent=1).encode(), "application/json")
            else:
                file = protocol.download("posefill.png", encode_png(conditioning_image(doc)), "image/png")
            return build_view(
                state, status=f"Exported {file['name']} (framing {opts.framing}).", ack=action.id, download=file
            )
        except PoseFillError as err:
            return build_view(state, status=f"⚠ {err}", error=True, ack=action.id)
        except Exception as err:
            log.exception("PoseFill tab: export failed")
            return build_view(state, status=f"⚠ internal error: {err}", error=True, ack=action.id)


def conditioning_image(doc: dict[str, Any]) -> np.ndarray:
    """The document drawn as ControlNet draws its OpenPose conditioning image (RGB)."""
    return draw_document(parse_documents(doc, st.PIXEL)[0][0], style="controlnet")


def _select(s: st.TabState, a: Action) -> st.TabState:
    return s


EDITS: dict[str, Callable[[st.TabState, Action], st.TabState]] = {
    "move": lambda s, a: st.place(s, a.person, a.joint, a.x, a.y),
    "delete": lambda s, a: st.delete(s, a.person, a.joint),
    "unpin": lambda s, a: st.unpin(s, a.person, a.joint),
    "restore": lambda s, a: st.restore(s, a.person, a.joint),
    "reroll": lambda s, a: st.reroll(s, a.person),
    "undo": lambda s, a: st.undo(s),
    "redo": lambda s, a: st.redo(s),
    "select": _select,
    "refresh": _select,
    "table": lambda s, a: st.apply_rows(s, a.person, [list(r) for r in a.rows]),
}
"""Editor operations (protocol.OPS but export) -> the state change they make."""


def _file_bytes(data: Any, options: Options) -> bytes:
    """Bytes of an upload in whatever form the gradio version hands it over (a file read within the size limit)."""
    if data is None:
        raise PoseFillError("no file")
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    path = data if isinstance(data, (str, os.PathLike)) else getattr(data, "name", None) or getattr(data, "path", None)
    if isinstance(path, (str, os.PathLike)):
        return read_bytes(path, options.max_file_mb, streams=False)
    raise PoseFillError(f"unexpected upload of type {type(data).__name__}")
