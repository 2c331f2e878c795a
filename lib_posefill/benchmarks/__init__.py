"""Timings of PoseFill's parts (``python -m lib_posefill.benchmarks.<name>``); timings live here, not in tests."""
