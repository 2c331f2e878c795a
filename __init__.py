"""ComfyUI entry point: ComfyUI imports ``custom_nodes/<this folder>/__init__.py`` as a package. The WebUI
(scripts/), the CLI and the lib_posefill package never import this file."""

if __package__:  # imported as a package, the way ComfyUI does
    from .lib_posefill.comfyui import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS

    __all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS"]
