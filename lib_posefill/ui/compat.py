"""The differences between the gradio versions the tab runs on, in one place: 3.41 (AUTOMATIC1111), 4.40 (Forge)
and 6.x (the standalone app). Each helper reads the installed gradio's signatures, not its version number."""

import inspect
from typing import Any


def _accepts(component, name: str) -> bool:
    return name in inspect.signature(component.__init__).parameters


def fixed_columns(gr, count: int) -> dict:
    """A Dataframe with exactly ``count`` columns. gradio 6 reads ``column_count`` and ignores the older
    ``col_count=(count, "fixed")`` (its ``column_limits`` is not implemented yet, so the pair is passed whole)."""
    key = "column_count" if _accepts(gr.Dataframe, "column_count") else "col_count"
    return {key: (count, "fixed")}


def event_kwargs(gr: Any, js: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """Keyword arguments for an event listener: ``js`` under its version's name (``_js`` in gradio 3), and
    only those other arguments this gradio knows. Every listener takes what ``Blocks.load`` takes."""
    params = inspect.signature(gr.Blocks.load).parameters
    out = {k: v for k, v in kwargs.items() if k in params}
    if js is not None:
        out["js" if "js" in params else "_js"] = js
    return out
