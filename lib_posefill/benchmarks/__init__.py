"""Timing scripts (not tests): ``python -m lib_posefill.benchmarks.<name>``."""
