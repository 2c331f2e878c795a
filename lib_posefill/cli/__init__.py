"""``posefill <command>`` (the same as ``python -m lib_posefill <command>``): one module per command, each with
``HELP``, ``add_arguments`` and ``run``.

Command modules import heavy packages (torch, gradio) only inside ``run``, so ``--help`` and the
inference commands stay light. The development commands (train, evaluate, bench) live in ``posefill_dev``, beside
this package in a clone and absent from the wheel: they are looked up by name, so the runtime never imports the
tooling, and where it is absent they say where to run them.
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
    "complete": "lib_posefill.cli.complete",
    "render": "lib_posefill.cli.render",
    "demo": "lib_posefill.cli.demo",
    "app": "lib_posefill.cli.app",
    "train": "posefill_dev.commands.train",
    "evaluate": "posefill_dev.commands.evaluate",
    "bench": "posefill_dev.commands.bench",
}
"""Command name -> its module (``HELP``, ``add_arguments``, ``run``)."""
DEV_PACKAGE = "posefill_dev"
FROM_A_CLONE = (
    "{name} is a development command: run it from a clone of the PoseFill repository "
    '(git clone, then pip install -e ".[train]" there; see the README)'
)


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
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name != DEV_PACKAGE:
                raise
            # every argument is taken as it comes (no option parsing): the command is not here to read them
            cmd = sub.add_parser(name, help=FROM_A_CLONE.format(name=name), add_help=False, prefix_chars="\0")
            cmd.add_argument("rest", nargs="*")
            cmd.set_defaults(run=_from_a_clone(name), debug=False)
            continue
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        cmd.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
        module.add_arguments(cmd)
        cmd.set_defaults(run=module.run)
    return parser


def _from_a_clone(name: str):
    def run(_args: argparse.Namespace) -> int:
        print(f"error: {FROM_A_CLONE.format(name=name)}", file=sys.stderr)
        return 1

    return run


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
