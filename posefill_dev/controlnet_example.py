"""Before/after ControlNet conditioning images for the README: ``python -m posefill_dev.controlnet_example [OUT_DIR]``.

A DWPose-style detection of a person whose legs are cut by the bottom edge of a 512 x 740 picture
(canvas padded to 512 x 768), drawn as ControlNet draws it (before) and after the PoseFill wrapper.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np

from lib_posefill.hosts.wrapper import repair
from lib_posefill.options import Options
from lib_posefill.render import render_document

from .benchmarks.scenes import dwpose_document

WIDTH, HEIGHT = 512, 740


def before_after(people: int = 1, cut: float = 0.2) -> tuple[dict, np.ndarray, dict, np.ndarray]:
    doc = dwpose_document(people, WIDTH, HEIGHT, cut=cut)
    before = np.ascontiguousarray(render_document(doc)[:HEIGHT, :WIDTH])
    after, fixed = repair(before, doc, Options())
    return doc, before, fixed, after


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs")
    out.mkdir(parents=True, exist_ok=True)
    doc, before, fixed, after = before_after()
    for name, image in (("controlnet_before.png", before), ("controlnet_after.png", after)):
        cv2.imwrite(str(out / name), image[:, :, ::-1])
    (out / "controlnet_example.json").write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {out}/controlnet_before.png, controlnet_after.png, controlnet_example.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
