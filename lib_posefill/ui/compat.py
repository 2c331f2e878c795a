"""The differences between the gradio versions the tab runs on, in one place: 3.41 (AUTOMATIC1111), 4.40 (Forge)
and 6.x (the standalone app). Each helper reads the installed gradio's signatures, not its version number."""

import inspect
from typing import Any


def event_kwargs(gr: Any, js: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """Keyword arguments for an event listener: ``js`` under its version's name (``_js`` in gradio 3), and
    only those other arguments this gradio knows. Every listener takes what ``Blocks.load`` takes."""
    params = inspect.signature(gr.Blocks.load).parameters
    out = {k: v for k, v in kwargs.items() if k in params}
    if js is not None:
        out["js" if "js" in params else "_js"] = js
    return out
