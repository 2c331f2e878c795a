"""``complete IN -o OUT``: fill in the missing joints of a pose file, or of every ``*.json`` file in a folder.

Files are read in bounded batches and every person of a batch is completed in one model call (``batch.py``):
a folder of thousands of small files costs one model call, and a folder of any size the memory of one batch.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import PoseFillError
from ..options import add_option_arguments, options_from_args
from . import refuse_input_as_output

HELP = "fill in the missing joints of a pose JSON file, or of every *.json file directly inside a folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="IN", help="a pose JSON file, or a folder of them (not recursive)")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        required=True,
        help="the output file (IN a file) or folder (IN a folder; same file names); existing files are overwritten",
    )
    add_option_arguments(parser)


def plan(src: Path, dst: Path) -> list[tuple[Path, Path]]:
    """The (input, output) file pairs for IN and OUT; PoseFillError for a usage problem. In a folder, every
    entry named *.json is a pair, whatever it is: one that is no readable file gets its own error later."""
    if not src.exists() and not src.is_symlink():
        raise PoseFillError("no such file or folder", where=str(src))
    refuse_input_as_output(src, dst)
    if src.is_dir():
        if dst.exists() and not dst.is_dir():
            raise PoseFillError("IN is a folder, so OUT must be a folder, but it is a file", where=str(dst))
        with os.scandir(src) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(".json"))
        return [(src / name, dst / name) for name in names]
    if dst.is_dir():
        raise PoseFillError("IN is a file, so OUT must be a file path, but it is a folder", where=str(dst))
    return [(src, dst)]


def run(args: argparse.Namespace) -> int:
    from .batch import complete_files

    try:
        options = options_from_args(args)
        pairs = plan(Path(args.input), Path(args.output))
    except PoseFillError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    folder = Path(args.input).is_dir()
    if folder:
        Path(args.output).mkdir(parents=True, exist_ok=True)
        if not pairs:
            print(f"warning: no *.json files directly inside {args.input}", file=sys.stderr)
    return 1 if complete_files(pairs, options, streams=not folder) else 0
