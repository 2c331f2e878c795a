"""Loading the shipped completion model (models/posefill.onnx) as a Filler.

Until a model file exists, the mean-pose baseline fills in, with a warning.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

from .baselines import MeanPoseFiller
from .filler import Filler

log = logging.getLogger("posefill")
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL_PATH = MODELS_DIR / "posefill.onnx"
MODEL_ENV = "POSEFILL_MODEL"


def model_path() -> Path:
    """The model file in use: $POSEFILL_MODEL if set, else the shipped one."""
    return Path(os.environ.get(MODEL_ENV) or DEFAULT_MODEL_PATH)


def load_filler(path: str | os.PathLike[str] | None = None) -> Filler:
    """The completion model at ``path`` (default: ``model_path()``)."""
    path = Path(path) if path else model_path()
    if not path.exists():
        log.warning("PoseFill: no model at %s; using the mean-pose baseline", path)
        return MeanPoseFiller()
    raise NotImplementedError("ONNX runtime filler lands with the model issue")


@functools.lru_cache(maxsize=4)
def cached_filler(path: str | None = None) -> Filler:
    """``load_filler`` once per path and process."""
    return load_filler(path)
