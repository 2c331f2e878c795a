"""The OpenPose-18 body: joint names, limbs, mirror map, BODY_25 mapping and ControlNet's drawing style.

This module is the single definition of the skeleton; every other module imports from here.
"""

from __future__ import annotations

JOINT_NAMES: tuple[str, ...] = (
    "nose",
    "neck",
    "r_shoulder",
    "r_elbow",
    "r_wrist",
    "l_shoulder",
    "l_elbow",
    "l_wrist",
    "r_hip",
    "r_knee",
    "r_ankle",
    "l_hip",
    "l_knee",
    "l_ankle",
    "r_eye",
    "l_eye",
    "r_ear",
    "l_ear",
)
NUM_JOINTS = len(JOINT_NAMES)
JOINT_INDEX = {name: i for i, name in enumerate(JOINT_NAMES)}

NOSE, NECK = 0, 1
R_SHOULDER, R_ELBOW, R_WRIST = 2, 3, 4
L_SHOULDER, L_ELBOW, L_WRIST = 5, 6, 7
R_HIP, R_KNEE, R_ANKLE = 8, 9, 10
L_HIP, L_KNEE, L_ANKLE = 11, 12, 13
R_EYE, L_EYE, R_EAR, L_EAR = 14, 15, 16, 17

HEAD_JOINTS: tuple[int, ...] = (NOSE, R_EYE, L_EYE, R_EAR, L_EAR)
LIMB_JOINTS: tuple[int, ...] = tuple(range(NECK, L_ANKLE + 1))
"""Neck, shoulders, elbows, wrists, hips, knees, ankles: what scope ``limbs`` always fills."""

MIRROR: tuple[int, ...] = (0, 1, 5, 6, 7, 2, 3, 4, 11, 12, 13, 8, 9, 10, 15, 14, 17, 16)
"""MIRROR[i] is the joint that takes joint i's place when the person is flipped left-right."""

LIMBS: tuple[tuple[int, int], ...] = (
    (1, 2),
    (1, 5),
    (2, 3),
    (3, 4),
    (5, 6),
    (6, 7),
    (1, 8),
    (8, 9),
    (9, 10),
    (1, 11),
    (11, 12),
    (12, 13),
    (1, 0),
    (0, 14),
    (14, 16),
    (0, 15),
    (15, 17),
)
"""Body limbs in ControlNet's drawing order (its ``limbSeq``, zero-based)."""

BODY25_TO_18: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)
"""BODY25_TO_18[i] is the BODY_25 index of OpenPose-18 joint i (BODY_25 adds mid-hip and six foot points)."""

COLORS: tuple[tuple[int, int, int], ...] = (
    (255, 0, 0),
    (255, 85, 0),
    (255, 170, 0),
    (255, 255, 0),
    (170, 255, 0),
    (85, 255, 0),
    (0, 255, 0),
    (0, 255, 85),
    (0, 255, 170),
    (0, 255, 255),
    (0, 170, 255),
    (0, 85, 255),
    (0, 0, 255),
    (85, 0, 255),
    (170, 0, 255),
    (255, 0, 255),
    (255, 0, 170),
    (255, 0, 85),
)
"""RGB colours: COLORS[i] draws joint i and limb i (ControlNet's ``colors``)."""

LIMB_COLOR_SCALE = 0.6
"""ControlNet draws limbs at 60 % of the joint colour."""
BODY_STICK_WIDTH = 4
BODY_JOINT_RADIUS = 4

HAND_EDGES: tuple[tuple[int, int], ...] = (
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 4),
    (0, 5),
    (5, 6),
    (6, 7),
    (7, 8),
    (0, 9),
    (9, 10),
    (10, 11),
    (11, 12),
    (0, 13),
    (13, 14),
    (14, 15),
    (15, 16),
    (0, 17),
    (17, 18),
    (18, 19),
    (19, 20),
)
HAND_LINE_WIDTH = 2
HAND_JOINT_RADIUS = 4
HAND_JOINT_COLOR = (0, 0, 255)
FACE_JOINT_RADIUS = 3
FACE_JOINT_COLOR = (255, 255, 255)
DRAW_EPS = 0.01
"""ControlNet skips hand and face points whose integer pixel x or y is not above this (so x or y < 1)."""
