"""``complete IN -o OUT``: fill in the missing joints of a pose file, or of every ``*.json`` file in a folder.

Files are read in bounded batches and every person of a batch is completed in one model call (``batch.py``):
a folder of thousands of small files costs one model call, and a folder of any size the memory of one batch.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import MissingInputError, PoseFillError
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
    parser.add_argument(
        "--sequence",
        action="store_true",
        help="the inputs are consecutive frames of one video (a folder's files in natural name order, frame_2 "
        "before frame_10, or one file holding a list of documents): track people and fill steadily across frames",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress line (a folder shows one on a terminal)"
    )
    add_option_arguments(parser)


def plan(src: Path, dst: Path) -> list[tuple[Path, Path]]:
    """The (input, output) file pairs for IN and OUT; PoseFillError for a usage problem. In a folder, every
    entry named *.json is a pair, whatever it is: one that is no readable file gets its own error later."""
    if not src.exists() and not src.is_symlink():
        raise MissingInputError("no such file or folder", where=str(src))
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
    from ..completion import complete
    from ..sequence.complete import complete_frames
    from ..sequence.order import natural_key
    from .batch import BATCH_MB, complete_files
    from .progress import ProgressLine

    try:
        options = options_from_args(args)
        pairs = plan(Path(args.input), Path(args.output))
        if args.sequence:
            pairs.sort(key=lambda pair: natural_key(pair[0].name))
    except PoseFillError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1 if isinstance(err, MissingInputError) else 2
    folder = Path(args.input).is_dir()
    if folder:
        Path(args.output).mkdir(parents=True, exist_ok=True)
        if not pairs:
            print(f"warning: no *.json files directly inside {args.input}", file=sys.stderr)
    progress = ProgressLine(len(pairs), quiet=args.quiet or not folder)
    failed = complete_files(
        pairs,
        options,
        streams=not folder,
        complete=complete_frames if args.sequence else complete,
        batch_mb=None if args.sequence else BATCH_MB,  # a sequence is completed as a whole
        progress=progress,
    )
    progress.close()
    return 1 if failed else 0
