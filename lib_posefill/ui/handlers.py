"""The tab's actions as functions of the widgets' values: (state, ...) -> (state, View). No gradio here.

Every action either succeeds and refills, or keeps the previous state and says why in the status line
(``View.error``): a bad upload never loses the pose on screen and never shows a traceback.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..document import parse_documents
from ..errors import PoseFillError
from ..files import read_bytes
from ..filler import Filler
from ..jsontext import loads_json
from ..memory import release_memory
from ..options import FIELD_BY_NAME, Options
from ..render import draw_document
from . import state as st
from .detect import Detector
from .uploads import read_upload
from .view import View, build_view, person_index

log = logging.getLogger("posefill")

TAB_FIELDS = ("scope", "min_visible", "framing", "margin", "canvas")
"""Core options the tab shows as controls (built from options.FIELDS); seed is the re-roll button."""
LARGE_INPUT = 2**20
"""After an upload or paste larger than this, the memory it took is handed back to the system."""
EXPORT_NOTE = (
    "ControlNet's openpose editor hides joints outside the canvas: choose framing **fit** to zoom out "
    "so every filled joint is on the canvas."
)


def tab_options(values: Mapping[str, Any]) -> Options:
    """Options from the controls' values (named as in FIELDS), validated; an optional field left empty is unset."""
    given = {
        k: v
        for k, v in values.items()
        if k in FIELD_BY_NAME
        and not (FIELD_BY_NAME[k].optional and (v is None or (isinstance(v, str) and not v.strip())))
    }
    return Options.from_mapping(given)


class Handlers:
    """The actions, bound to a filler (None = the shipped model) and an optional photo detector."""

    def __init__(self, filler: Filler | None = None, detector: Detector | None = None, out_dir: str | None = None):
        self.filler = filler
        self.detector = detector
        self.out_dir = out_dir

    # -- plumbing ---------------------------------------------------------------------------------
    def _run(
        self,
        state: st.TabState,
        person: Any,
        extend: bool,
        options: Mapping[str, Any],
        action: Callable[[st.TabState, Options], st.TabState],
    ) -> tuple[st.TabState, View]:
        """Apply an action and refill; on a PoseFillError keep the old state and report the message."""
        state = state if isinstance(state, st.TabState) else st.TabState()
        try:
            opts = tab_options(options)
            new = action(state, opts)
            new = st.fill(new.clone() if new is state else new, opts, self.filler)
            return new, build_view(new, person_index(person), bool(extend))
        except PoseFillError as err:
            return state, build_view(state, person_index(person), bool(extend), status=f"⚠ {err}", error=True)
        except Exception as err:  # never a traceback in the UI
            log.exception("PoseFill tab: unexpected error")
            return state, build_view(
                state, person_index(person), bool(extend), status=f"⚠ internal error: {err}", error=True
            )

    # -- inputs -----------------------------------------------------------------------------------
    def upload(self, state, data, image_kind, person, extend, options) -> tuple[st.TabState, View]:
        """A dropped file: bytes (gradio's binary File), a path, or a tempfile-like object with .name."""

        def action(_state, opts):
            raw = _file_bytes(data, opts)
            value, note = read_upload(raw, opts, image_kind or "auto", self.detector)
            return st.load(value, note, opts)

        return self._large(self._run(state, 0, extend, options, action), data)

    def paste(self, state, text, person, extend, options) -> tuple[st.TabState, View]:
        def action(_state, opts):
            if not isinstance(text, str) or not text.strip():
                raise PoseFillError("paste an OpenPose JSON document first")
            return st.load(loads_json(text, opts.max_file_mb), "pasted JSON", opts)

        return self._large(self._run(state, 0, extend, options, action), text)

    @staticmethod
    def _large(result: tuple[st.TabState, View], data: Any) -> tuple[st.TabState, View]:
        """Hand the memory a large upload or paste took back to the system (the state keeps what it needs)."""
        if isinstance(data, (str, bytes, bytearray)) and len(data) > LARGE_INPUT:
            release_memory()
        return result

    def load_path(self, state, path, person, extend, options) -> tuple[st.TabState, View]:
        """A bundled example (a JSON file or a skeleton image on disk)."""
        if not path:
            return state, build_view(state, person_index(person), bool(extend), "⚠ choose an example first", True)
        new, view = self.upload(state, Path(path), "auto", 0, extend, options)
        if not view.error:
            new.note = Path(path).name
            view = build_view(new, 0, bool(extend))
        return new, view

    # -- viewing and editing ----------------------------------------------------------------------
    def refresh(self, state, person, extend, options) -> tuple[st.TabState, View]:
        """Options, person or view changed: refill and redraw."""
        return self._run(state, person, extend, options, lambda s, o: s)

    def click(self, state, person, joint, xy, extend, options) -> tuple[st.TabState, View]:
        """A click on the completed image at image pixel (x, y): place the chosen joint there."""

        def action(s, _opts):
            try:
                x, y = (float(v) - offset for v, offset in zip(xy, s.offset, strict=True))
            except (TypeError, ValueError, OverflowError):  # no click, or no pixel
                raise PoseFillError("click on the completed image to place the joint") from None
            return st.place(s, person_index(person), joint, x, y)

        return self._run(state, person, extend, options, action)

    def pin(self, state, person, joint, extend, options):
        return self._run(state, person, extend, options, lambda s, o: st.pin(s, person_index(person), joint))

    def mark_missing(self, state, person, joint, extend, options):
        return self._run(state, person, extend, options, lambda s, o: st.mark_missing(s, person_index(person), joint))

    def restore(self, state, person, joint, extend, options):
        return self._run(state, person, extend, options, lambda s, o: st.restore(s, person_index(person), joint))

    def table(self, state, person, rows, extend, options):
        """Edits made in the joint table (list of rows, or a pandas DataFrame)."""
        return self._run(
            state, person, extend, options, lambda s, o: st.apply_rows(s, person_index(person), _rows(rows))
        )

    def reroll(self, state, person, extend, options):
        return self._run(state, person, extend, options, lambda s, o: st.reroll(s))

    def undo(self, state, person, extend, options):
        return self._run(state, person, extend, options, lambda s, o: st.undo(s))

    # -- export -----------------------------------------------------------------------------------
    def export(self, state, options) -> tuple[str | None, str | None, str]:
        """Write the completed JSON and the conditioning PNG; returns their paths and a status line."""
        try:
            opts = tab_options(options)
            doc = st.export_document(state, opts, self.filler)
            folder = Path(tempfile.mkdtemp(prefix="posefill-", dir=self.out_dir))
            json_path, png_path = folder / "posefill.json", folder / "posefill.png"
            json_path.write_text(_dumps(doc), encoding="utf-8")
            image = draw_document(parse_documents(doc, st.PIXEL)[0][0], style="controlnet")
            ok, data = cv2.imencode(".png", np.ascontiguousarray(image[..., ::-1]))
            if not ok:
                raise PoseFillError("could not encode the PNG")
            png_path.write_bytes(data.tobytes())
            return str(json_path), str(png_path), f"Exported with framing {opts.framing}."
        except PoseFillError as err:
            return None, None, f"⚠ {err}"
        except Exception as err:
            log.exception("PoseFill tab: export failed")
            return None, None, f"⚠ internal error: {err}"


def _dumps(doc: Any) -> str:
    import json

    return json.dumps(doc, indent=1)


def _file_bytes(data: Any, options: Options) -> bytes:
    """Bytes of an upload in whatever form the gradio version hands it over."""
    if data is None:
        raise PoseFillError("no file")
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    path = data if isinstance(data, (str, os.PathLike)) else getattr(data, "name", None) or getattr(data, "path", None)
    if isinstance(path, (str, os.PathLike)):
        return read_bytes(path, options.max_file_mb, streams=False)
    raise PoseFillError(f"unexpected upload of type {type(data).__name__}")


def _rows(rows: Any) -> list[list[Any]]:
    """Table rows from a list of lists, a dict with 'data' (gradio 4) or a pandas DataFrame; anything else
    in a row's place is no row."""
    if isinstance(rows, dict):
        rows = rows.get("data", [])
    if hasattr(rows, "values") and hasattr(rows, "columns"):
        rows = rows.values.tolist()
    if not isinstance(rows, (list, tuple)):
        return []
    return [list(r) for r in rows if isinstance(r, (list, tuple))]
