"""``posefill app``: the PoseFill tab as a standalone gradio app, with the HTTP API on the same port."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys

HELP = "start the PoseFill tab as a standalone web app (gradio) with the HTTP API, and the bundled example poses"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1",
        help="address to listen on (default: $GRADIO_SERVER_NAME or 127.0.0.1)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=os.environ.get("GRADIO_SERVER_PORT") or "7860",
        help="port to listen on (default: $GRADIO_SERVER_PORT or 7860)",
    )


def listen_problem(host: str, port: int) -> str | None:
    """Why the app could not listen on host:port (a busy port names --port and make's PORT=), or None."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is already in use; pick another one: "
                    f"posefill app --port {port + 1} (or make app PORT={port + 1})"
                )
            return f"cannot listen on {host}:{port} ({err.strerror or err})"
    return None


def run(args: argparse.Namespace) -> int:
    try:
        import gradio  # noqa: F401
    except ImportError:
        print('error: the app needs gradio: pip install ".[app]" in a PoseFill clone (or: make app)', file=sys.stderr)
        return 1
    from ..ui.blocks import launch

    problem = listen_problem(args.host, args.port)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    app = launch(args.host, args.port)
    print(f"PoseFill app running at {app.local_url} (HTTP API: {app.local_url}posefill/v1/version)", flush=True)
    try:
        app.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        app.close()
    return 0
