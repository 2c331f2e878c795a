"""``render IN -o OUT.png``: draw a pose file the way ControlNet draws its OpenPose conditioning image."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import MissingInputError, PoseFillError
from ..options import add_option_arguments, options_from_args
from . import refuse_input_as_output

HELP = "draw a pose JSON file as ControlNet's OpenPose image (the first document of a list)"
RENDER_OPTIONS = ("framing", "margin", "min_confidence", "coords", "canvas", "max_file_mb", "max_people")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="IN", help="a pose JSON file")
    parser.add_argument("-o", "--output", metavar="OUT.png", required=True, help="the PNG file to write")
    parser.add_argument(
        "--style",
        choices=("controlnet", "preview"),
        default="controlnet",
        help="controlnet = exactly ControlNet's image; preview = also ring the joints PoseFill filled",
    )
    parser.add_argument(
        "--extend", action="store_true", help="grow the image so joints outside the canvas show (canvas outlined)"
    )
    add_option_arguments(parser, RENDER_OPTIONS)


def run(args: argparse.Namespace) -> int:
    from ..document import read_json_file
    from ..render import first_document, render, save_png

    src, dst = Path(args.input), Path(args.output)
    try:
        options = options_from_args(args)
        if not src.exists() and not src.is_symlink():
            raise MissingInputError("no such file", where=str(src))
        refuse_input_as_output(src, dst)
    except PoseFillError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1 if isinstance(err, MissingInputError) else 2
    try:
        image = render(first_document(read_json_file(src, options), options), options, args.style, args.extend)
    except PoseFillError as err:
        print(err.at(str(src)), file=sys.stderr)
        return 1
    try:
        save_png(dst, image)
    except PoseFillError as err:
        print(err.at(str(dst)), file=sys.stderr)
        return 1
    return 0
