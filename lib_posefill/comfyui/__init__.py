"""PoseFill as ComfyUI nodes (*PoseFill* and *PoseFill sequence*), registered through the repository's root
``__init__.py``, which ComfyUI imports from ``custom_nodes/<folder>/``. Importing this package needs neither
ComfyUI nor torch; torch is used only when a node makes its IMAGE output."""

from .nodes import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS"]
