"""Photo detection hook: a host (the WebUI adapter, ``hosts.detect``) may provide a detector; outside one there
is none. A detector takes an RGB uint8 image and returns a pose document (dict) whose canvas is the image size."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Detector = Callable[[np.ndarray], dict]
NEEDS_CONTROLNET = (
    "detecting a pose in a photo needs ControlNet's DWPose (PoseFill inside a WebUI with sd-webui-controlnet); "
    "here, upload a pose JSON or a rendered skeleton image"
)
