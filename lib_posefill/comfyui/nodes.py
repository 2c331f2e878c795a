"""The ComfyUI nodes: ``POSE_KEYPOINT`` in (a list of OpenPose documents, as comfyui_controlnet_aux's DWPose and
OpenPose estimators output it), the completed ``POSE_KEYPOINT`` and the ControlNet conditioning ``IMAGE`` batch
out (B x H x W x 3 float32 in 0..1, one image per document). The widgets come from the one options model."""

from __future__ import annotations

from typing import Any

import cv2

from ..completion import complete
from ..document import PoseDocument, parse_documents, write_documents
from ..errors import PoseFillError
from ..jsontext import check_value
from ..model import cached_filler
from ..options import CORE_FIELDS, FIELD_BY_NAME, Field, Options
from ..render import draw_document
from ..sequence.complete import complete_frames
from .inputs import UNSET, WIDGETS, check_image_batch, plain_value

NO_VALUE_CONTROL = {"control_after_generate": False}
"""How ComfyUI's own nodes declare an INT named seed that must keep the user's value. The frontend (1.12 on) gives
an INT named seed or noise_seed a "control after generate" widget, starting at randomize, unless this key is False;
in 1.12.8 and 1.35.9 (ComfyUI 0.8.0's) a string there named the control widget instead of setting its mode: "fixed"
gave a widget named fixed, set to randomize, and the seed left -1 (the best guess) after the first run."""


def widget(field: Field) -> tuple:
    """A ComfyUI input spec for an option: a combo for choices, INT or FLOAT with its range otherwise."""
    spec: dict[str, Any] = {"tooltip": field.help}
    if field.choices:
        return list(field.choices), {"default": field.default, **spec}
    if field.kind is float:
        return "FLOAT", {"default": field.default, "min": field.low, "max": field.high, "step": 0.01, **spec}
    if field.optional:
        spec["tooltip"] = f"{field.help} ({UNSET} = unset)"
        return "INT", {"default": UNSET, "min": UNSET, "max": int(field.high), **NO_VALUE_CONTROL, **spec}
    return "INT", {"default": field.default, "min": int(field.low), "max": int(field.high), **spec}


def options_from_widgets(values: dict[str, Any]) -> Options:
    """Options from the widget values (``UNSET`` leaves an optional option unset)."""
    return Options.from_host(values, WIDGETS)


def conditioning_images(docs: list[PoseDocument]):
    """Parsed (or completed) documents drawn as ControlNet draws OpenPose conditioning: a torch float32 batch
    (B, H, W, 3) in 0..1, every image the size of the first document's canvas."""
    import torch

    w, h = int(docs[0].width), int(docs[0].height)
    check_image_batch(len(docs), w, h)  # before anything is drawn
    batch = torch.empty((len(docs), h, w, 3), dtype=torch.float32)
    for i, doc in enumerate(docs):
        im = draw_document(doc)
        im = im if im.shape[:2] == (h, w) else cv2.resize(im, (w, h), interpolation=cv2.INTER_AREA)
        batch[i] = torch.from_numpy(im).to(torch.float32).div_(255.0)
    return batch


class PoseFill:
    """Fill in the joints the pose detector lost, in every document (frame) on its own."""

    CATEGORY = "PoseFill"
    FUNCTION = "complete"
    RETURN_TYPES = ("POSE_KEYPOINT", "IMAGE")
    RETURN_NAMES = ("pose_keypoint", "image")
    DESCRIPTION = (
        "Fills in the OpenPose joints a detector lost (legs below the frame, an arm past the edge, hidden joints). "
        "Outputs the completed POSE_KEYPOINT and its ControlNet conditioning image, one per document."
    )
    OUTPUT_TOOLTIPS = (
        "the completed poses (pixels, c = 1.0, a posefill record per person)",
        "ControlNet's OpenPose drawing",
    )

    @classmethod
    def INPUT_TYPES(cls) -> dict:
        return {
            "required": {
                "pose_keypoint": ("POSE_KEYPOINT", {"tooltip": "from DWPose / OpenPose estimators or a pose loader"}),
                **{name: widget(FIELD_BY_NAME[name]) for name in CORE_FIELDS},
            }
        }

    def complete(self, pose_keypoint: Any, **widgets: Any) -> tuple:
        pose_keypoint = plain_value(pose_keypoint)  # numpy numbers and arrays from other nodes
        check_value(pose_keypoint)  # what JSON can write back (finite numbers, valid text), as files and HTTP bodies
        documents = pose_keypoint if isinstance(pose_keypoint, list) else [pose_keypoint]
        if not documents:
            raise PoseFillError("expected at least one pose document, got an empty list", where="pose_keypoint")
        options = options_from_widgets(widgets)
        docs = self.fill(parse_documents(documents, options)[0], options)
        return write_documents(docs), conditioning_images(docs)

    @staticmethod
    def fill(docs: list[PoseDocument], options: Options) -> list[PoseDocument]:
        return complete(docs, options, cached_filler())


class PoseFillSequence(PoseFill):
    """The documents are the consecutive frames of one video: people are tracked (posefill.track) and filled
    steadily across frames; given joints never move."""

    DESCRIPTION = (
        "For video: the documents are consecutive frames. Tracks people across frames, uses joints seen in other "
        "frames, and keeps filled joints steady along time. Outputs the completed POSE_KEYPOINT and the image batch."
    )

    @staticmethod
    def fill(docs: list[PoseDocument], options: Options) -> list[PoseDocument]:
        return complete_frames(docs, options, cached_filler())


NODE_CLASS_MAPPINGS = {"PoseFill": PoseFill, "PoseFillSequence": PoseFillSequence}
NODE_DISPLAY_NAME_MAPPINGS = {"PoseFill": "PoseFill", "PoseFillSequence": "PoseFill sequence"}
