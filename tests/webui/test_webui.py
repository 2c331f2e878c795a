"""The extension as the WebUI loads it: scripts/, preload.py, install.py, and the callbacks they register."""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import types
from pathlib import Path

import pytest

fastapi = pytest.importorskip("fastapi")
gr = pytest.importorskip("gradio")

from modules import script_callbacks  # noqa: E402

from lib_posefill.hosts import settings, webui  # noqa: E402
from lib_posefill.model import MODEL_ENV  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def routes(app):
    return {route.path for route in app.routes}


def test_script_registers_variants_settings_checkbox_and_api(webui_state, cn_registry):
    runpy.run_path(str(ROOT / "scripts" / "posefill_controlnet.py"))
    assert cn_registry.get_preprocessor("dw_openpose_full_posefill") is not None  # registered at load already
    assert all(script_callbacks.callback_map[k] for k in script_callbacks.callback_map)

    script_callbacks.before_ui_callback()  # a second registration must not assert
    script_callbacks.ui_settings_callback()
    assert settings.SCOPE in webui_state.opts.data_labels
    app = fastapi.FastAPI()
    script_callbacks.app_started_callback(None, app)  # --nowebui: no demo
    assert {"/posefill/v1/complete", "/posefill/v1/render", "/posefill/v1/version"} <= routes(app)


def test_before_ui_registers_when_controlnet_loads_after_posefill(webui_state, cn_registry):
    saved = dict(cn_registry.all_processors), dict(cn_registry.all_processors_by_name)
    cn_registry.all_processors.clear()
    cn_registry.all_processors_by_name.clear()
    state = webui.WebUI(webui_state)
    assert state.register_preprocessors() == []
    cn_registry.all_processors.update(saved[0])
    cn_registry.all_processors_by_name.update(saved[1])
    state.on_before_ui()
    assert "dw_openpose_full_posefill" in state.variants


def test_missing_controlnet_and_missing_unit_ids_are_reported(webui_state, monkeypatch, caplog):
    monkeypatch.setattr(webui.controlnet, "find_registry", lambda: None)
    monkeypatch.setattr(webui.forge, "find_registry", lambda: None)
    state = webui.WebUI(webui_state)
    state.on_before_ui()
    assert "no ControlNet with a preprocessor registry" in caplog.text
    state.variants.add("openpose_posefill")
    state.on_app_started(object(), fastapi.FastAPI())  # a UI was built, but no unit ids were seen
    assert "pick the *_posefill preprocessors" in caplog.text


def test_preload_option_selects_the_model(monkeypatch, tmp_path):
    parser = argparse.ArgumentParser()
    runpy.run_path(str(ROOT / "preload.py"))["preload"](parser)
    args = parser.parse_args(["--posefill-model", str(tmp_path / "m.onnx")])
    monkeypatch.setattr(os, "environ", dict(os.environ))
    webui.apply_command_line(args)
    assert os.environ[MODEL_ENV] == str(tmp_path / "m.onnx")


def fake_launch(skip_install):
    calls = []
    launch = types.SimpleNamespace(
        args=types.SimpleNamespace(skip_install=skip_install),
        is_installed=lambda name: True,  # what pip metadata says is not asked: only whether it imports
        run_pip=lambda command, desc=None: calls.append(command),
    )
    return launch, calls


@pytest.mark.parametrize(
    ("skip", "onnxruntime", "expected"),
    [
        (False, "missing", ["install onnxruntime"]),
        (False, "broken", ["install onnxruntime"]),  # e.g. files left behind by uninstalling onnxruntime-gpu
        (False, "imports", []),  # the onnxruntime or the onnxruntime-gpu wheel: both provide the module
        (True, "missing", []),
    ],
)
def test_install_adds_onnxruntime_only_when_it_does_not_import(monkeypatch, skip, onnxruntime, expected):
    launch, calls = fake_launch(skip)
    monkeypatch.setitem(sys.modules, "launch", launch)
    stand_in = {"missing": None, "broken": types.ModuleType("onnxruntime")}
    if onnxruntime in stand_in:
        monkeypatch.setitem(sys.modules, "onnxruntime", stand_in[onnxruntime])
    else:
        pytest.importorskip("onnxruntime")
    runpy.run_path(str(ROOT / "install.py"))
    assert calls == expected


def test_metadata_loads_after_controlnet():
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "metadata.ini")
    assert config.get("scripts", "After") == "sd-webui-controlnet"


def test_host_modules_import_no_webui_gradio_or_fastapi():
    import subprocess

    code = (
        "import sys, lib_posefill.hosts.webui, posefill_dev.controlnet_example, posefill_dev.benchmarks.controlnet_wrapper\n"
        "bad = [m for m in ('modules', 'gradio', 'fastapi', 'internal_controlnet', 'modules_forge') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
