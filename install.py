"""Run by the WebUI at start-up: install onnxruntime if no onnxruntime build is present.

Both the ``onnxruntime`` and ``onnxruntime-gpu`` wheels provide the ``onnxruntime`` module; either is
fine. Nothing else is installed: the WebUI already ships numpy and OpenCV, and PoseFill never touches
torch, gradio or numpy. ``--skip-install`` is honoured.
"""

import importlib.util
import subprocess
import sys


def onnxruntime_present(is_installed=None):
    if is_installed is not None:
        return is_installed("onnxruntime") or is_installed("onnxruntime-gpu")
    return importlib.util.find_spec("onnxruntime") is not None


def main():
    try:
        import launch
    except ImportError:
        launch = None
    if launch is not None and getattr(getattr(launch, "args", None), "skip_install", False):
        return
    if onnxruntime_present(getattr(launch, "is_installed", None)):
        return
    if launch is not None and hasattr(launch, "run_pip"):
        launch.run_pip("install onnxruntime", "onnxruntime for PoseFill")
    else:
        subprocess.run([sys.executable, "-m", "pip", "install", "onnxruntime"], check=True)


main()
