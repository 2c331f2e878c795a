"""Run by the WebUI at start-up: install onnxruntime if no onnxruntime build imports.

Both the ``onnxruntime`` and ``onnxruntime-gpu`` wheels provide the ``onnxruntime`` module; either is
fine. What decides is whether the module imports, not what pip's metadata says (files left behind by
uninstalling one of the two wheels look installed but do not import). Nothing else is installed: the
WebUI already ships numpy and OpenCV, and PoseFill never touches torch, gradio or numpy.
``--skip-install`` is honoured.
"""

import subprocess
import sys


def onnxruntime_imports():
    try:
        import onnxruntime
    except Exception:  # ImportError, or a broken build failing to load its library
        return False
    return hasattr(onnxruntime, "InferenceSession")


def main():
    try:
        import launch
    except ImportError:
        launch = None
    if launch is not None and getattr(getattr(launch, "args", None), "skip_install", False):
        return
    if onnxruntime_imports():
        return
    if launch is not None and hasattr(launch, "run_pip"):
        launch.run_pip("install onnxruntime", "onnxruntime for PoseFill")
    else:
        subprocess.run([sys.executable, "-m", "pip", "install", "onnxruntime"], check=True)


main()
