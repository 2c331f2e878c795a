"""The PoseFill section of the Settings tab."""

from __future__ import annotations

import pytest

pytest.importorskip("gradio")

from lib_posefill.hosts import settings  # noqa: E402
from lib_posefill.options import Options  # noqa: E402


def test_settings_section_holds_the_defaults(webui_state):
    shared = webui_state
    settings.add_settings(shared)
    infos = shared.opts.data_labels
    assert set(infos) == {
        settings.CHECKBOX_DEFAULT,
        settings.SCOPE,
        settings.MIN_VISIBLE,
        settings.HANDS_KEY,
        settings.SUSPICIOUS_KEY,
    }
    assert infos[settings.HANDS_KEY].component_args == {"choices": ["auto", "off"]}
    assert infos[settings.SUSPICIOUS_KEY].component_args == {"choices": ["keep", "refill"]}
    assert all(info.section == ("posefill", "PoseFill") for info in infos.values())
    assert infos[settings.SCOPE].component_args == {"choices": ["limbs", "all", "outside"]}
    for key in (settings.SCOPE, settings.MIN_VISIBLE, settings.SUSPICIOUS_KEY):
        assert "new input images" in infos[key].comment_after  # ControlNet's cache, said in the help text
    assert settings.current_options(shared.opts) == Options()
    assert settings.checkbox_default(shared.opts) is False


def test_settings_values_become_options(webui_state):
    shared = webui_state
    settings.add_settings(shared)
    shared.opts.data.update(
        {settings.SCOPE: "all", settings.MIN_VISIBLE: 5.0, settings.CHECKBOX_DEFAULT: True, settings.HANDS_KEY: "off"}
    )
    assert settings.current_options(shared.opts) == Options(scope="all", min_visible=5, hands="off")
    shared.opts.data[settings.SUSPICIOUS_KEY] = "refill"
    assert settings.current_options(shared.opts) == Options(
        scope="all", min_visible=5, hands="off", suspicious="refill"
    )
    assert settings.checkbox_default(shared.opts) is True


def test_invalid_stored_setting_falls_back_to_defaults(webui_state, caplog):
    webui_state.opts.data[settings.SCOPE] = "everything"
    assert settings.current_options(webui_state.opts) == Options()
    assert "scope: expected one of limbs, all, outside" in caplog.text
