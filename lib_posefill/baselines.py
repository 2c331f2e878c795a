"""Non-learned fillers: a mean pose fitted to the visible joints by scale and translation.

Used as the fallback when no model file is available and as a bar in the evaluation.
"""

from __future__ import annotations

import numpy as np

# Mean OpenPose-18 pose of the COCO train2017 people with all 17 keypoints labelled (8,474, plus
# their mirror images), each centred on its neck..ankle joints and scaled to unit RMS radius.
# COCO 2017 Dataset, Lin et al., COCO Consortium, CC BY 4.0.
COCO_MEAN_POSE = np.array(
    [
        [0.0, -1.3774],
        [0.0, -1.0046],
        [-0.3729, -1.0046],
        [-0.5599, -0.4931],
        [-0.4695, -0.2645],
        [0.3729, -1.0046],
        [0.5599, -0.4931],
        [0.4695, -0.2645],
        [-0.2415, 0.0717],
        [-0.3092, 0.6986],
        [-0.2727, 1.4941],
        [0.2415, 0.0717],
        [0.3092, 0.6986],
        [0.2727, 1.4941],
        [-0.0836, -1.4588],
        [0.0836, -1.4588],
        [-0.2099, -1.4261],
        [0.2099, -1.4261],
    ],
    dtype=np.float32,
)


def fit_scale_translation(template: np.ndarray, xy: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares scale s (N,) and translation t (N, 2) so that s * template + t matches xy on present joints.

    template is (N, J, 2) or (J, 2). With one present joint the scale cannot be seen; the template keeps a
    scale of 1/4 of the frame-independent median (handled by the caller through ``fallback_scale``).
    """
    w = present.astype(np.float64)[..., None]
    n = np.maximum(w.sum(-2), 1.0)  # (N, 1)
    tm = (template * w).sum(-2) / n
    xm = (xy * w).sum(-2) / n
    tc = (template - tm[..., None, :]) * w
    xc = (xy - xm[..., None, :]) * w
    num = (tc * xc).sum((-1, -2))
    den = (tc * tc).sum((-1, -2))
    scale = np.where(den > 1e-9, num / np.maximum(den, 1e-9), np.nan)
    return scale, xm - scale[..., None] * tm


class MeanPoseFiller:
    """Fits the COCO mean pose to each person's visible joints; deterministic, ignores seeds."""

    name = "mean-pose"

    def __init__(self, mean_pose: np.ndarray = COCO_MEAN_POSE) -> None:
        self.mean_pose = np.asarray(mean_pose, dtype=np.float64)

    def predict(self, xy: np.ndarray, present: np.ndarray, frame: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        scale, shift = fit_scale_translation(self.mean_pose, xy.astype(np.float64), present)
        frame_h = np.maximum(frame[:, 3] - frame[:, 1], 1.0)
        bad = ~np.isfinite(scale) | (scale <= 0)
        # Too few or degenerate joints: a person a third of the frame tall, placed on the present joints.
        scale = np.where(bad, frame_h / 3.0 / np.ptp(self.mean_pose[:, 1]), scale)
        w = present[..., None].astype(np.float64)
        anchor = (xy * w).sum(1) / np.maximum(w.sum(1), 1.0) - scale[:, None] * (self.mean_pose * w).sum(
            1
        ) / np.maximum(w.sum(1), 1.0)
        shift = np.where(bad[:, None], anchor, shift)
        return (scale[:, None, None] * self.mean_pose + shift[:, None, :]).astype(np.float32)
