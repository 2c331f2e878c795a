"""PoseFill in ControlNet units, the PoseFill settings and the HTTP API (all logic in lib_posefill.hosts)."""

from lib_posefill.hosts.webui import setup

setup()
