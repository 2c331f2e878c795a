"""Fixtures for the WebUI/ControlNet tests: stand-ins on sys.path, fresh registries and callbacks."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

STUBS = Path(__file__).resolve().parent / "stubs"
if str(STUBS) not in sys.path:
    sys.path.insert(0, str(STUBS))
HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from fake_openpose import FakeOpenpose, person_at  # noqa: E402
from internal_controlnet import external_code as cn  # noqa: E402
from modules import script_callbacks, shared  # noqa: E402
from modules_forge import shared as forge_shared  # noqa: E402
from modules_forge import supported_preprocessor as forge_base  # noqa: E402

from lib_posefill.hosts import variants  # noqa: E402

OTHERS = ("animal_openpose", "openpose_faceonly")
PRIORITY = {"openpose_full": 100}  # as in ControlNet's legacy preprocessor table


class NonePreprocessor(cn.Preprocessor):
    def __call__(self, input_image, resolution=512, slider_1=None, slider_2=None, slider_3=None, **kwargs):
        return input_image


@pytest.fixture
def scene():
    return FakeOpenpose([person_at(0.0)])


@pytest.fixture
def cn_registry(scene):
    """sd-webui-controlnet's registry with its OpenPose preprocessors (all sharing one fake model)."""
    cn.Preprocessor.all_processors.clear()
    cn.Preprocessor.all_processors_by_name.clear()
    cn._cached.cache_clear()
    cn.Preprocessor.add_supported_preprocessor(NonePreprocessor("none"))
    for name in variants.ORIGINALS + OTHERS:
        cn.Preprocessor.add_supported_preprocessor(
            cn.LegacyPreprocessor(
                name, functools.partial(scene.run_model, include_body=True), priority=PRIORITY.get(name, 0)
            )
        )
    yield cn.Preprocessor
    cn.Preprocessor.all_processors.clear()
    cn.Preprocessor.all_processors_by_name.clear()


@pytest.fixture
def forge_registry(scene):
    """Forge's registry with its legacy OpenPose preprocessors."""
    forge_shared.supported_preprocessors.clear()
    none = forge_base.Preprocessor()
    none.name = "None"
    forge_shared.add_supported_preprocessor(none)
    for name in variants.ORIGINALS + OTHERS:
        forge_shared.add_supported_preprocessor(
            forge_base.LegacyPreprocessor(
                name, functools.partial(scene.run_model, include_body=True), priority=PRIORITY.get(name, 0)
            )
        )
    yield forge_shared, forge_base
    forge_shared.supported_preprocessors.clear()


@pytest.fixture
def webui_state():
    """Empty WebUI callbacks and settings."""
    script_callbacks.clear_callbacks()
    shared.opts.data.clear()
    shared.opts.data_labels.clear()
    yield shared
    script_callbacks.clear_callbacks()
