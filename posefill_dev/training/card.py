"""The model card next to the ONNX file: what the model is, how it was made, how it scores."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import numpy as np
import onnx

from lib_posefill.features import BLEND
from lib_posefill.noise import TRUNCATE
from lib_posefill.shaping import MIN_MIRROR_LENGTH, REACH

CARD_NAME = "MODEL_CARD.md"


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def parameter_count(path: str | Path) -> int:
    """Learned numbers in the ONNX file (weights and biases; the graph's own constants excluded)."""
    model = onnx.load(str(path))
    learned = (".weight", ".weight_t", ".bias")
    return int(sum(np.prod(t.dims) for t in model.graph.initializer if t.name.endswith(learned)))


def git_commit(root: Path) -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "lib_posefill"], cwd=root, capture_output=True, text=True
        )
        return rev.stdout.strip() + (" (with uncommitted changes to lib_posefill/)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def card_facts(path: str | Path) -> dict:
    """The facts of an ONNX file that its card records."""
    path = Path(path)
    return {"file": path.name, "size": path.stat().st_size, "sha256": sha256(path), "parameters": parameter_count(path)}


def read_card(path: str | Path) -> dict:
    """The facts recorded in a card (``- key: `value` `` lines)."""
    facts = dict(re.findall(r"^- (file|size|sha256|parameters): `([^`]*)`", Path(path).read_text(), flags=re.M))
    for key in ("size", "parameters"):
        if key in facts:
            facts[key] = int(facts[key])
    return facts


PREVIOUS = "## Compared with the previous model"


def previous_section(card: Path) -> str:
    """The hand-written comparison with earlier models in an existing card, kept when the card is rewritten."""
    if not card.exists():
        return ""
    text = card.read_text()
    return text[text.index(PREVIOUS) :].split("\n## Data credit", 1)[0].rstrip() + "\n\n" if PREVIOUS in text else ""


def start_line(train_log: dict) -> str:
    """The card's line on where training started: from scratch, or from an earlier model's weights."""
    init = train_log.get("init")
    if not init:
        return "- start: from scratch\n"
    return (
        f"- start: the weights of `{init['file']}` (sha256 `{init['sha256']}`, {init['size']} bytes; trunk blocks "
        "beyond its own added as the identity), so the total training time is that model's plus this run's\n"
    )


def write_card(
    onnx_path: str | Path, command: str, config: dict, train_log: dict, table: str | None, commit: str
) -> Path:
    """Write MODEL_CARD.md next to the ONNX file; ``commit`` is the code the model was trained with."""
    onnx_path = Path(onnx_path)
    card = onnx_path.with_name(CARD_NAME)
    facts = card_facts(onnx_path)
    evaluation = table or "(not evaluated: run `python -m lib_posefill evaluate --data-dir DIR`)"
    c = config
    text = f"""# PoseFill completion model

Fills in the OpenPose-18 body joints a pose detector lost (frame cuts, occlusions, a missing shoulder),
from the joints it kept and the canvas edges. Runs with onnxruntime on CPU; no torch needed.

## Facts
- file: `{facts["file"]}`
- size: `{facts["size"]}`
- sha256: `{facts["sha256"]}`
- parameters: `{facts["parameters"]}`
- input: the features of `lib_posefill/features.py` ({c["in_dim"]} numbers: visible joints as offsets from the mean
  pose fitted to them by scale and translation, the visibility mask, the canvas edges in the same units)
- trunk: residual MLP, width {c["width"]}, {c["blocks"]} blocks of LayerNorm -> Linear({c["width"]}->{c["hidden"]}) -> GELU -> Linear
- best guess: offsets from the fitted mean pose for all 18 joints, with two side heads: per joint the logit that a
  hidden joint lies beyond a canvas edge, and the best guess's expected error
- alternatives: a conditional rectified flow (velocity MLP, width {c["flow_width"]}, {c["flow_blocks"]} blocks, on the trunk's
  features), {c["flow_steps"]} Euler steps from the person's noise (`noise.py`: keyed by the seed and the person's rounded
  given joints, per joint a 2-D normal cut off at radius {TRUNCATE}, times {c["temperature"]}); visible
  joints follow their exact path; each limb (arm, leg, head) keeps a share of its departure from
  the best guess set by its hidden joints' largest expected error: 5 % below {c["settle"][0]}, all of it above
  {c["settle"][1]} (a smooth step between), so a nearly certain limb stays put and an uncertain one varies fully
- mirror: the network knows people in one orientation (`features.orientation` >= 0); others are mirrored, filled
  and mirrored back, and people within {BLEND} of the boundary are filled both ways and blended, so a mirrored input
  gives the mirrored best guess exactly; a seed's noise is keyed by the canonical person, so a mirrored input gets
  the mirrored alternative as well
- frame: a hidden joint the outside head places beyond the canvas but whose fill landed inside is put just
  beyond the nearest edge when the fill is within {REACH} of the person's scale (about half a torso) of that edge,
  or its parent joint lies at or beyond it; a joint far from every edge stays where the network put it
- limb length: a hidden limb bone shorter than {MIN_MIRROR_LENGTH} of its visible mirror bone is lengthened to that
- ONNX: opset 17, float32; inputs `features`, `noise`, `sample`; outputs `best`, `outside`, `uncertainty`,
  `alternative` (the flow runs inside an `If`, only when `sample` is true)

## Training
- data: COCO 2017 person keypoints, train split (people with at least 6 labelled joints and a size of at least 40
  px), mapped to OpenPose-18 (neck = shoulder midpoint when both are labelled); losses count only labelled joints
  that were hidden
- missing-joint patterns: frame-edge cuts (bottom, just below the shoulders, sides, top, corners; the canvas ends
  at the cut), whole parts, random joints, 1-4 limb joints, one shoulder (hence the neck), head points; mirror
  flips, rotation, aspect changes, jitter (`posefill_dev/training/masks.py`); every example is then put in its
  canonical orientation (`posefill_dev/training/loop.py`)
- losses: distance of the best guess from the truth; bone length of the completed limbs against the true length;
  the canvas edge (a hidden joint beyond the edge its true place crossed must be filled beyond it, an occluded
  one inside); cross-entropy of the outside head; error of the expected-error head; the flow's velocity error
{start_line(train_log)}- command: `{command}`
- code: git commit {commit}
- run: {train_log.get("steps")} steps of {train_log.get("batch")} in {train_log.get("seconds")} s on {train_log.get("machine")}; seed {train_log.get("seed")}

## Evaluation (COCO val, report split, `python -m lib_posefill evaluate --data-dir DIR`)
Mean distance between filled and true joints over the hidden shoulders .. ankles, divided by the torso length
(neck to mid-hip); val people with all 13 body joints labelled, fixed seed, in the report split (a fixed random
three quarters of val; the other quarter is the tuning split that inference-time thresholds were chosen on).
kNN-5 and the mean pose are fitted by scale and translation to every visible joint, head points included (pool:
COCO train people with all 13 body joints and their mirror images); pool poses whose visible joints spread less
than a quarter of the pool's median spread over the same joints are not kNN candidates (without that guard, neck +
shoulders alone pick side views blown up 1000x). kNN-5 reads the canvas: of the 25 pool poses that fit best it
keeps the 5 with the least fit residual (relative to the person's spread) plus 0.02 per hidden joint they put
inside the canvas. Errors are averaged over all hidden scored joints of a family. Bone length: the
median of filled / true length over the body's bones with a filled end. Beyond the cut: hidden joints whose true
place lies beyond a canvas edge, filled beyond that edge. Mirror gap: mean distance between fill(x) and
mirror(fill(mirror(x))) over the filled joints.

{evaluation}

{previous_section(card)}## Data credit and licence
Trained on the COCO 2017 keypoint annotations: COCO 2017 Dataset, Lin et al., COCO Consortium, licensed
CC BY 4.0 (cocodataset.org). No annotation rows ship with PoseFill; the model's parameters (and the mean pose
in `lib_posefill/baselines.py`) are derived from them.
"""
    card.write_text(text)
    return card
