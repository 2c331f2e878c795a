"""Loading the shipped completion model (models/posefill.onnx) as a Filler, run with onnxruntime on CPU.

Only a missing model file falls back to the mean-pose baseline (with a warning); a broken file is an error.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from pathlib import Path

import numpy as np

from .baselines import MeanPoseFiller
from .errors import PoseFillError
from .features import decode, encode
from .filler import Filler
from .resources import shipped_path

log = logging.getLogger("posefill")
MODELS_DIR = shipped_path("models")
DEFAULT_MODEL_PATH = MODELS_DIR / "posefill.onnx"
MODEL_ENV = "POSEFILL_MODEL"


def model_path() -> Path:
    """The model file in use: $POSEFILL_MODEL if set, else the shipped one."""
    return Path(os.environ.get(MODEL_ENV) or DEFAULT_MODEL_PATH)


def seed_choice(logits: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Which hypothesis each seeded person gets: a draw from the softmax of its logits with a uniform number
    from np.random.default_rng(seed), so the same seed and person give the same choice in any batch."""
    p = np.exp(logits - logits.max(1, keepdims=True))
    cdf = np.cumsum(p, 1)
    uniq, inverse = np.unique(seeds, return_inverse=True)
    u = np.array([np.random.default_rng(int(s)).random() for s in uniq])[inverse.reshape(-1)]
    return np.minimum((cdf < (u * cdf[:, -1])[:, None]).sum(1), logits.shape[1] - 1)


SMALL_BATCH = 64
"""Up to this many people run on a one-thread session: for a few rows a thread pool saves nothing and, on a busy
machine, its waits made the single-person p90 jump (8.8 ms with two threads vs 0.8 ms with one, shared 2-core box)."""


def _session(model: bytes, threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


class OnnxFiller:
    """The trained network: features -> onnxruntime -> best guess, or a seeded alternative hypothesis.

    Two sessions share the model: one thread for small batches, up to two for large ones (``threads``)."""

    def __init__(self, path: str | os.PathLike[str], threads: int | None = None) -> None:
        threads = threads or min(2, os.cpu_count() or 1)
        try:
            model = Path(path).read_bytes()
            self.session = _session(model, threads)
            self._small = _session(model, 1) if threads > 1 else self.session
            self.config = json.loads(self.session.get_modelmeta().custom_metadata_map["posefill_config"])
        except Exception as err:
            raise PoseFillError(f"{path}: not a PoseFill model ({err})") from err
        self.name = "PoseFill model"
        self.path = Path(path)
        self.hypotheses = int(self.config["hypotheses"])
        self._input = self.session.get_inputs()[0].name

    def predict(self, xy: np.ndarray, present: np.ndarray, frame: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        feats, scale, shift = encode(xy, present, frame)
        session = self._small if len(feats) <= SMALL_BATCH else self.session
        out = session.run(None, {self._input: feats})[0]
        offsets = out[:, :36]
        seeded = np.flatnonzero(np.asarray(seeds) >= 0)
        if len(seeded):
            k = self.hypotheses
            offsets = offsets.copy()
            pick = seed_choice(out[seeded, 36 + 36 * k :], np.asarray(seeds)[seeded])
            hyps = out[seeded, 36 : 36 + 36 * k].reshape(len(seeded), k, 36)
            offsets[seeded] = hyps[np.arange(len(seeded)), pick]
        return decode(offsets, scale, shift)


def load_filler(path: str | os.PathLike[str] | None = None) -> Filler:
    """The completion model at ``path`` (default: ``model_path()``)."""
    path = Path(path) if path else model_path()
    if not path.exists():
        log.warning("PoseFill: no model at %s; using the mean-pose baseline", path)
        return MeanPoseFiller()
    return OnnxFiller(path)


@functools.lru_cache(maxsize=4)
def cached_filler(path: str | None = None) -> Filler:
    """``load_filler`` once per path and process."""
    return load_filler(path)
