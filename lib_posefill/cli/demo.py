"""``demo``: complete the bundled example poses and write before/after images (the Quick start's main job)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import PoseFillError
from ..options import CORE_FIELDS, add_option_arguments, options_from_args

HELP = "complete the bundled example poses (poses/) and write before/after images"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..resources import EXAMPLES_DIR

    parser.add_argument("-o", "--output", metavar="DIR", default="out/demo", help="folder to write (default: out/demo)")
    parser.add_argument("--examples", metavar="DIR", default=str(EXAMPLES_DIR), help="folder of pose files to complete")
    parser.add_argument(
        "--figure", metavar="PNG", help="also write the before/after image of --figure-example here (the README's)"
    )
    parser.add_argument("--figure-example", default="two_people", help="example shown in --figure")
    add_option_arguments(parser, (*CORE_FIELDS, "canvas"))


def run(args: argparse.Namespace) -> int:
    from ..completion import complete
    from ..document import parse_documents, read_json_file, write_documents
    from ..model import cached_filler
    from ..render import draw_before_after, save_png
    from ..resources import BODY25_CANVAS

    try:
        options = options_from_args(args)
        options = options if options.canvas else options.replace(canvas=BODY25_CANVAS)  # body25_bare.json
    except PoseFillError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    filler = cached_filler()
    failed = 0
    for src in sorted(Path(args.examples).glob("*.json")):
        try:
            value = read_json_file(src, options)
            before, is_list = parse_documents(value, options)
            after = complete(parse_documents(value, options)[0], options, filler)
            image = draw_before_after(before[0], after[0])
            completed = write_documents(after)
        except PoseFillError as err:
            print(err.at(str(src)), file=sys.stderr)
            failed += 1
            continue
        (out / src.name).write_text(json.dumps(completed if is_list else completed[0]), encoding="utf-8")
        save_png(out / f"{src.stem}.png", image)
        filled = sum(len(p["posefill"]["filled"]) for doc in completed for p in doc["people"])
        print(f"{src.name}: {filled} joint{'' if filled == 1 else 's'} filled -> {out / src.stem}.png")
        if args.figure and src.stem == args.figure_example:
            save_png(args.figure, image)
    return 1 if failed else 0
