"""The PoseFill tab as a gradio Blocks, for gradio 3.41 (AUTOMATIC1111), 4.40 (Forge) and 6.x (the app) alike.

One code path: only components and arguments all versions share (File type="binary", Image select
events on static images, gr.update, gr.File outputs for downloads; the rest is in ``compat``). gradio is imported inside
``build_tab`` so importing this module stays light. No ``from __future__ import annotations`` here:
gradio finds the ``gr.SelectData`` parameter by its annotation.
"""

import os
from pathlib import Path

from ..options import FIELD_BY_NAME, Field
from ..resources import shipped_path
from ..skeleton import JOINT_NAMES
from .compat import fixed_columns, image_kwargs
from .handlers import EXPORT_NOTE, TAB_FIELDS, Handlers
from .state import TabState
from .uploads import IMAGE_KINDS

COLUMNS = ["joint", "x", "y", "state"]
EXAMPLES_DIR = shipped_path("examples")
EXAMPLE_SUFFIXES = (".json", ".png", ".jpg", ".jpeg")
INTRO = (
    "Drop an OpenPose JSON file or a rendered skeleton image (or paste JSON). PoseFill fills the joints "
    "the detector lost; filled joints are ringed, joints you placed are boxed. Choose a joint and click "
    "the completed image to place it."
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
    if field.kind is str:
        return gr.Textbox(value=field.default or "", label=label, info=field.help, placeholder="WxH", **kwargs)
    step = 1 if field.kind is int else 0.01
    return gr.Slider(field.low, field.high, value=field.default, step=step, label=label, info=field.help, **kwargs)


def build_tab(handlers: Handlers | None = None, examples: list[str] | None = None, standalone: bool = True):
    """The tab's Blocks. ``handlers`` carries the filler and the photo detector (None = no photos)."""
    import gradio as gr
    import pandas as pd

    handlers = handlers or Handlers()
    examples = example_files() if examples is None else examples
    by_name = {Path(p).name: p for p in examples}

    with gr.Blocks(analytics_enabled=False, title="PoseFill") as tab:
        state = gr.State(TabState())
        if standalone:
            gr.Markdown("# PoseFill\n" + INTRO)
        else:
            gr.Markdown(INTRO)
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                upload = gr.File(
                    label="Pose JSON or skeleton image",
                    file_types=[".json", ".png", ".jpg", ".jpeg", ".webp"],
                    type="binary",
                    elem_id="posefill_upload",
                )
                image_kind = gr.Radio(list(IMAGE_KINDS), value="auto", label="An image is")
                controls = {"canvas": option_control(gr, FIELD_BY_NAME["canvas"], elem_id="posefill_canvas")}
                with gr.Accordion("Paste JSON", open=False):
                    text = gr.Textbox(lines=6, label="OpenPose JSON", elem_id="posefill_text")
                    paste = gr.Button("Load pasted JSON", elem_id="posefill_paste")
                if examples:
                    example = gr.Dropdown(list(by_name), value=next(iter(by_name)), label="Example poses")
                    load_example = gr.Button("Load example", elem_id="posefill_load_example")
                for name in ("scope", "min_visible"):
                    controls[name] = option_control(gr, FIELD_BY_NAME[name])
                extend = gr.Checkbox(value=True, label="Extend view (show joints outside the canvas)")
            with gr.Column(scale=3):
                status = gr.Markdown(elem_id="posefill_status")
                with gr.Row():
                    input_image = gr.Image(
                        label="Input", type="numpy", interactive=False, elem_id="posefill_input", **image_kwargs(gr)
                    )
                    output_image = gr.Image(
                        label="Completed (click to place the chosen joint)",
                        type="numpy",
                        interactive=False,
                        elem_id="posefill_output",
                        **image_kwargs(gr),
                    )
                with gr.Row():
                    person = gr.Dropdown([], label="Person", elem_id="posefill_person")
                    joint = gr.Dropdown(list(JOINT_NAMES), value="r_knee", label="Joint", elem_id="posefill_joint")
                with gr.Row():
                    pin = gr.Button("Pin joint")
                    missing = gr.Button("Mark missing (refill)")
                    restore = gr.Button("Restore input")
                    reroll = gr.Button("Another version")
                    undo = gr.Button("Undo", elem_id="posefill_undo")
                table = gr.Dataframe(
                    headers=COLUMNS,
                    datatype=["str", "number", "number", "str"],
                    **fixed_columns(gr, len(COLUMNS)),
                    interactive=True,
                    type="array",
                    label="Joints (edit x, y or state: given / filled / pinned / missing, then apply)",
                    elem_id="posefill_table",
                )
                apply = gr.Button("Apply table edits")
                with gr.Row():
                    with gr.Column():
                        for name in ("framing", "margin"):
                            controls[name] = option_control(gr, FIELD_BY_NAME[name])
                        gr.Markdown(EXPORT_NOTE)
                        export = gr.Button("Export JSON and PNG", variant="primary", elem_id="posefill_export")
                        export_status = gr.Markdown()
                    json_file = gr.File(label="Completed JSON", interactive=False, elem_id="posefill_json")
                    png_file = gr.File(label="Conditioning PNG", interactive=False, elem_id="posefill_png")

        options = [controls[name] for name in TAB_FIELDS]
        outputs = [state, input_image, output_image, table, person, status]

        def show(result):
            new, view = result
            if view.error and hasattr(gr, "Warning"):
                gr.Warning(view.status.lstrip("⚠ "))
            rows = pd.DataFrame(view.rows or [], columns=COLUMNS)
            return (
                new,
                view.input_image,
                view.output_image,
                rows,
                gr.update(choices=view.people, value=view.person),
                view.status,
            )

        def values(option_values):
            return dict(zip(TAB_FIELDS, option_values))

        def on_upload(s, data, kind, extend_, *opts):
            if data is None:  # the file was cleared
                return show((s, handlers.refresh(s, None, extend_, values(opts))[1]))
            return show(handlers.upload(s, data, kind, None, extend_, values(opts)))

        def on_paste(s, text_, extend_, *opts):
            return show(handlers.paste(s, text_, None, extend_, values(opts)))

        def on_refresh(s, person_, extend_, *opts):
            return show(handlers.refresh(s, person_, extend_, values(opts)))

        def on_click(evt: gr.SelectData, s, person_, joint_, extend_, *opts):
            return show(handlers.click(s, person_, joint_, evt.index, extend_, values(opts)))

        def on_table(s, person_, rows, extend_, *opts):
            return show(handlers.table(s, person_, rows, extend_, values(opts)))

        def joint_action(method):
            def run(s, person_, joint_, extend_, *opts):
                return show(method(s, person_, joint_, extend_, values(opts)))

            return run

        def state_action(method):
            def run(s, person_, extend_, *opts):
                return show(method(s, person_, extend_, values(opts)))

            return run

        def on_export(s, *opts):
            json_path, png_path, message = handlers.export(s, values(opts))
            if json_path is None and hasattr(gr, "Warning"):
                gr.Warning(message.lstrip("⚠ "))
            return json_path, png_path, message

        upload.upload(on_upload, [state, upload, image_kind, extend, *options], outputs)
        paste.click(on_paste, [state, text, extend, *options], outputs)
        if examples:

            def on_example(s, name, extend_, *opts):
                return show(handlers.load_path(s, by_name.get(name), None, extend_, values(opts)))

            load_example.click(on_example, [state, example, extend, *options], outputs)
        for control in [controls["scope"], controls["min_visible"], extend]:
            control.change(on_refresh, [state, person, extend, *options], outputs)
        person.select(on_refresh, [state, person, extend, *options], outputs)
        output_image.select(on_click, [state, person, joint, extend, *options], outputs)
        for button, method in ((pin, handlers.pin), (missing, handlers.mark_missing), (restore, handlers.restore)):
            button.click(joint_action(method), [state, person, joint, extend, *options], outputs)
        for button, method in ((reroll, handlers.reroll), (undo, handlers.undo)):
            button.click(state_action(method), [state, person, extend, *options], outputs)
        apply.click(on_table, [state, person, table, extend, *options], outputs)
        export.click(on_export, [state, *options], [json_file, png_file, export_status])
    return tab


def launch(host: str = "127.0.0.1", port: int = 7860, handlers: Handlers | None = None):
    """Serve the tab as its own app, with the HTTP API (/posefill/v1/...) on the same port, as inside the WebUI;
    returns the Blocks (already launched, not blocking)."""
    from ..hosts.http import add_routes

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    tab = build_tab(handlers)
    tab.queue()
    tab.launch(server_name=host, server_port=port, prevent_thread_lock=True, show_error=False, quiet=True)
    add_routes(tab.server_app)  # the app gradio serves (in 3.41 tab.app is another one)
    return tab
