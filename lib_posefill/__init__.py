"""PoseFill: fill in the OpenPose joints a pose detector lost, with a small learned model."""

from .api import as_options, complete_document, complete_people, complete_sequence
from .errors import PoseFillError
from .options import Options
from .version import __version__

__all__ = [
    "Options",
    "PoseFillError",
    "__version__",
    "as_options",
    "complete_document",
    "complete_people",
    "complete_sequence",
]
