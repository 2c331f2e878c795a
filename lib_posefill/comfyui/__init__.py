"""PoseFill as ComfyUI nodes (*PoseFill*, *PoseFill sequence* and *PoseFill load pose*), registered through the
repository's root ``__init__.py``, which ComfyUI imports from ``custom_nodes/<folder>/``. Importing this package
needs neither ComfyUI nor torch; torch is used only when a node makes its IMAGE output."""

from . import load, nodes

NODE_CLASS_MAPPINGS = {**nodes.NODE_CLASS_MAPPINGS, **load.NODE_CLASS_MAPPINGS}
NODE_DISPLAY_NAME_MAPPINGS = {**nodes.NODE_DISPLAY_NAME_MAPPINGS, **load.NODE_DISPLAY_NAME_MAPPINGS}

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS"]
