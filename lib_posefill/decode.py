"""Reading keypoints back from a rendered OpenPose skeleton image (ControlNet's colours, several people).

Every joint and limb colour of ControlNet's renderer is a fully saturated hue, 20 degrees apart
(``skeleton.COLORS``); only brightness changes (limbs at 60 %, and ControlNet dims the whole canvas
again for every later person). So pixels are classified by hue alone. A joint is a disc of its own hue
(radius 4), brighter than a limb of the same hue; people are assembled by following limbs: two discs
belong together when a stroke of that limb's hue joins them. Fragments left unjoined (a missing neck
cuts a body in pieces) are merged while they fit one body well.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import cv2
import numpy as np

from .baselines import COCO_MEAN_POSE, fit_scale_translation
from .errors import PoseFillError
from .skeleton import BODY_JOINT_RADIUS, LIMBS, NUM_JOINTS

STROKE_DEPTH_P90 = 4.0  # see stroke_scale
SCALE_OK = (0.85, 1.2)  # renders within this scale are decoded as they are
MAX_SCALE = 16.0  # strokes thicker than this many times ControlNet's are no rendered skeleton (a photo, a fill)
HUE_STEP = 20.0  # degrees between consecutive skeleton colours
MIN_VALUE = 28  # darker pixels are background (JPEG noise included)
MIN_SATURATION = 0.55
HUE_TOLERANCE = 8.0  # degrees from a class centre; blends between two colours fall outside
DISC_MAX_SIDE = 2 * BODY_JOINT_RADIUS + 5  # a disc's bounding box, with JPEG blur
DISC_MIN_AREA = 15
BRIGHT_SHARE = 0.8  # a disc is at least this bright relative to the brightest pixel of its blob
LIMB_MIN_SCORE = 0.6  # share of the samples between two discs that must show the limb's hue
MERGE_MAX_RESIDUAL = 0.45  # mean-pose fit error (in body-radius units) allowed when merging fragments
REMNANT_MAX_LIMB = 2 * BODY_JOINT_RADIUS + DISC_MAX_SIDE + 4  # longer limbs show as strokes, not discs
HAND_CLUSTER = 3  # an unconnected disc with this many same-hue discs close by is a hand point
MAX_DISCS = 1000  # joint discs read from one image (about 55 people): bounds the work of grouping them


@dataclass
class Disc:
    joint: int
    x: float
    y: float
    value: float  # brightness of the disc


def stroke_scale(image: np.ndarray) -> float:
    """How much larger than ControlNet draws them the strokes are (2.0 for a render upscaled twice).

    Inside strokes and discs (half-width 4.5 px) the distance to the background is spread evenly up to
    the half-width, so its 90th percentile sits near 4 px at the original size.
    """
    lit = (image.max(axis=2) >= MIN_VALUE).astype(np.uint8)
    if lit.sum() < 50:
        return 1.0
    depth = cv2.distanceTransform(lit, cv2.DIST_L2, 5)[lit > 0]
    return max(float(np.percentile(depth, 90)) / STROKE_DEPTH_P90, 0.25)


def classify(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel: hue class 0..17 (-1 = background or unsaturated) and brightness (max channel)."""
    rgb = np.ascontiguousarray(image[..., :3])
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV_FULL)  # hue 0..255 for 0..360 degrees
    hue = hsv[..., 0].astype(np.float32) * (360.0 / 256.0)
    sat = hsv[..., 1].astype(np.float32) / 255.0
    value = hsv[..., 2]
    cls = np.rint(hue / HUE_STEP).astype(np.int16) % NUM_JOINTS
    off = np.abs(((hue - cls * HUE_STEP) + 180.0) % 360.0 - 180.0)
    ok = (value >= MIN_VALUE) & (sat >= MIN_SATURATION) & (off <= HUE_TOLERANCE)
    return np.where(ok, cls, -1), value


def find_discs(cls: np.ndarray, value: np.ndarray) -> list[Disc]:
    """Joint discs: compact blobs of a hue that are brighter than the stroke they may sit on."""
    discs: list[Disc] = []
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    for joint in range(NUM_JOINTS):
        mask = (cls == joint).astype(np.uint8)
        if not mask.any():
            continue
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)  # drops thin hand lines and JPEG specks
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for label in range(1, count):
            x, y, w, h, _ = stats[label]
            ys, xs = np.nonzero(labels[y : y + h, x : x + w] == label)
            vals = value[y + ys, x + xs].astype(np.float32)
            peak = float(vals.max())
            bright = vals >= BRIGHT_SHARE * peak
            if max(w, h) > DISC_MAX_SIDE:  # a stroke of this hue, perhaps with a brighter disc on it
                discs.extend(_bright_discs(joint, xs[bright] + x, ys[bright] + y, vals[bright], vals))
            elif bright.sum() >= DISC_MIN_AREA:
                discs.append(Disc(joint, float(xs[bright].mean() + x), float(ys[bright].mean() + y), peak))
    return discs


def _bright_discs(joint: int, xs: np.ndarray, ys: np.ndarray, vals: np.ndarray, all_vals: np.ndarray) -> list[Disc]:
    """Compact bright spots inside a stroke-shaped blob (a joint disc drawn over a limb of its own hue)."""
    dim = all_vals[all_vals < BRIGHT_SHARE * all_vals.max()]
    if len(xs) < DISC_MIN_AREA or not len(dim) or np.median(vals) < 1.3 * np.median(dim):
        return []  # the blob is evenly bright: a stroke alone
    x0, y0 = xs.min(), ys.min()
    mask = np.zeros((ys.max() - y0 + 1, xs.max() - x0 + 1), dtype=np.uint8)
    mask[ys - y0, xs - x0] = 1
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for label in range(1, count):
        _, _, w, h, area = stats[label]
        if area >= DISC_MIN_AREA and max(w, h) <= DISC_MAX_SIDE:
            cx, cy = centroids[label]
            out.append(Disc(joint, float(cx + x0), float(cy + y0), float(vals.max())))
    return out


def drop_limb_remnants(discs: list[Disc]) -> list[Disc]:
    """Drop "discs" that are the visible middle of a short limb: limb i has joint i's hue and, between the
    two discs it joins, can look like a disc. Such a blob sits on the segment joining those two discs, so
    only discs of the two joints within a short limb's length of it are candidates."""
    xy = np.array([(d.x, d.y) for d in discs], dtype=np.float64).reshape(-1, 2)
    joints = np.array([d.joint for d in discs], dtype=int)
    kept = []
    for i, d in enumerate(discs):
        if d.joint >= len(LIMBS):
            kept.append(d)
            continue
        ends = []
        for joint in LIMBS[d.joint]:
            idx = np.flatnonzero(joints == joint)
            idx = idx[idx != i]
            ends.append(xy[idx[np.hypot(*(xy[idx] - xy[i]).T) <= REMNANT_MAX_LIMB + 3.0]])
        a, b = ends[0][:, None, :], ends[1][None, :, :]
        ab, ad = b - a, xy[i] - a
        length2 = (ab**2).sum(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (ad * ab).sum(-1) / length2
            off = np.abs(ab[..., 0] * ad[..., 1] - ab[..., 1] * ad[..., 0]) / np.sqrt(length2)
        remnant = (length2 >= 1.0) & (length2 <= REMNANT_MAX_LIMB**2) & (t > 0.0) & (t < 1.0) & (off <= 3.0)
        if not remnant.any():
            kept.append(d)
    return kept


def limb_score(cls: np.ndarray, a: Disc, b: Disc, limb: int) -> float:
    """Share of the points on the segment a-b (away from the discs) painted in the limb's hue."""
    length = float(np.hypot(b.x - a.x, b.y - a.y))
    margin = BODY_JOINT_RADIUS + 2
    if length <= 2 * margin:
        # Discs this close overlap the whole limb: accept when touching discs of the two hues are adjacent.
        return 1.0 if length <= 2 * BODY_JOINT_RADIUS + 3 else 0.0
    mid = cls[int(round((a.y + b.y) / 2)), int(round((a.x + b.x) / 2))] if _inside(cls, a, b) else -1
    if mid < 0:
        return 0.0  # nothing painted halfway: no limb joins them
    n = min(max(4, int(length - 2 * margin)), 48)
    t = np.linspace(margin / length, 1 - margin / length, n)
    xs = np.clip(np.rint(a.x + t * (b.x - a.x)).astype(int), 0, cls.shape[1] - 1)
    ys = np.clip(np.rint(a.y + t * (b.y - a.y)).astype(int), 0, cls.shape[0] - 1)
    seen = cls[ys, xs]
    hit = (seen == limb).sum()
    painted = (seen >= 0).sum()  # other hues may cross over the limb; background means no limb
    if hit == 0 or painted < 0.5 * n:
        return 0.0
    return float(hit) / float(painted)


def _inside(cls: np.ndarray, a: Disc, b: Disc) -> bool:
    x, y = (a.x + b.x) / 2, (a.y + b.y) / 2
    return 0 <= round(y) < cls.shape[0] and 0 <= round(x) < cls.shape[1]


class _Groups:
    """People under construction: union-find over discs, refusing unions that repeat a joint."""

    def __init__(self, discs: list[Disc]) -> None:
        self.parent = list(range(len(discs)))
        self.joints = [{d.joint} for d in discs]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return True
        if self.joints[ri] & self.joints[rj]:
            return False
        self.parent[rj] = ri
        self.joints[ri] |= self.joints[rj]
        return True

    def members(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())


def _fit_residual(discs: list[Disc], members: list[int]) -> float:
    """How far the discs are from the mean pose fitted to them (per joint, in body-radius units)."""
    xy = np.zeros((NUM_JOINTS, 2))
    present = np.zeros(NUM_JOINTS, dtype=bool)
    for i in members:
        xy[discs[i].joint] = discs[i].x, discs[i].y
        present[discs[i].joint] = True
    if present.sum() < 3:
        return np.inf
    scale, shift = fit_scale_translation(COCO_MEAN_POSE.astype(np.float64), xy, present)
    if not np.isfinite(scale) or scale <= 0:
        return np.inf
    err = (scale * COCO_MEAN_POSE[present] + shift - xy[present]) / scale
    return float(np.sqrt((err**2).sum(1).mean()))


def _drop_strays(discs: list[Disc], groups: list[list[int]]) -> list[list[int]]:
    """Drop lone discs (joined to nothing) that are not joints: a stub of a limb (dimmer than a disc)
    peeking out next to a joined disc, or a hand point (blue like the left knee, in a cluster of same-hue discs)."""
    joined = {i for members in groups if len(members) > 1 for i in members}
    kept = []
    for members in groups:
        if len(members) == 1:
            d = discs[members[0]]
            dist = [(np.hypot(o.x - d.x, o.y - d.y), o, i) for i, o in enumerate(discs) if o is not d]
            near_joined = [(r, o) for r, o, i in dist if i in joined and r <= 5 * BODY_JOINT_RADIUS]
            if any(r <= 2 * BODY_JOINT_RADIUS + 2 or d.value < 0.75 * o.value for r, o in near_joined):
                continue
            if sum(1 for r, o, _ in dist if o.joint == d.joint and r < 12 * BODY_JOINT_RADIUS) >= HAND_CLUSTER:
                continue
        kept.append(members)
    return kept


def assemble(cls: np.ndarray, discs: list[Disc]) -> list[list[int]]:
    """Group discs into people: limbs first (best-joined pairs first), then fragments that fit one body."""
    groups = _Groups(discs)
    by_joint: dict[int, list[int]] = {}
    for i, d in enumerate(discs):
        by_joint.setdefault(d.joint, []).append(i)
    for limb, (a, b) in enumerate(LIMBS):
        pairs = []
        for i, j in _limb_candidates(cls, discs, by_joint.get(a, []), by_joint.get(b, [])):
            score = limb_score(cls, discs[i], discs[j], limb)
            if score >= LIMB_MIN_SCORE:
                dist = np.hypot(discs[i].x - discs[j].x, discs[i].y - discs[j].y)
                pairs.append((-score, dist, i, j))
        used_a: set[int] = set()
        used_b: set[int] = set()
        for _, _, i, j in sorted(pairs):
            if i in used_a or j in used_b:
                continue
            if groups.union(i, j):
                used_a.add(i)
                used_b.add(j)
    return _merge_fragments(discs, _drop_strays(discs, groups.members()))


def _limb_candidates(cls: np.ndarray, discs: list[Disc], ia: list[int], ib: list[int]) -> list[tuple[int, int]]:
    """The (a, b) disc pairs ``limb_score`` may accept, found at numpy speed: discs close enough to touch, or
    whose midpoint is painted (``limb_score`` refuses every other pair before looking further)."""
    if not ia or not ib:
        return []
    a = np.array([(discs[i].x, discs[i].y) for i in ia])[:, None, :]
    b = np.array([(discs[j].x, discs[j].y) for j in ib])[None, :, :]
    length = np.hypot(b[..., 0] - a[..., 0], b[..., 1] - a[..., 1])
    mx, my = np.rint((a[..., 0] + b[..., 0]) / 2).astype(int), np.rint((a[..., 1] + b[..., 1]) / 2).astype(int)
    inside = (mx >= 0) & (mx < cls.shape[1]) & (my >= 0) & (my < cls.shape[0])
    painted = np.zeros_like(inside)
    painted[inside] = cls[my[inside], mx[inside]] >= 0
    keep = (length <= 2 * (BODY_JOINT_RADIUS + 2)) | painted
    return [(ia[p], ib[q]) for p, q in zip(*np.nonzero(keep))]


def _merge_fragments(discs: list[Disc], people: list[list[int]]) -> list[list[int]]:
    """Merge fragments (no shared joint) while the union fits one body, best fit first (ties: the earlier
    fragments). The fit of each pair is computed once; a merge computes only the new fragment's pairs."""
    joints = [{discs[i].joint for i in members} for members in people]
    version = [0] * len(people)

    def push(heap: list, p: int, q: int) -> None:
        if joints[p] & joints[q] or len(joints[p]) + len(joints[q]) < 3:  # cannot be one body, or cannot be fitted
            return
        cost = _fit_residual(discs, people[p] + people[q])
        if cost <= MERGE_MAX_RESIDUAL:
            heapq.heappush(heap, (cost, p, q, version[p], version[q]))

    heap: list = []
    for p in range(len(people)):
        for q in range(p + 1, len(people)):
            push(heap, p, q)
    alive = set(range(len(people)))
    while heap:
        _, p, q, vp, vq = heapq.heappop(heap)
        if p not in alive or q not in alive or (vp, vq) != (version[p], version[q]):
            continue  # a fragment of this pair has been merged since
        people[p], joints[p], version[p] = people[p] + people[q], joints[p] | joints[q], version[p] + 1
        alive.discard(q)
        for r in sorted(alive - {p}):
            push(heap, min(p, r), max(p, r))
    return [people[p] for p in sorted(alive)]


def _decode_crop(crop: np.ndarray, x0: int, y0: int) -> list[list[float]]:
    """pose_keypoints_2d of every person in the crop of a skeleton image at (x0, y0); none when it is no render."""
    scale = stroke_scale(crop)
    size = (round(crop.shape[1] / scale), round(crop.shape[0] / scale))
    if scale > MAX_SCALE or min(size) < 1:  # strokes this thick, or nothing left: no rendered skeleton
        return []
    if not SCALE_OK[0] <= scale <= SCALE_OK[1]:  # a resized render: bring it back to ControlNet's sizes
        interpolation = cv2.INTER_AREA if scale > 1 else cv2.INTER_LINEAR
        crop = cv2.resize(crop, size, interpolation=interpolation)
    else:
        scale = 1.0
    cls, value = classify(crop)
    discs = find_discs(cls, value)
    if len(discs) > MAX_DISCS:
        raise PoseFillError(
            f"this image holds {len(discs)} joint discs, more than the {MAX_DISCS} (about "
            f"{MAX_DISCS // NUM_JOINTS} people) PoseFill reads from one skeleton image; upload its pose JSON instead"
        )
    discs = drop_limb_remnants(discs)
    people = []
    for members in assemble(cls, discs):
        keypoints = [0.0] * (3 * NUM_JOINTS)
        for i in members:
            d = discs[i]
            x, y = (d.x + 0.5) * scale - 0.5 + x0, (d.y + 0.5) * scale - 0.5 + y0
            keypoints[3 * d.joint : 3 * d.joint + 3] = [round(x, 1), round(y, 1), 1.0]
        people.append(keypoints)
    return people


def decode_skeleton(image: np.ndarray) -> dict:
    """A pose document (pixel coordinates, c = 1) from an RGB skeleton image; people ordered left to right."""
    if image.ndim != 3 or image.shape[2] < 3:
        raise ValueError("expected an RGB image")
    h, w = image.shape[:2]
    lit = image[..., :3].max(axis=2) >= MIN_VALUE
    rows, cols = np.flatnonzero(lit.any(1)), np.flatnonzero(lit.any(0))
    people = []
    if len(rows):  # work on the part of the image that is not background
        y0, x0 = max(rows[0] - 2, 0), max(cols[0] - 2, 0)
        crop = np.ascontiguousarray(image[y0 : rows[-1] + 3, x0 : cols[-1] + 3, :3])
        people = _decode_crop(crop, x0, y0)
    people.sort(key=lambda k: min(k[0::3][j] for j in range(NUM_JOINTS) if k[3 * j + 2] > 0))
    return {
        "people": [{"pose_keypoints_2d": k} for k in people],
        "canvas_width": int(w),
        "canvas_height": int(h),
    }
