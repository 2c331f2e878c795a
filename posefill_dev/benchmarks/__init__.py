"""Timings of PoseFill's parts (``python -m posefill_dev.benchmarks.<name>``); timings live here, not in tests."""
