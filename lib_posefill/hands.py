"""Hands and faces for filled bodies: a filled wrist ends in a hand, a filled head gets a face.

Only documents that carry hands (a person with a ``hand_left_keypoints_2d`` / ``hand_right_keypoints_2d`` list,
empty or all-zero included) get hands, and only those that carry faces get faces; a JSON ``null`` is not a
list (ControlNet writes it for every person when its preprocessor draws no hands). Detected hands and faces
are never changed. A new hand is the person's other detected hand mirrored into the filled forearm's frame,
or else ``relaxed_hand``, a template designed from published hand proportions, along the forearm and sized
from the body. Pure numpy; people are handled in a few small array operations each.
"""

from __future__ import annotations

import numpy as np

from .document import Part, PoseDocument
from .skeleton import (
    HEAD_JOINTS,
    L_EAR,
    L_ELBOW,
    L_EYE,
    L_HIP,
    L_SHOULDER,
    L_WRIST,
    NECK,
    NOSE,
    R_EAR,
    R_ELBOW,
    R_EYE,
    R_HIP,
    R_SHOULDER,
    R_WRIST,
)

HAND_KEYS = {"right": "hand_right_keypoints_2d", "left": "hand_left_keypoints_2d"}
FACE_KEY = "face_keypoints_2d"
ARMS = {"right": (R_SHOULDER, R_ELBOW, R_WRIST), "left": (L_SHOULDER, L_ELBOW, L_WRIST)}
OTHER = {"right": "left", "left": "right"}

# Segment lengths as fractions of hand length (wrist crease to middle fingertip), after Buchholz, Armstrong &
# Goldstein (1992), "Anthropometric data for describing the kinematics of the human hand": metacarpal, proximal,
# middle, distal phalanx; the thumb has no middle phalanx.
CARPUS = 0.08
"""Wrist centre to the bases of the metacarpals (hand length minus the middle finger's chain)."""
FINGERS = (  # (segment lengths, metacarpal angle from the forearm axis, extra splay of the finger, flexion)
    ((0.374, 0.245, 0.143, 0.097), 12.0, 4.0, (15.0, 25.0, 10.0)),  # index
    ((0.373, 0.266, 0.170, 0.108), 0.0, 0.0, (20.0, 30.0, 12.0)),  # middle
    ((0.336, 0.244, 0.165, 0.107), -11.0, -3.0, (25.0, 35.0, 15.0)),  # ring
    ((0.295, 0.204, 0.117, 0.093), -22.0, -7.0, (30.0, 40.0, 18.0)),  # little
)
"""Degrees, positive towards the thumb. The MCP heads lie on an arc about 0.24 hand lengths across; the resting
flexion cascade (MCP, PIP, DIP) grows from the index to the little finger (the relaxed hand's posture)."""
THUMB = ((0.251, 0.196, 0.158), 0.12, 45.0, (38.0, 26.0, 16.0), (10.0, 15.0, 20.0))
"""Segment lengths, wrist to CMC distance and angle, each segment's direction, flexion (degrees)."""
REACH_PER_FOREARM = 0.7
"""The relaxed hand's wrist to middle fingertip distance, times the forearm (hand length is about 0.108 of body
height, the forearm 0.146: Drillis & Contini's segment proportions; 0.74, less the resting flexion)."""
FOREARM_FROM = (
    (R_ELBOW, R_WRIST, 1.0),
    (L_ELBOW, L_WRIST, 1.0),
    (R_SHOULDER, R_ELBOW, 0.146 / 0.186),
    (L_SHOULDER, L_ELBOW, 0.146 / 0.186),
    (R_SHOULDER, L_SHOULDER, 0.146 / 0.259),
    (NECK, R_HIP, 0.146 / 0.30),
    (NECK, L_HIP, 0.146 / 0.30),
)
"""Segments (a, b, forearm per segment length) the body size is read from: the longest estimate wins, since a
segment seen at an angle only looks shorter."""
MIRROR_SCALE = (0.8, 1.25)
"""A mirrored hand is scaled by the forearms' length ratio when it lies within these bounds (one arm a little
nearer the camera), else kept at its size: a person's hands are the same size, and a larger gap between the
forearms is foreshortening or an uncertain fill, not a larger hand."""
MIN_HAND_POINTS = 11
"""The other hand is mirrored when at least this many of its 21 points were detected."""
FLEX_VARIATION = 0.35
"""A seeded alternative scales the template's flexion by a factor within 1 +- this."""


def _unit(deg: float) -> np.ndarray:
    a = np.radians(deg)
    return np.array([np.cos(a), np.sin(a)])


def relaxed_hand(flex: float = 1.0) -> np.ndarray:
    """(21, 2) the relaxed hand in OpenPose order in its own frame: x along the forearm (away from the elbow),
    y towards the thumb, the wrist at the origin; wrist to middle fingertip is 1 at ``flex`` 1 (more flexion
    shortens it). Flexion is seen from the back of the hand: a bent segment looks shorter by cos(angle)."""
    pts = np.zeros((21, 2))
    (lengths, base, angle, directions, bends), k = THUMB, 1
    p = base * _unit(angle)
    pts[k] = p
    bent = 0.0
    for length, direction, bend in zip(lengths, directions, bends):
        bent += bend * flex
        p = p + length * np.cos(np.radians(bent)) * _unit(direction)
        k += 1
        pts[k] = p
    for f, (lengths, angle, splay, bends) in enumerate(FINGERS):
        k = 5 + 4 * f
        p = (CARPUS + lengths[0]) * _unit(angle)
        pts[k] = p
        bent = 0.0
        for length, bend in zip(lengths[1:], bends):
            bent += bend * flex
            p = p + length * np.cos(np.radians(bent)) * _unit(angle + splay)
            k += 1
            pts[k] = p
    return pts


_BEST_HAND = relaxed_hand()
BEST_HAND = _BEST_HAND / np.linalg.norm(_BEST_HAND[12])
"""The best guess's template, wrist to middle fingertip 1."""


def template(seed: int | None, side: str) -> np.ndarray:
    """The template for a side: the best guess without a seed, else a little more or less flexion."""
    if seed is None:
        return BEST_HAND
    flex = 1.0 + FLEX_VARIATION * (2.0 * np.random.default_rng([seed, side == "left"]).random() - 1.0)
    return relaxed_hand(flex) / np.linalg.norm(_BEST_HAND[12])


def _perp(u: np.ndarray) -> np.ndarray:
    return np.stack([-u[..., 1], u[..., 0]], -1)


def forearm_axis(xy: np.ndarray, present: np.ndarray, side: str) -> np.ndarray | None:
    """Unit vector from the elbow (else the shoulder, else the neck) to the wrist of one side; None without
    the wrist or any of those."""
    shoulder, elbow, wrist = ARMS[side]
    if not present[wrist]:
        return None
    for j in (elbow, shoulder, NECK):
        if present[j]:
            d = xy[wrist] - xy[j]
            n = float(np.hypot(*d))
            if n > 1e-9:
                return d / n
    return None


def forearm_from_body(xy: np.ndarray, present: np.ndarray) -> float:
    """The forearm length the body's segments suggest (the longest estimate), 0 when none is present."""
    est = [np.hypot(*(xy[b] - xy[a])) * k for a, b, k in FOREARM_FROM if present[a] and present[b]]
    return float(max(est, default=0.0))


def thumb_side(xy: np.ndarray, present: np.ndarray, side: str, axis: np.ndarray) -> float:
    """+1 when the thumb lies on the ``_perp(axis)`` side: away from the body's midline (the anatomical
    position), judged from the shoulders; a person facing the camera when they are missing."""
    same, other = ARMS[side][0], ARMS[OTHER[side]][0]
    outward = xy[same] - xy[other] if present[same] and present[other] else None
    if outward is None or not np.any(outward):
        outward = np.array([-1.0 if side == "right" else 1.0, 0.0])
    return 1.0 if float(_perp(axis) @ outward) >= 0 else -1.0


def mirrored_hand(
    hand: Part, xy: np.ndarray, present: np.ndarray, side: str, axis: np.ndarray, seed: int | None
) -> np.ndarray | None:
    """(21, 2) the person's other detected hand mirrored onto the filled ``side``, scaled by the forearms' ratio
    where it is plausible (MIRROR_SCALE); points the other hand lacks come from the template. None when it cannot be."""
    other = OTHER[side]
    other_axis = forearm_axis(xy, present, other)
    if other_axis is None or len(hand.xy) != 21 or hand.present.sum() < MIN_HAND_POINTS:
        return None
    _, elbow, wrist = ARMS[side]
    _, o_elbow, o_wrist = ARMS[other]
    root = hand.xy[0] if hand.present[0] else xy[o_wrist]
    rel = hand.xy - root
    local = np.stack([rel @ other_axis, -(rel @ _perp(other_axis))], -1)  # mirrored: across the forearm
    scale = 1.0
    if present[elbow] and present[o_elbow]:
        mine, theirs = np.hypot(*(xy[wrist] - xy[elbow])), np.hypot(*(xy[o_wrist] - xy[o_elbow]))
        if theirs > 1e-9 and mine > 1e-9:
            ratio = float(mine / theirs)
            scale = ratio if MIRROR_SCALE[0] <= ratio <= MIRROR_SCALE[1] else 1.0
    local = local * scale
    if not hand.present.all():  # the template, sized like the detected points, where the hand has none
        seen = hand.present.copy()
        seen[0] = True
        tpl = template(seed, side) * [1.0, -thumb_side(xy, present, other, other_axis)]
        size = np.linalg.norm(local[seen]) / max(np.linalg.norm(tpl[seen]), 1e-9)
        local = np.where(seen[:, None], local, tpl * size)
    local[0] = 0.0
    return xy[wrist] + local[:, :1] * axis + local[:, 1:] * _perp(axis)


def relaxed_on_arm(xy: np.ndarray, present: np.ndarray, side: str, axis: np.ndarray, seed: int | None):
    """(21, 2) the relaxed hand on the wrist of ``side``, along ``axis``, sized from the body; None when the body
    gives no size."""
    reach = REACH_PER_FOREARM * forearm_from_body(xy, present)
    if reach <= 0:
        return None
    local = template(seed, side) * [reach, reach * thumb_side(xy, present, side, axis)]
    return xy[ARMS[side][2]] + local[:, :1] * axis + local[:, 1:] * _perp(axis)


def new_hand(
    parts: dict[str, Part], xy: np.ndarray, present: np.ndarray, side: str, seed: int | None
) -> np.ndarray | None:
    """The hand for the filled wrist of ``side``: the other hand mirrored, else the relaxed template."""
    axis = forearm_axis(xy, present, side)
    if axis is None:
        return None
    other = parts.get(HAND_KEYS[OTHER[side]])
    hand = mirrored_hand(other, xy, present, side, axis, seed) if other is not None else None
    return hand if hand is not None else relaxed_on_arm(xy, present, side, axis, seed)


# A front-facing face, the eye centres 1 apart (x to the person's left, y down); OpenPose's 70 points: jaw 0-16,
# brows 17-26, nose 27-35, right eye 36-41, left eye 42-47, mouth 48-67, pupils 68-69. Proportions: the eyes
# about a face-width apart (the rule of fifths), nose tip 0.65 below them, the mouth 1.05, the chin 1.55.
_JAW = [(-1.05 * np.cos(t), 0.05 + 1.5 * np.sin(t)) for t in np.linspace(0, np.pi, 17)]
_BROW = [(x, -0.3 - 0.1 * np.sin(np.pi * (x - 0.15) / 0.8)) for x in np.linspace(0.15, 0.95, 5)]
_EYE = [(-0.25, 0.0), (-0.1, -0.07), (0.1, -0.07), (0.25, 0.0), (0.1, 0.07), (-0.1, 0.07)]
_MOUTH = [(-0.4, 1.05), (-0.25, 0.97), (-0.1, 0.94), (0, 0.96), (0.1, 0.94), (0.25, 0.97)]
_MOUTH += [(0.4, 1.05), (0.25, 1.15), (0.1, 1.19), (0, 1.2), (-0.1, 1.19), (-0.25, 1.15)]
_LIPS = [(-0.33, 1.05), (-0.1, 1.02), (0, 1.02), (0.1, 1.02), (0.33, 1.05), (0.1, 1.08), (0, 1.08), (-0.1, 1.08)]
FACE = np.array(
    _JAW
    + [(-x, y) for x, y in _BROW[::-1]]
    + _BROW
    + [(0, -0.05), (0, 0.18), (0, 0.41), (0, 0.65)]
    + [(x, 0.75) for x in (-0.25, -0.12, 0, 0.12, 0.25)]
    + [(x - 0.5, y) for x, y in _EYE]
    + [(x + 0.5, y) for x, y in _EYE]
    + _MOUTH
    + _LIPS
    + [(-0.5, 0.0), (0.5, 0.0)]
)
FACE_ANCHORS = {NOSE: (0.0, 0.65), R_EYE: (-0.5, 0.0), L_EYE: (0.5, 0.0), R_EAR: (-1.15, 0.15), L_EAR: (1.15, 0.15)}
"""Where the body's head joints sit on the face template."""


def fitted_face(xy: np.ndarray, present: np.ndarray) -> np.ndarray | None:
    """(70, 2) the face template fitted (rotation, scale, shift) to the present head joints; None for fewer
    than two. The pupils (68, 69) are the eyes themselves when present."""
    joints = [j for j in FACE_ANCHORS if present[j]]
    if len(joints) < 2:
        return None
    src = np.array([FACE_ANCHORS[j] for j in joints])
    dst = xy[joints]
    s, d = src - src.mean(0), dst - dst.mean(0)
    # least squares similarity as a complex number: d = z s
    zs, zd = s[:, 0] + 1j * s[:, 1], d[:, 0] + 1j * d[:, 1]
    norm = float(np.vdot(zs, zs).real)
    if norm < 1e-12:
        return None
    z = np.vdot(zs, zd) / norm
    if abs(z) < 1e-9:
        return None
    zf = (FACE[:, 0] - src.mean(0)[0]) + 1j * (FACE[:, 1] - src.mean(0)[1])
    w = z * zf
    face = np.stack([w.real, w.imag], -1) + dst.mean(0)
    for j, k in ((R_EYE, 68), (L_EYE, 69)):
        if present[j]:
            face[k] = xy[j]
    return face


def carries(doc: PoseDocument, keys: tuple[str, ...]) -> bool:
    """Whether a person of the document has one of ``keys`` as a list (a parsed part)."""
    return any(key in person.parts for person in doc.people for key in keys)


def _seen(part: Part | None) -> bool:
    return part is not None and bool(part.present.any())


@np.errstate(all="ignore")  # absurd coordinates (1e308) may overflow on the way; non-finite hands are dropped
def attach(docs: list[PoseDocument], xy: np.ndarray, present: np.ndarray, filled: np.ndarray, seed):
    """Add hands at filled wrists and faces at filled heads, in place (parts and ``posefill`` records), for the
    people with a body in document order: xy (N, 18, 2), present and filled (N, 18) after the fill."""
    k = 0
    for doc in docs:
        bodies = [i for i, p in enumerate(doc.people) if p.body is not None]
        if not bodies:
            continue
        hands = carries(doc, tuple(HAND_KEYS.values()))
        faces = carries(doc, (FACE_KEY,))
        if not (hands or faces):
            k += len(bodies)
            continue
        for i in bodies:
            person = doc.people[i]
            record = person.record
            if hands:
                added = []
                for side, key in HAND_KEYS.items():
                    if filled[k, ARMS[side][2]] and not _seen(person.parts.get(key)):
                        hand = new_hand(person.parts, xy[k], present[k], side, seed)
                        if hand is not None and np.isfinite(hand).all():
                            person.parts[key] = Part(xy=hand, present=np.ones(21, dtype=bool))
                            added.append(side)
                if added:
                    record["hands"] = added
            if faces and filled[k, list(HEAD_JOINTS)].any() and not _seen(person.parts.get(FACE_KEY)):
                face = fitted_face(xy[k], present[k])
                if face is not None and np.isfinite(face).all():
                    person.parts[FACE_KEY] = Part(xy=face, present=np.ones(70, dtype=bool))
                    record["face"] = True
            k += 1
