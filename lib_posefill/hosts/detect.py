"""The tab's photo detector inside a WebUI: ControlNet's DWPose preprocessor, looked up lazily at each call."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..errors import PoseFillError
from ..ui.detect import NEEDS_CONTROLNET, Detector
from . import controlnet, forge

DWPOSE = "dw_openpose_full"


def _find_preprocessor(name: str) -> Any | None:
    """ControlNet's preprocessor by name, in AUTOMATIC1111 (sd-webui-controlnet) or Forge, else None."""
    registry = controlnet.find_registry()
    if registry is not None and registry.get_preprocessor(name) is not None:
        return registry.get_preprocessor(name)
    found = forge.find_registry()
    return found[0].supported_preprocessors.get(name) if found is not None else None


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
        doc = json.loads(poses[-1]) if isinstance(poses[-1], str) else poses[-1]
        doc = doc[0] if isinstance(doc, list) else doc
        # DWPose pads its canvas to a multiple of 64 at the bottom/right; the photo itself is w x h.
        return {**doc, "canvas_width": w, "canvas_height": h}

    return detect
