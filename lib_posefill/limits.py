"""The fixed limits that bound what any input can cost (the user-set ones, max_file_mb and max_people, are options).

README's Input section lists them; a test keeps it in sync.
"""

from __future__ import annotations

MAX_CANVAS_SIDE = 16384
"""canvas_width and canvas_height are whole numbers of pixels from 1 to this."""
MAX_PIXELS = 4096 * 4096
"""The largest image PoseFill draws (render, HTTP, the tab's views and exports) or decodes (tab uploads)."""
MAX_JSON_DEPTH = 100
"""JSON nested deeper than this is refused (a pose document needs 5 levels)."""
JSON_MEMORY_FACTOR = 8
"""JSON whose decoded form would take more than this many times its byte limit of memory is refused
(e.g. millions of tiny objects, which take about 25 times their size once decoded)."""
HTTP_MAX_BYTES = 16 * 2**20
"""The largest request body the HTTP API reads."""
HTTP_LARGE_BYTES = 2**20
"""HTTP requests with bodies over this size are worked on one at a time."""
MAX_IMAGE_BATCH_BYTES = 2 * 2**30
"""The largest IMAGE batch the ComfyUI nodes make (float32, B x H x W x 3: 2 GiB is 86 frames of 1920x1080 or 455
of 512x768); less when the system has less than twice that available. Refused with one line before drawing."""
