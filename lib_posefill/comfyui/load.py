"""The *PoseFill load pose* node: OpenPose JSON (a file, a folder of frame files, or pasted text) -> POSE_KEYPOINT
and its ControlNet drawing, so a pose made in the PoseFill tab or by the CLI reaches ComfyUI's ControlNet (or a
PoseFill node) without a pose estimator. Read within the limits of every other input (max_file_mb, max_people)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..document import parse_documents
from ..errors import PoseFillError, TooLargeError
from ..files import read_bytes
from ..jsontext import decoded_size, loads_json
from ..limits import JSON_MEMORY_FACTOR
from ..options import Options
from ..sequence.order import natural_key
from .inputs import WIDGETS
from .nodes import conditioning_images


def input_folder() -> Path:
    """ComfyUI's input folder (where relative paths start); the working folder outside ComfyUI."""
    try:
        import folder_paths  # ComfyUI's module, importable only inside ComfyUI
    except ImportError:
        return Path.cwd()
    return Path(folder_paths.get_input_directory())


def resolve(path: str) -> Path:
    """``path`` as a user typed it: ``~`` expanded, relative to ComfyUI's input folder."""
    p = Path(path.strip()).expanduser()
    return p if p.is_absolute() else input_folder() / p


def frame_files(folder: Path) -> list[Path]:
    """The ``*.json`` entries directly inside ``folder``, in natural name order (frame_2 before frame_10)."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if e.name.endswith(".json")]
    except OSError as err:
        raise PoseFillError(f"cannot list the folder ({err.strerror})") from None
    if not names:
        raise PoseFillError("no *.json files directly inside this folder")
    return [folder / name for name in sorted(names, key=natural_key)]


def read_path(path: Path, options: Options) -> list:
    """The documents of a ``.json`` file (one document or a list of them) or of a folder of such files, all of
    them together within max_file_mb (one POSE_KEYPOINT is held in memory at once)."""
    if not path.is_dir():
        if path.suffix.lower() != ".json":
            raise PoseFillError("expected a .json file or a folder of them", where=path.name)
        try:
            value = loads_json(read_bytes(path, options.max_file_mb, streams=False), options.max_file_mb)
        except PoseFillError as err:
            raise err.at(path.name) from None
        return value if isinstance(value, list) else [value]
    documents: list = []
    limit = options.max_file_mb * 2**20
    read = decoded = 0  # bytes read, and the memory they take once decoded, over all the files so far
    for file in frame_files(path):
        try:
            data = read_bytes(file, (limit - read) / 2**20, streams=False)  # never waits on a FIFO
        except TooLargeError:
            raise TooLargeError(
                f"the folder's files together are over the {options.max_file_mb:g} MB limit (max_file_mb)"
            ) from None
        except PoseFillError as err:
            raise err.at(file.name) from None
        read, decoded = read + len(data), decoded + decoded_size(data)
        if decoded > JSON_MEMORY_FACTOR * limit:
            raise TooLargeError(
                f"the folder's files would take over {JSON_MEMORY_FACTOR} x the {options.max_file_mb:g} MB limit "
                "(max_file_mb) of memory once decoded"
            )
        try:
            value = loads_json(data, options.max_file_mb)
        except PoseFillError as err:
            raise err.at(file.name) from None
        documents.extend(value if isinstance(value, list) else [value])
    return documents


def read_text(text: str, options: Options) -> list:
    """The documents of pasted JSON text: one document or a list of them."""
    value = loads_json(text, options.max_file_mb)
    return value if isinstance(value, list) else [value]


def with_canvas(documents: list, canvas: str) -> list:
    """``canvas`` (WxH) given to the documents that have no canvas size (bare OpenPose output)."""
    size = Options.from_host({"canvas": canvas}, WIDGETS).canvas_size
    if size is None:
        return documents
    w, h = size
    missing = ("canvas_width", "canvas_height")
    return [
        {**doc, "canvas_width": w, "canvas_height": h}
        if isinstance(doc, dict) and any(doc.get(k) is None for k in missing)
        else doc
        for doc in documents
    ]


class PoseFillLoadPose:
    """OpenPose JSON -> POSE_KEYPOINT (the documents as read, a list) and the ControlNet drawing of each."""

    CATEGORY = "PoseFill"
    FUNCTION = "load"
    RETURN_TYPES = ("POSE_KEYPOINT", "IMAGE")
    RETURN_NAMES = ("pose_keypoint", "image")
    DESCRIPTION = (
        "Loads OpenPose JSON (as the PoseFill tab, the posefill CLI, pose editors or OpenPose write it): a .json "
        "file, a folder of frame files, or pasted text. Outputs the POSE_KEYPOINT for PoseFill or pose editor "
        "nodes and the ControlNet conditioning image of each document."
    )
    OUTPUT_TOOLTIPS = ("the documents, one per frame", "ControlNet's OpenPose drawing")

    @classmethod
    def INPUT_TYPES(cls) -> dict:
        return {
            "required": {
                "path": (
                    "STRING",
                    {
                        "default": "",
                        "tooltip": "a pose .json file, or a folder of them (the frames of a video, in natural name "
                        "order); relative to ComfyUI's input folder. Leave empty to use pose_json",
                    },
                ),
                "canvas": (
                    "STRING",
                    {"default": "", "tooltip": "WxH for documents without canvas_width/canvas_height (bare OpenPose)"},
                ),
                "pose_json": (
                    "STRING",
                    {"multiline": True, "default": "", "tooltip": "OpenPose JSON text: a document or a list of them"},
                ),
            }
        }

    @classmethod
    def IS_CHANGED(cls, path: str = "", **_: Any) -> str:
        """The file's (or the folder's files') names, sizes and times: ComfyUI reruns the node when they change."""
        if not path.strip():
            return ""
        try:
            p = resolve(path)
            files = frame_files(p) if p.is_dir() else [p]
            return repr([(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files])
        except (OSError, PoseFillError):
            return "unreadable"  # load() says why

    def load(self, path: str, canvas: str, pose_json: str) -> tuple:
        if path.strip() and pose_json.strip():
            raise PoseFillError("give a file or folder (path) or JSON text (pose_json), not both", where="path")
        if not path.strip() and not pose_json.strip():
            raise PoseFillError("expected a pose .json file or folder (path) or JSON text (pose_json)", where="path")
        source = "path" if path.strip() else "pose_json"
        options = Options()
        try:
            documents = read_path(resolve(path), options) if path.strip() else read_text(pose_json, options)
            if not documents:
                raise PoseFillError("expected at least one pose document, got an empty list")
            documents = with_canvas(documents, canvas)
            docs = parse_documents(documents, options)[0]  # every document checked here, not in the node it feeds
        except PoseFillError as err:
            raise err if err.where.startswith("canvas") else err.at(source) from None
        return documents, conditioning_images(docs)


NODE_CLASS_MAPPINGS = {"PoseFillLoadPose": PoseFillLoadPose}
NODE_DISPLAY_NAME_MAPPINGS = {"PoseFillLoadPose": "PoseFill load pose"}
