"""Timing scripts: ``python -m lib_posefill.benchmarks.<name>``."""
