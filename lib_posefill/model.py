"""Loading the shipped completion model (models/posefill.onnx) as a Filler, run with onnxruntime on CPU.

Only a missing model file falls back to the mean-pose baseline (with a warning); a broken file is an error.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import os
from pathlib import Path

import numpy as np

from .baselines import MeanPoseFiller
from .errors import PoseFillError
from .features import (
    MIRROR_JOINTS,
    OFFSET_FLIP,
    OFFSET_SIGN,
    blend_weight,
    decode,
    encode,
    mirror_features,
    mirror_joints,
    mirror_offsets,
    orientation,
)
from .filler import Filler
from .noise import person_keys, seed_noise
from .resources import shipped_path
from .shaping import keep_limb_lengths, limb_uncertainty, place_outside, settle_factor

log = logging.getLogger("posefill")
MODELS_DIR = shipped_path("models")
DEFAULT_MODEL_PATH = MODELS_DIR / "posefill.onnx"
MODEL_ENV = "POSEFILL_MODEL"
OUTPUTS = ("best", "outside", "uncertainty", "alternative")
"""The network's ONNX outputs, in order (``training/export.py`` writes them)."""


def model_path() -> Path:
    """The model file in use: $POSEFILL_MODEL if set, else the shipped one."""
    return Path(os.environ.get(MODEL_ENV) or DEFAULT_MODEL_PATH)


def unflip(flip: np.ndarray, offsets: np.ndarray, logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and logits with the rows in ``flip`` (computed mirrored) mirrored back."""
    return (
        np.where(flip[:, None], mirror_offsets(offsets), offsets),
        np.where(flip[:, None], mirror_joints(logits), logits),
    )


@functools.cache
def output_mirror(names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Column index and sign that mirror the network's outputs ``names`` placed side by side (``best`` offsets as
    ``mirror_offsets``, per-joint outputs as ``mirror_joints``), and where each output's columns end."""
    index, sign, ends = [], [], [0]
    for name in names:
        if name == "best":
            index.append(ends[-1] + OFFSET_FLIP)
            sign.append(OFFSET_SIGN)
        else:
            index.append(ends[-1] + MIRROR_JOINTS)
            sign.append(np.ones(len(MIRROR_JOINTS), dtype=np.float32))
        ends.append(ends[-1] + len(index[-1]))
    return np.concatenate(index), np.concatenate(sign), tuple(ends[1:])


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
    """The trained network: features -> onnxruntime -> best guess, or a seeded alternative from the flow head.

    The network only knows people in their canonical orientation (``features.orientation`` >= 0): a person
    leaning the other way is mirrored, filled and mirrored back, and one close to the boundary is filled both ways
    and blended, so mirroring the input mirrors the best guess exactly. Two sessions share the model: one thread
    for small batches, up to two for large ones (``threads``)."""

    seeded = True

    def __init__(self, path: str | os.PathLike[str], threads: int | None = None) -> None:
        threads = threads or min(2, os.cpu_count() or 1)
        try:
            model = Path(path).read_bytes()
            self.session = _session(model, threads)
            self._small = _session(model, 1) if threads > 1 else self.session
            self.config = json.loads(self.session.get_modelmeta().custom_metadata_map["posefill_config"])
            self.temperature = float(self.config["temperature"])
            self.settle = tuple(float(v) for v in self.config["settle"])
        except Exception as err:
            raise PoseFillError(f"{path}: not a PoseFill model ({err})") from err
        self.name = "PoseFill model"
        self.path = Path(path)
        self.threads = threads

    def one_thread(self) -> OnnxFiller:
        """This filler on its one-thread session alone, for a caller that runs parts of a batch on ``threads``
        threads at once (``suspicious``)."""
        view = copy.copy(self)
        view.session = self._small
        return view

    def run(self, feats: np.ndarray, noise: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """The network's outputs for canonical features: ``best`` offsets, ``outside`` logits, ``uncertainty``,
        and with ``noise`` the flow's ``alternative`` offsets."""
        session = self._small if len(feats) <= SMALL_BATCH else self.session
        sample = noise is not None
        if noise is None:
            noise = np.zeros((len(feats), 36), dtype=np.float32)
        out = session.run(None, {"features": feats, "noise": noise, "sample": np.array(sample)})
        return dict(zip(OUTPUTS, out, strict=True))

    def blended(self, feats: np.ndarray, names: tuple[str, ...], blend: bool | np.ndarray = True) -> list[np.ndarray]:
        """The network's outputs ``names`` (``best`` offsets, or per-joint ``outside`` / ``uncertainty``) for people
        in any orientation, in the person's own: each row runs in its canonical orientation and is mirrored back,
        and people near the boundary also run the other way and are blended (weight ``blend_weight``), so mirroring
        the input mirrors every output exactly. Without ``blend`` only people right on the boundary (weight 1/2)
        run both ways: one row a person, mirrored outputs for a mirrored person (but within float rounding of the
        boundary), and a step where the canonical orientation changes. ``blend`` may also be given per row (N,)."""
        weight = blend_weight(orientation(feats))
        flip = weight < 0.5
        near = (weight > 0) & (weight < 1)
        both = np.flatnonzero(near if blend is True else (near & blend) | (weight == 0.5))
        mirrored = mirror_features(feats)
        rows = np.where(flip[:, None], mirrored, feats)
        if len(both):  # the other orientation of the people near the boundary, after everyone's canonical row
            rows = np.concatenate([rows, np.where(flip[both, None], feats[both], mirrored[both])])
        out = self.run(rows)
        n = len(feats)
        value = np.concatenate([out[name] for name in names], 1)  # all outputs side by side: one pass for all
        index, sign, ends = output_mirror(names)
        own = np.where(flip[:, None], value[:n, index] * sign, value[:n])
        if len(both):  # as given (G) and mirrored (F): weight * G + (1 - weight) * F mirrored back
            first, other = value[both], value[n:]
            given = np.where(flip[both, None], other, first)
            w = weight[both, None]
            own[both] = w * given + (1 - w) * (np.where(flip[both, None], first, other)[:, index] * sign)
        return [own[:, start:end] for start, end in zip((0, *ends[:-1]), ends, strict=True)]

    def best(self, feats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best-guess offsets and outside logits, blended over both orientations near the boundary (mirror-exact)."""
        offsets, logits = self.blended(feats, ("best", "outside"))
        return offsets, logits

    def predict_with_error(
        self, xy: np.ndarray, present: np.ndarray, frame: np.ndarray, blend: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """The network's best guess for every joint (N, 18, 2) pixels, before the shaping rules, and its expected
        error for each (N, 18) pixels (the ``uncertainty`` head times the person's scale), blended over both
        orientations like ``best`` (mirror-exact; ``blend`` False: see ``blended``). Only the guesses of joints not
        ``present`` mean anything."""
        feats, scale, shift = encode(xy, present, frame)
        guess, error, _ = self.guess(feats, scale, shift, blend)
        return guess, error

    def guess(
        self, feats: np.ndarray, scale: np.ndarray, shift: np.ndarray, blend: bool | np.ndarray = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For people already encoded (``features.encode``: features, scale, shift): ``predict_with_error``'s guess
        and expected error, and the ``outside`` logits (N, 18) that ``finish`` needs. ``blend`` per row lets one
        network call hold rows that are screened and rows that are filled."""
        offsets, error, logits = self.blended(feats, ("best", "uncertainty", "outside"), blend)
        return decode(offsets, scale, shift), error * scale[:, None], logits

    def finish(
        self, xy: np.ndarray, present: np.ndarray, frame: np.ndarray, guess: np.ndarray, logits: np.ndarray, scale
    ) -> np.ndarray:
        """The filled pose (N, 18, 2) from the network's guess (pixels) and outside logits: the ``present`` joints
        as given, the shaping rules after (``shape``). ``predict`` of the best guess is ``finish`` of ``guess``."""
        missing = ~np.asarray(present, bool)
        pose = np.where(missing[..., None], guess, xy)
        return self.shape(pose, missing, logits > 0, np.asarray(frame), scale)

    def run_canonical(
        self, feats: np.ndarray, seeds: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Which people were mirrored into the canonical orientation (hard, no blending), their canonical
        features, and the network's outputs for those; with ``seeds``, the flow from each person's own noise,
        keyed by the seed and the canonical person (so a mirrored person draws the mirrored noise)."""
        flip = orientation(feats) < 0
        canon = np.where(flip[:, None], mirror_features(feats), feats)
        noise = None if seeds is None else seed_noise(person_keys(canon, seeds), self.temperature)
        return flip, canon, self.run(canon, noise)

    def alternative(self, feats: np.ndarray, seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Seeded offsets and outside logits: the flow from the person's noise (``noise.seed_noise``), run in the
        person's canonical orientation. Each limb's departure from the best guess is scaled by settle_factor of
        its hidden joints' largest expected error, so a nearly certain limb stays close to the best guess and an
        uncertain one moves as a whole."""
        flip, canon, out = self.run_canonical(feats, seeds)
        hidden = canon[:, 36:54] < 0.5
        factor = np.repeat(settle_factor(limb_uncertainty(out["uncertainty"], hidden), self.settle), 2, axis=1)
        return unflip(flip, out["best"] + factor * (out["alternative"] - out["best"]), out["outside"])

    def predict(self, xy: np.ndarray, present: np.ndarray, frame: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        feats, scale, shift = encode(xy, present, frame)
        seeds = np.asarray(seeds)
        seeded = np.flatnonzero(seeds >= 0)
        if not len(seeded):
            offsets, logits = self.best(feats)
        else:
            offsets = np.empty((len(feats), 36), dtype=np.float32)
            logits = np.empty((len(feats), 18), dtype=np.float32)
            plain = np.flatnonzero(seeds < 0)
            if len(plain):
                offsets[plain], logits[plain] = self.best(feats[plain])
            offsets[seeded], logits[seeded] = self.alternative(feats[seeded], seeds[seeded])
        return self.finish(xy, present, frame, decode(offsets, scale, shift), logits, scale)

    def shape(
        self, pose: np.ndarray, missing: np.ndarray, outside: np.ndarray, frame: np.ndarray, scale: np.ndarray
    ) -> np.ndarray:
        """The shaping rules after the network: hidden limbs keep their length, joints it says left the canvas
        go beyond the edge where they are near it or their parent left the canvas there."""
        pose = keep_limb_lengths(pose, missing)
        return place_outside(pose, missing & outside, frame, scale)


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
