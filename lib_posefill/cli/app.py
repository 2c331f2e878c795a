"""``python -m lib_posefill app``: the PoseFill tab as a standalone gradio app."""

from __future__ import annotations

import argparse

HELP = "start the PoseFill tab as a standalone web app (gradio), with the bundled example poses"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port to listen on (default: 7860)")


def run(args: argparse.Namespace) -> int:
    from ..ui.blocks import launch

    app = launch(args.host, args.port)
    print(f"PoseFill app running at {app.local_url}", flush=True)
    try:
        app.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        app.close()
    return 0
