"""``complete IN -o OUT``: fill in the missing joints of a pose file, or of every ``*.json`` file in a folder.

All files are read first, then every person of every file is completed in one batch, then all are written:
a folder of thousands of small files costs one model call.
"""

from __future__ import annotations

import argparse
import json
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
    """The (input, output) file pairs for IN and OUT; PoseFillError for a usage problem."""
    if not src.exists():
        raise PoseFillError("no such file or folder", where=str(src))
    refuse_input_as_output(src, dst)
    if src.is_dir():
        if dst.exists() and not dst.is_dir():
            raise PoseFillError("IN is a folder, so OUT must be a folder, but it is a file", where=str(dst))
        with os.scandir(src) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(".json") and e.is_file())
        return [(src / name, dst / name) for name in names]
    if dst.is_dir():
        raise PoseFillError("IN is a file, so OUT must be a file path, but it is a folder", where=str(dst))
    return [(src, dst)]


def run(args: argparse.Namespace) -> int:
    from ..completion import complete_parsed
    from ..document import parse_documents, read_json_file
    from ..model import cached_filler
    from ..sequence.complete import complete_frames
    from ..sequence.order import natural_key
    from .progress import ProgressLine

    try:
        options = options_from_args(args)
        pairs = plan(Path(args.input), Path(args.output))
        if args.sequence:
            pairs.sort(key=lambda pair: natural_key(pair[0].name))
    except PoseFillError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if Path(args.input).is_dir():
        Path(args.output).mkdir(parents=True, exist_ok=True)
        if not pairs:
            print(f"warning: no *.json files directly inside {args.input}", file=sys.stderr)

    progress = ProgressLine(len(pairs), quiet=args.quiet or not Path(args.input).is_dir())
    failed = 0
    jobs = []  # (output path, number of documents, whether the file held a list)
    docs = []
    for src, dst in pairs:
        progress.count(read=1)
        try:
            parsed, is_list = parse_documents(read_json_file(src, options), options)
        except PoseFillError as err:
            print(err.at(str(src)), file=sys.stderr)
            failed += 1
            continue
        jobs.append((dst, len(parsed), is_list))
        docs.extend(parsed)

    complete = complete_frames if args.sequence else complete_parsed
    outputs = complete(docs, options, cached_filler()) if docs else []
    progress.count(filled=sum(len(doc.people) for doc in docs))
    start = 0
    if not Path(args.input).is_dir() and jobs:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    for dst, count, is_list in jobs:
        progress.count(written=1)
        value = outputs[start : start + count] if is_list else outputs[start]
        start += count
        try:
            dst.unlink(missing_ok=True)  # replaced, not written through: a link in OUT may point into IN
            with open(dst, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(value))
        except OSError as err:
            print(f"{dst}: cannot write ({err.strerror})", file=sys.stderr)
            failed += 1
    progress.close()
    return 1 if failed else 0
