"""Photo detection hook: a host (the WebUI adapter) may provide a detector; outside one there is none.

A detector takes an RGB uint8 image and returns a pose document (dict) whose canvas is the image size.
``controlnet_detector`` looks up ControlNet's DWPose preprocessor lazily, inside a WebUI only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import PoseFillError

Detector = Callable[[np.ndarray], dict]
DWPOSE = "dw_openpose_full"
NEEDS_CONTROLNET = (
    "detecting a pose in a photo needs ControlNet's DWPose (PoseFill inside a WebUI with sd-webui-controlnet); "
    "here, upload a pose JSON or a rendered skeleton image"
)


def _find_preprocessor(name: str) -> Any | None:
    """ControlNet's preprocessor registry entry, in AUTOMATIC1111 (sd-webui-controlnet) or Forge."""
    try:
        from scripts.supported_preprocessor import Preprocessor  # sd-webui-controlnet >= 1.1.444

        found = Preprocessor.get_preprocessor(name)
        if found is not None:
            return found
    except Exception:  # not running in AUTOMATIC1111 with ControlNet
        pass
    try:
        from modules_forge.shared import supported_preprocessors  # Forge

        return supported_preprocessors.get(name)
    except Exception:
        return None


def controlnet_detector(name: str = DWPOSE) -> Detector:
    """A detector running ControlNet's DWPose (looked up at each call) and keeping the pose JSON it reports."""

    def detect(image: np.ndarray) -> dict:
        preprocessor = _find_preprocessor(name)
        if preprocessor is None:
            raise PoseFillError(NEEDS_CONTROLNET)
        poses: list[Any] = []
        h, w = image.shape[:2]
        preprocessor(input_image=image, resolution=min(h, w), json_pose_callback=poses.append)
        if not poses:
            raise PoseFillError(f"ControlNet's {name} reported no pose for this photo")
        doc = poses[0][0] if isinstance(poses[0], list) else poses[0]
        # DWPose pads its canvas to a multiple of 64 at the bottom/right; the photo itself is w x h.
        return {**doc, "canvas_width": w, "canvas_height": h}

    return detect
