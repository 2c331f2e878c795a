"""Where the files PoseFill ships live: the model (``models/``) and the example poses (``poses/``).

A checkout (a clone, or the WebUI extension folder) keeps them at the repository root. A wheel carries copies
inside the package, under ``lib_posefill/shipped/`` (pyproject.toml copies them in at build time), found here
with importlib.resources; when that folder is absent the checkout's root is used.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CHECKOUT_ROOT = Path(__file__).resolve().parent.parent
PACKAGED = "shipped"


def shipped_path(name: str) -> Path:
    """The shipped folder ``name`` ("models" or "poses"): inside the installed package, else in the checkout."""
    packaged = files(__package__).joinpath(PACKAGED, name)
    if packaged.is_dir():
        return Path(str(packaged))
    return CHECKOUT_ROOT / name


EXAMPLES_DIR = shipped_path("poses")
BODY25_CANVAS = "640x480"
"""The canvas of ``body25_bare.json`` (bare OpenPose output has none): pass ``--canvas 640x480``."""
