"""Run by the WebUI at start-up, and by ComfyUI-Manager when it installs the node pack: install onnxruntime
if no onnxruntime build imports, and OpenCV (headless) if cv2 does not import.

Both the ``onnxruntime`` and ``onnxruntime-gpu`` wheels provide the ``onnxruntime`` module; either is
fine. What decides is whether the module imports, not what pip's metadata says (files left behind by
uninstalling one of the two wheels look installed but do not import). The WebUI already ships numpy and
OpenCV, so there only onnxruntime can be missing; a bare ComfyUI may lack OpenCV too. PoseFill never
installs torch, gradio or numpy. ``--skip-install`` is honoured.
"""

import subprocess
import sys

NEEDED = (("onnxruntime", "InferenceSession", "onnxruntime"), ("cv2", "imencode", "opencv-python-headless"))
"""(module, an attribute a working build has, the package to install when it does not import)."""


def imports(module, attribute):
    try:
        loaded = __import__(module)
    except Exception:  # ImportError, or a broken build failing to load its library
        return False
    return hasattr(loaded, attribute)


def main():
    try:
        import launch
    except ImportError:
        launch = None
    if launch is not None and getattr(getattr(launch, "args", None), "skip_install", False):
        return
    for module, attribute, package in NEEDED:
        if imports(module, attribute):
            continue
        if launch is not None and hasattr(launch, "run_pip"):
            launch.run_pip(f"install {package}", f"{package} for PoseFill")
        else:
            subprocess.run([sys.executable, "-m", "pip", "install", package], check=True)


main()
