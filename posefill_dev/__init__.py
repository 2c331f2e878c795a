"""PoseFill's development package: training, evaluation, benchmarks and the builders of the example poses and
figures. It runs from a clone only (never for a user, never in the wheel) and imports the runtime, lib_posefill,
which never imports it; ``python -m lib_posefill train|evaluate|bench`` find its commands by name."""
