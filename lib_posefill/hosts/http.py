"""PoseFill's HTTP API, for any FastAPI app (the WebUI's, the standalone app's).

``POST {prefix}/complete``  {"pose": <document or list>, "options": {...}, "frame": [x0, y0, x1, y1]?}
                            -> {"pose": <completed, same shape>}
``POST {prefix}/render``    {"pose": ..., "options": {...}, "complete": false, "style": "controlnet", "extend": false}
                            -> image/png of the (first) document
``GET  {prefix}/version``   -> {"posefill": version, "api": 1, "model": filler name, "options": {...}}

Bodies are plain JSON read from the request (no pydantic models, so it works with pydantic 1 and 2),
capped at ``max_bytes``; errors are ``{"detail": "<one line>"}`` with 400 (not JSON), 413 (too big)
or 422 (the core's PoseFillError message naming the field).
No ``from __future__ import annotations`` here: FastAPI reads the routes' ``Request`` annotation at runtime.
"""

import math
from typing import Any

import cv2
import numpy as np

from .. import __version__
from ..api import complete_document
from ..completion import fit_frame
from ..document import PoseDocument, loads_json, present_points
from ..errors import PoseFillError
from ..model import cached_filler
from ..options import FIELDS, Options
from ..render import draw_document, first_document

API_VERSION = 1
PREFIX = "/posefill/v1"
MAX_BYTES = 16 * 2**20
MAX_PIXELS = 4096 * 4096
"""The largest image the render route draws (a canvas, or an extended view, is refused beyond it)."""
SERVER_ONLY = ("max_file_mb", "max_people")
"""Limits the server sets; a request cannot raise them."""
STYLES = ("controlnet", "preview")


class RequestError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def request_options(body: dict[str, Any]) -> Options:
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise PoseFillError(f"expected an object, got {type(options).__name__}", where="options")
    refused = sorted(set(options) & set(SERVER_ONLY))
    if refused:
        raise PoseFillError(f"{', '.join(refused)} cannot be set over HTTP", where="options")
    try:
        return Options.from_mapping(options)
    except PoseFillError as err:
        raise err.at("options") from None


def _frame(body: dict[str, Any]) -> tuple[float, float, float, float] | None:
    frame = body.get("frame")
    if frame is None:
        return None
    ok = isinstance(frame, list) and len(frame) == 4
    ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in frame)
    if not ok or not (frame[0] < frame[2] and frame[1] < frame[3]):
        raise PoseFillError("expected [x0, y0, x1, y1] with x0 < x1 and y0 < y1", where="frame")
    return tuple(float(v) for v in frame)


def parse_body(data: bytes) -> dict[str, Any]:
    try:
        body = loads_json(data)
    except PoseFillError as err:
        raise RequestError(400, f"request body: {err}") from None
    if not isinstance(body, dict) or "pose" not in body:
        raise RequestError(400, 'request body: expected a JSON object with "pose" (and optional "options")')
    return body


def complete(body: dict[str, Any]) -> dict[str, Any]:
    return {"pose": complete_document(body["pose"], request_options(body), frame=_frame(body))}


def render_png(body: dict[str, Any]) -> bytes:
    options = request_options(body)
    style = body.get("style", "controlnet")
    if style not in STYLES:
        raise PoseFillError(f"expected one of {', '.join(STYLES)}, got {style!r}", where="style")
    pose = body["pose"]
    completed = bool(body.get("complete"))
    if completed:  # framing applies in the completion
        pose = complete_document(pose, options, frame=_frame(body))
        options = options.replace(coords="pixel", min_confidence=0.0)  # completed documents are in pixels
    doc = first_document(pose, options)
    if options.framing == "fit" and not completed:  # as the CLI's render --framing fit
        fit_frame(doc, np.array(_frame(body) or (0.0, 0.0, doc.width, doc.height)), options.margin)
    extend = bool(body.get("extend"))
    width, height = _image_size(doc, extend)
    if width * height > MAX_PIXELS:
        raise PoseFillError(f"the image would be {width}x{height} pixels, over {MAX_PIXELS} pixels", where="canvas")
    image = draw_document(doc, style=style, extend=extend)
    ok, png = cv2.imencode(".png", image[:, :, ::-1])
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return png.tobytes()


def _image_size(doc: PoseDocument, extend: bool) -> tuple[int, int]:
    """About the size of the drawn image: the canvas, grown to every present point when ``extend``."""
    lo, hi = np.zeros(2), np.array([doc.width, doc.height])
    if extend:
        allp = present_points(doc)
        if len(allp):
            lo, hi = np.minimum(lo, allp.min(0)), np.maximum(hi, allp.max(0))
    width, height = np.ceil(hi - lo) + 1
    return int(width), int(height)


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


async def read_limited(request: Any, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise RequestError(413, f"request body is over the {max_bytes} byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise RequestError(413, f"request body is over the {max_bytes} byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def add_routes(app: Any, prefix: str = PREFIX, max_bytes: int = MAX_BYTES) -> None:
    """Add the three routes to a FastAPI ``app``."""
    from fastapi import Request
    from fastapi.responses import JSONResponse, Response
    from starlette.concurrency import run_in_threadpool

    async def answer(request: Request, work, respond):
        try:
            body = parse_body(await read_limited(request, max_bytes))
            return respond(await run_in_threadpool(work, body))
        except RequestError as err:
            return JSONResponse({"detail": err.detail}, status_code=err.status)
        except PoseFillError as err:
            return JSONResponse({"detail": str(err)}, status_code=422)

    async def complete_route(request: Request):
        return await answer(request, complete, JSONResponse)

    async def render_route(request: Request):
        return await answer(request, render_png, lambda png: Response(png, media_type="image/png"))

    async def version_route():
        return JSONResponse(await run_in_threadpool(version_info))

    app.add_api_route(f"{prefix}/complete", complete_route, methods=["POST"], tags=["PoseFill"])
    app.add_api_route(f"{prefix}/render", render_route, methods=["POST"], tags=["PoseFill"])
    app.add_api_route(f"{prefix}/version", version_route, methods=["GET"], tags=["PoseFill"])
