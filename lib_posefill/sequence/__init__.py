"""Sequence mode: the frames of a video completed as one whole (tracking, joints carried across frames,
filled joints steadied along time). The entry points are ``lib_posefill.complete_sequence`` and
``complete --sequence``."""
