"""PoseFill's version: read by the build (pyproject.toml) and reported by ``/posefill/v1/version``."""

__version__ = "0.1.0"
