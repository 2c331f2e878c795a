"""PoseFill's HTTP API, for any FastAPI app (the WebUI's, the standalone app's).

``POST {prefix}/complete``  {"pose": <document or list>, "options": {...}, "frame": [x0, y0, x1, y1]?}
                            -> {"pose": <completed, same shape>}
``POST {prefix}/render``    {"pose": ..., "options": {...}, "frame": ..., "complete": false, "style": "controlnet",
                            "extend": false} -> image/png of the (first) document
``GET  {prefix}/version``   -> {"posefill": version, "api": 1, "model": filler name, "options": {...}}

A body is read once by PoseFill itself (capped at ``max_bytes``), decoded once (``jsontext.loads_json``), checked
once (``bodies.py``: its fields by hand, options through the one options model, the pose by the document
reader), completed and written once, and answered as the JSON bytes written: no pydantic model, no re-parse, no
FastAPI dependency solving on the way (the routes take the request and return a response). Small ``/complete``
bodies are worked on in the event loop (a thread hop costs more than their fill); the rest in worker threads. Errors are
``{"detail": "<one line naming the field>"}`` with 400 (not JSON), 413 (too large, or too large once decoded)
or 422 (anything else wrong with the request); 500 means a fault of the server. Bodies over
``HTTP_LARGE_BYTES`` are read and worked on one at a time, and the memory they took is handed back afterwards.
No ``from __future__ import annotations`` here: FastAPI reads the routes' ``Request`` annotation at runtime.
"""

import asyncio
import json
import logging
import threading
from typing import Any

from ..completion import complete as complete_documents
from ..document import parse_documents, write_documents
from ..errors import NotJSONError, PoseFillError, TooLargeError
from ..jsontext import dumps_compact, loads_json
from ..limits import HTTP_LARGE_BYTES, HTTP_MAX_BYTES
from ..memory import release_memory
from ..model import cached_filler
from ..options import FIELDS
from ..render import encode_png, render
from ..version import __version__
from .bodies import SERVER_ONLY, request_options, validate

log = logging.getLogger("posefill")

API_VERSION = 1
PREFIX = "/posefill/v1"
MAX_BYTES = HTTP_MAX_BYTES
INLINE_BYTES = 8 * 1024
"""``/complete`` bodies up to this size (about 20 people) are worked on in the event loop: under 2 ms of work, less
than what handing them to a worker thread and back costs for one person."""


class RequestError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def complete(body: dict[str, Any]) -> bytes:
    """The answer of ``/complete``: the request's documents parsed, completed and written once, as JSON bytes."""
    request = validate("complete", body)
    options = request_options(request)
    docs, is_list = parse_documents(request.pose, options)
    frames = [request.frame] * len(docs) if request.frame else None
    out = write_documents(complete_documents(docs, options, cached_filler(), frames))
    return dumps_compact({"pose": out if is_list else out[0]})


def render_png(body: dict[str, Any]) -> bytes:
    """The answer of ``/render``: a PNG of the request's (first) document, drawn from the one parse (completed
    first with ``complete``)."""
    request = validate("render", body)
    options = request_options(request)
    docs, _ = parse_documents(request.pose, options)
    if not docs:
        raise PoseFillError("an empty list holds no document to draw", where="document")
    frames = [request.frame] * len(docs) if request.frame else None
    if request.complete:
        complete_documents(docs, options, cached_filler(), frames)
    return encode_png(render(docs[0], options, request.style, request.extend, frames[0] if frames else None))


def answer(data: bytes, work, max_bytes: int = MAX_BYTES) -> tuple[int, bytes]:
    """(status, body) for a request body: ``work``'s bytes, or a one-line JSON error."""
    try:
        try:
            body = loads_json(data, max_bytes / 2**20)
        except NotJSONError as err:
            raise RequestError(400, f"request body: {err}") from None
        except TooLargeError as err:
            raise RequestError(413, f"request body: {err}") from None
        if not isinstance(body, dict):
            raise PoseFillError(f'expected a JSON object with "pose", got {type(body).__name__}', where="request body")
        return 200, work(body)
    except RequestError as err:
        return err.status, json.dumps({"detail": err.detail}).encode()
    except PoseFillError as err:
        return 422, json.dumps({"detail": str(err)}).encode()


def version_info() -> dict[str, Any]:
    try:
        model = cached_filler().name
    except Exception as err:  # the version route must answer even when the model cannot load
        model = f"unavailable: {err}"
    fields = {
        f.name: {"default": f.default, "help": f.help, **({"choices": list(f.choices)} if f.choices else {})}
        for f in FIELDS
        if f.name not in SERVER_ONLY
    }
    return {"posefill": __version__, "api": API_VERSION, "model": model, "options": fields}


class OneAtATime:
    """A lock an event loop can wait for without blocking (it polls), released from any thread: large bodies
    are read and worked on one at a time, so many at once cost the memory of one, not of all."""

    POLL_S = 0.02

    def __init__(self) -> None:
        self._lock = threading.Lock()

    async def acquire(self) -> None:
        while not self._lock.acquire(blocking=False):
            await asyncio.sleep(self.POLL_S)

    def release(self) -> None:
        self._lock.release()


async def read_body(request: Any, max_bytes: int, large: OneAtATime) -> tuple[bytes, bool]:
    """The body (413 over ``max_bytes``), and whether ``large`` was acquired for it (the caller releases it).
    The lock is taken before a body known to be large is read (the client waits), else once it grows large."""
    declared = request.headers.get("content-length")
    size = int(declared) if declared and declared.isdigit() else 0
    if size > max_bytes:
        raise RequestError(413, f"request body is over the {max_bytes} byte limit")
    held = False
    try:
        if size > HTTP_LARGE_BYTES:
            await large.acquire()
            held = True
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise RequestError(413, f"request body is over the {max_bytes} byte limit")
            if size > HTTP_LARGE_BYTES and not held:
                await large.acquire()
                held = True
            chunks.append(chunk)
        return b"".join(chunks), held
    except BaseException:
        if held:
            large.release()
        raise


def add_routes(app: Any, prefix: str = PREFIX, max_bytes: int = MAX_BYTES) -> None:
    """Add the three routes to a FastAPI ``app`` (listed in its OpenAPI docs under "PoseFill")."""
    from fastapi import Request
    from fastapi.responses import JSONResponse, Response
    from fastapi.routing import APIRoute
    from starlette.concurrency import run_in_threadpool

    class PlainRoute(APIRoute):
        """A route whose endpoint takes the request and returns the response itself: FastAPI solves no
        dependencies and validates nothing on the way."""

        def get_route_handler(self):
            return self.endpoint

    large = OneAtATime()

    def work_on(data: bytes, work, held: bool, started: list) -> tuple[int, bytes]:
        started.append(True)
        try:
            return answer(data, work, max_bytes)
        finally:
            if held:
                release_memory()  # what the large request's documents took goes back to the system
                large.release()

    async def respond(request: Request, work, media_type: str):
        try:
            data, held = await read_body(request, max_bytes, large)
        except RequestError as err:
            return JSONResponse({"detail": err.detail}, status_code=err.status)
        if work is complete and not held and len(data) <= INLINE_BYTES:
            status, content = answer(data, work, max_bytes)
            return Response(content, status_code=status, media_type="application/json")
        started: list = []
        try:
            status, content = await run_in_threadpool(work_on, data, work, held, started)
        finally:
            if held and not started:  # cancelled before a worker thread took it: the lock is still ours
                large.release()
        return Response(content, status_code=status, media_type=media_type if status == 200 else "application/json")

    async def complete_route(request: Request):
        return await respond(request, complete, "application/json")

    async def render_route(request: Request):
        return await respond(request, render_png, "image/png")

    async def version_route():
        return JSONResponse(await run_in_threadpool(version_info))

    for name, route in (("complete", complete_route), ("render", render_route)):
        app.router.add_api_route(
            f"{prefix}/{name}", route, methods=["POST"], tags=["PoseFill"], route_class_override=PlainRoute
        )
    app.add_api_route(f"{prefix}/version", version_route, methods=["GET"], tags=["PoseFill"])
