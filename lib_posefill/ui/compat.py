"""The differences between the gradio versions the tab runs on, in one place: 3.41 (AUTOMATIC1111), 4.40 (Forge)
and 6.x (the standalone app). Each helper reads the installed gradio's signatures, not its version number."""

import inspect


def _accepts(component, name: str) -> bool:
    return name in inspect.signature(component.__init__).parameters


def image_kwargs(gr) -> dict:
    """gradio 4 and later send output images as WebP unless told otherwise (slow to encode); PNG is exact and quick."""
    return {"format": "png"} if _accepts(gr.Image, "format") else {}


def fixed_columns(gr, count: int) -> dict:
    """A Dataframe with exactly ``count`` columns. gradio 6 reads ``column_count`` and ignores the older
    ``col_count=(count, "fixed")`` (its ``column_limits`` is not implemented yet, so the pair is passed whole)."""
    key = "column_count" if _accepts(gr.Dataframe, "column_count") else "col_count"
    return {key: (count, "fixed")}
