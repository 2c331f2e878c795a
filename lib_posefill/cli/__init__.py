"""``posefill <command>`` (the same as ``python -m lib_posefill <command>``): one module per command, each with
``HELP``, ``add_arguments`` and ``run``.

Command modules import heavy packages (torch, gradio) only inside ``run``, so ``--help`` and the
inference commands stay light.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

from ..errors import PoseFillError, install_hint

COMMANDS: dict[str, str] = {
    "complete": "complete",
    "render": "render",
    "demo": "demo",
    "app": "app",
    "train": "train",
    "evaluate": "evaluate",
    "bench": "bench",
}
"""Command name -> module under lib_posefill.cli."""


def refuse_input_as_output(src: Path, dst: Path) -> None:
    """PoseFillError when writing ``dst`` would overwrite ``src``: the same path, a link to it, or the same
    file under another spelling (a hard link, another case on a case-insensitive disk)."""
    try:
        same = os.path.realpath(src) == os.path.realpath(dst) or os.path.samefile(src, dst)
    except OSError:  # one of them is missing, or a link loop: then they are not one file
        same = False
    if same:
        raise PoseFillError("OUT is the same as IN; PoseFill never overwrites its input", where=str(dst))


def build_parser(prog: str = "python -m lib_posefill") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="PoseFill: complete OpenPose skeletons.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"lib_posefill.cli.{module_name}")
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        cmd.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
        module.add_arguments(cmd)
        cmd.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None, prog: str = "python -m lib_posefill") -> int:
    args = build_parser(prog).parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(message)s")
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except ModuleNotFoundError as err:
        if args.debug:
            raise
        print(f"error: {install_hint(err.name, args.command)}", file=sys.stderr)
        return 1
    except Exception as err:  # the last guard: one line, no traceback unless --debug
        if args.debug:
            raise
        print(f"error: {err}", file=sys.stderr)
        return 1


def posefill() -> int:
    """The ``posefill`` console script (pyproject.toml's [project.scripts])."""
    return main(prog="posefill")
