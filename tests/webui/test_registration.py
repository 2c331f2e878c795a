"""Registering the PoseFill variants in sd-webui-controlnet's and Forge's preprocessor registries."""

from __future__ import annotations

import sys

import pytest
from internal_controlnet import external_code as cn

from lib_posefill.hosts import controlnet, forge, variants

EXPECTED = [variants.variant_name(n, refill) for n in variants.ORIGINALS for refill in (False, True)]


def test_controlnet_registers_one_variant_per_body_preprocessor(cn_registry):
    assert controlnet.register(cn_registry) == EXPECTED
    for name in EXPECTED:
        p = cn_registry.get_preprocessor(name)
        assert isinstance(p, cn.Preprocessor)
        assert "openpose" in p.name and p.label == p.name
        assert p.tags == ["OpenPose"]
        assert p.slider_1.visible and (p.slider_1.minimum, p.slider_1.maximum, p.slider_1.value) == (0, 1, 0)
        assert p.slider_2.visible and p.slider_2.maximum == variants.MAX_ALTERNATIVE
        assert p.preprocessor_deps == [variants.original_name(name)]
    assert cn_registry.get_preprocessor("animal_openpose_posefill") is None
    assert cn_registry.get_preprocessor("openpose_faceonly_posefill") is None
    labels = [p.label for p in cn_registry.get_sorted_preprocessors()]
    assert labels[0] == "none" and set(EXPECTED) <= set(labels)
    # the OpenPose control type still defaults to ControlNet's own first choice, variants come after
    assert labels[1] == "openpose_full" and labels[2] == "openpose_full_posefill"
    assert all(labels.index(variants.variant_name(n)) > labels.index("openpose_hand") for n in variants.ORIGINALS[:2])


def test_controlnet_registration_is_idempotent(cn_registry):
    controlnet.register(cn_registry)
    first = cn_registry.get_preprocessor(EXPECTED[0])
    count = len(cn_registry.all_processors)
    assert controlnet.register(cn_registry) == EXPECTED  # a second add_supported_preprocessor would assert
    assert len(cn_registry.all_processors) == count
    assert cn_registry.get_preprocessor(EXPECTED[0]) is first
    with pytest.raises(AssertionError):
        cn_registry.add_supported_preprocessor(first)  # the stand-in asserts like the real registry


def test_controlnet_registers_only_originals_that_exist(cn_registry):
    del cn_registry.all_processors["dw_openpose_full"], cn_registry.all_processors_by_name["dw_openpose_full"]
    assert controlnet.register(cn_registry) == EXPECTED[2:]


def test_controlnet_registry_is_found_only_when_loaded(monkeypatch):
    monkeypatch.setitem(sys.modules, "internal_controlnet.external_code", cn)
    assert controlnet.find_registry() is cn.Preprocessor
    monkeypatch.delitem(sys.modules, "internal_controlnet.external_code")
    monkeypatch.delitem(sys.modules, "scripts.supported_preprocessor", raising=False)
    assert controlnet.find_registry() is None


def test_forge_registers_one_variant_per_body_preprocessor(forge_registry):
    shared, base = forge_registry
    assert forge.register(shared, base) == EXPECTED
    for name in EXPECTED:
        p = shared.supported_preprocessors[name]
        assert isinstance(p, base.Preprocessor)
        assert p.name == name and p.tags == ["OpenPose"]
        assert "openpose" in p.model_filename_filters
        assert p.slider_1.gradio_update_kwargs["visible"] and p.slider_1.gradio_update_kwargs["maximum"] == 1
        assert p.slider_2.gradio_update_kwargs["label"].startswith("PoseFill alternative")
    assert "animal_openpose_posefill" not in shared.supported_preprocessors


def test_forge_registration_is_idempotent(forge_registry):
    shared, base = forge_registry
    forge.register(shared, base)
    first = shared.supported_preprocessors[EXPECTED[0]]
    assert forge.register(shared, base) == EXPECTED
    assert shared.supported_preprocessors[EXPECTED[0]] is first


def test_forge_registry_is_found_where_modules_forge_imports(forge_registry):
    shared, base = forge_registry
    assert forge.find_registry() == (shared, base)
