"""The PoseFill tab as a gradio Blocks, for gradio 3.41 (AUTOMATIC1111), 4.40 (Forge) and 6.x (the app).

One code path: only components and arguments every version shares (File type="binary", gr.update,
HTML, Textbox, Button, Dataframe); where a name differs it is read from the installed gradio (``js``/``_js``
in ui/editor/widget.py, the rest in ``compat``). The skeleton editor (ui/editor) is the main view; the joint
table beside it always shows the selected person. gradio is imported inside ``build_tab`` so importing this
stays light.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..options import FIELD_BY_NAME, Field
from ..resources import EXAMPLES_DIR
from .compat import event_kwargs
from .editor import widget
from .handlers import EXPORT_NOTE, TAB_FIELDS, Handlers
from .state import STATES, TabState
from .uploads import IMAGE_KINDS

EXAMPLE_SUFFIXES = (".json", ".png", ".jpg", ".jpeg")
INTRO = (
    "Drop an OpenPose JSON file, a rendered skeleton image or a photo (or paste JSON). PoseFill fills the "
    "joints the detector lost (ringed); drag any joint and the rest of that person is filled around it."
)


def example_files(folder: Path = EXAMPLES_DIR) -> list[str]:
    """The bundled example poses (paths), sorted by name."""
    if not folder.is_dir():
        return []
    return sorted(str(p) for p in folder.iterdir() if p.suffix.lower() in EXAMPLE_SUFFIXES)


def option_control(gr, field: Field, **kwargs):
    """A gradio control for one core option, straight from its FIELDS entry."""
    label = field.name.replace("_", " ")
    if field.choices:
        return gr.Radio(list(field.choices), value=field.default, label=label, info=field.help, **kwargs)
    if field.kind is str:  # canvas: WxH, empty = from the document
        return gr.Textbox(value=field.default or "", label=label, info=field.help, placeholder="WxH", **kwargs)
    step = 1 if field.kind is int else 0.01
    return gr.Slider(field.low, field.high, value=field.default, step=step, label=label, info=field.help, **kwargs)


def build_tab(
    handlers: Handlers | None = None,
    examples: list[str] | None = None,
    standalone: bool = True,
    extra_controls: Callable[[Any, Any, Any, Any], None] | None = None,
):
    """The tab's Blocks. ``handlers`` carries the filler and the photo detector (None = no photos);
    ``extra_controls(gr, state, framing, margin)`` adds a host's controls under the export buttons (inside a
    WebUI: Send to ControlNet, ``hosts.tab``)."""
    import gradio as gr

    handlers = handlers or Handlers()
    examples = example_files() if examples is None else examples
    by_name = {Path(p).name: p for p in examples}
    quiet = {"show_progress": "hidden"}

    with gr.Blocks(analytics_enabled=False, title="PoseFill") as tab:
        state = gr.State(TabState())
        gr.Markdown(("# PoseFill\n" if standalone else "") + INTRO)
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                upload = gr.File(
                    label="Pose JSON, skeleton image or photo",
                    file_types=[".json", ".png", ".jpg", ".jpeg", ".webp"],
                    type="binary",
                    elem_id="posefill-upload",
                )
                image_kind = gr.Radio(list(IMAGE_KINDS), value="auto", label="An image is")
                canvas = option_control(gr, FIELD_BY_NAME["canvas"], elem_id="posefill-canvas")
                with gr.Accordion("Paste JSON", open=False):
                    text = gr.Textbox(lines=6, label="OpenPose JSON", elem_id="posefill-text")
                    paste = gr.Button("Load pasted JSON", elem_id="posefill-paste")
                if examples:
                    example = gr.Dropdown(list(by_name), value=next(iter(by_name)), label="Example poses")
                    load_example = gr.Button("Load example", elem_id="posefill-load-example")
                controls = {name: option_control(gr, FIELD_BY_NAME[name]) for name in ("scope", "min_visible")}
                controls["hands"] = option_control(gr, FIELD_BY_NAME["hands"], elem_id="posefill-hands")
                controls["suspicious"] = option_control(gr, FIELD_BY_NAME["suspicious"], elem_id="posefill-suspicious")
                controls["canvas"] = canvas
                extend = gr.Checkbox(value=True, label="Extend view (show joints outside the canvas)")
                for name in ("framing", "margin"):
                    controls[name] = option_control(gr, FIELD_BY_NAME[name])
                gr.Markdown(EXPORT_NOTE)
                with gr.Row():
                    export_json = gr.Button("Export JSON", variant="primary", elem_id="posefill-export-json")
                    export_png = gr.Button("Export PNG", variant="primary", elem_id="posefill-export-png")
                if extra_controls is not None:
                    extra_controls(gr, state, controls["framing"], controls["margin"])
            with gr.Column(scale=3):
                gr.HTML(widget.markup(), elem_id="posefill-editor-html")
                with gr.Row():
                    reroll = gr.Button("Another version", elem_id="posefill-reroll")
                    restore = gr.Button("Restore input", elem_id="posefill-restore")
                    undo = gr.Button("Undo", elem_id="posefill-undo")
                    redo = gr.Button("Redo", elem_id="posefill-redo")
                gr.HTML(widget.table_markup(STATES), elem_id="posefill-table-html")
                apply = gr.Button("Apply table edits", elem_id="posefill-apply")
                action = gr.Textbox(
                    elem_id=widget.ACTION_ID, max_lines=1, show_label=False, elem_classes=[widget.HIDDEN]
                )
                data = gr.Textbox(elem_id=widget.DATA_ID, max_lines=1, show_label=False, elem_classes=[widget.HIDDEN])
                send = gr.Button("send", elem_id=widget.SEND_ID, elem_classes=[widget.HIDDEN])

        options = [controls[name] for name in TAB_FIELDS]
        outputs = [state, data]  # the editor draws the pose, the status line and the joint table from ``data``

        def show(result):
            new, view = result
            if view.error and hasattr(gr, "Warning"):
                gr.Warning(view.status.lstrip("⚠ "))
            return new, view.payload

        def values(option_values):
            return dict(zip(TAB_FIELDS, option_values))

        def on_upload(s, file, kind, *opts):
            """Read the file, then empty the drop zone so that the next file can be dropped straight away."""
            if file is None:
                return (*show((s, handlers.edit(s, '{"op": "refresh"}', values(opts))[1])), None)
            return (*show(handlers.upload(s, file, kind, values(opts))), None)

        def on_paste(s, text_, *opts):
            return show(handlers.paste(s, text_, values(opts)))

        def on_edit(action_, *rest):
            *opts, s = rest
            return show(handlers.edit(s, action_, values(opts)))

        upload.upload(on_upload, [state, upload, image_kind, *options], [*outputs, upload])
        paste.click(on_paste, [state, text, *options], outputs)
        if examples:

            def on_example(s, name, *opts):
                return show(handlers.load_path(s, by_name.get(name), values(opts)))

            load_example.click(on_example, [state, example, *options], outputs)
        inputs = [action, *options, state]
        send.click(on_edit, inputs, outputs, **event_kwargs(gr, widget.send_js(len(inputs)), queue=False, **quiet))
        data.change(None, [data], None, **event_kwargs(gr, widget.RECEIVE_JS, queue=False))
        extend.change(None, [extend], None, **event_kwargs(gr, widget.EXTEND_JS, queue=False))
        for control in (controls["scope"], controls["min_visible"], controls["hands"], controls["suspicious"]):
            control.change(None, None, None, **event_kwargs(gr, widget.action_js({"op": "refresh"})))
        for button, act in (
            (reroll, {"op": "reroll"}),
            (restore, {"op": "restore", "joint": None}),
            (undo, {"op": "undo"}),
            (redo, {"op": "redo"}),
            (apply, {"op": "table"}),
            (export_json, {"op": "export", "kind": "json"}),
            (export_png, {"op": "export", "kind": "png"}),
        ):
            button.click(None, None, None, **event_kwargs(gr, widget.action_js(act)))
        tab.load(None, None, None, **event_kwargs(gr, widget.script()))
    return tab


def launch(host: str = "127.0.0.1", port: int = 7860, handlers: Handlers | None = None):
    """Serve the tab as its own app, with the HTTP API (/posefill/v1/...) on the same port, as inside the WebUI;
    returns the Blocks (already launched, not blocking)."""
    from ..http.routes import add_routes

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    tab = build_tab(handlers)
    tab.queue()
    tab.launch(server_name=host, server_port=port, prevent_thread_lock=True, show_error=False, quiet=True)
    add_routes(tab.server_app)  # the app gradio serves (in 3.41 tab.app is another one)
    return tab
