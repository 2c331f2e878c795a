"""The PoseFill checkbox in a real browser: a ControlNet unit's elements (same ids and kinds as ControlNet's)
in a real gradio app, with PoseFill's on_after_component callback, driven through chromium."""

from __future__ import annotations

import shutil

import pytest

gr = pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")

from modules import script_callbacks  # noqa: E402
from modules.gradio_extensions import component_hook  # noqa: E402

from lib_posefill.hosts import variants  # noqa: E402
from lib_posefill.hosts.unit_ui import UnitCheckboxes  # noqa: E402
from posefill_dev.ports import free_port  # noqa: E402

UNIT = "txt2img_controlnet_ControlNet-0"
CHOICES = ["none", "canny", "dw_openpose_full", "dw_openpose_full_posefill"]


@pytest.fixture
def units(webui_state):
    units = UnitCheckboxes({variants.variant_name("dw_openpose_full")})
    script_callbacks.on_after_component(units.after_component)
    return units


@pytest.fixture
def page(units):
    """The unit's elements as the WebUI makes them: every component passed to after_component when it is created,
    also when gradio 4 re-creates it for an event's update (the hook Forge installs). The paste button updates
    the preprocessor and Pixel Perfect with gr.update, as the WebUI's infotext paste does."""
    with component_hook():
        with gr.Blocks() as demo:
            with gr.Row():
                pixel_perfect = gr.Checkbox(label="Pixel Perfect", elem_id=f"{UNIT}_controlnet_pixel_perfect_checkbox")
                dropdown = gr.Dropdown(
                    CHOICES,
                    value="dw_openpose_full",
                    label="Preprocessor",
                    elem_id=f"{UNIT}_controlnet_preprocessor_dropdown",
                )
            paste = gr.Button("paste infotext", elem_id="paste")
            paste.click(
                lambda: (gr.update(value="dw_openpose_full_posefill"), gr.update(value=True)),
                outputs=[dropdown, pixel_perfect],
            )
            for name in ("canny", "none"):  # an infotext setting canny; Send to ControlNet setting none
                gr.Button(f"set {name}", elem_id=f"set-{name}").click(
                    lambda name=name: (gr.update(value=name), gr.update(value=False)), outputs=[dropdown, pixel_perfect]
                )
        port = free_port()
        demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
        try:
            with sync_api.sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                tab = browser.new_page()
                tab.goto(f"http://127.0.0.1:{port}/")
                yield tab
                browser.close()
        finally:
            demo.close()


def dropdown_value(page):
    return page.locator(f"#{UNIT}_controlnet_preprocessor_dropdown input").first.input_value()


def test_ticking_switches_the_preprocessor_and_back(page):
    box = page.locator(f"#{UNIT}_posefill_checkbox input[type=checkbox]")
    box.wait_for()
    box.check()
    page.wait_for_function(
        f"document.querySelector('#{UNIT}_controlnet_preprocessor_dropdown input').value === 'dw_openpose_full_posefill'"
    )
    box.uncheck()
    page.wait_for_function(
        f"document.querySelector('#{UNIT}_controlnet_preprocessor_dropdown input').value === 'dw_openpose_full'"
    )
    assert dropdown_value(page) == "dw_openpose_full"


def test_a_variant_set_from_elsewhere_ticks_the_box(page, units):
    box = page.locator(f"#{UNIT}_posefill_checkbox input[type=checkbox]")
    box.wait_for()
    assert not box.is_checked()
    checkbox = units.wired[UNIT]
    for _ in range(3):  # pasting again and again re-creates the updated components (gradio 4) every time
        page.locator("#paste").click()
        page.wait_for_function(f"document.querySelector('#{UNIT}_posefill_checkbox input[type=checkbox]').checked")
        page.wait_for_timeout(300)
    assert dropdown_value(page) == "dw_openpose_full_posefill"
    assert script_callbacks.errors == []
    assert units.wired == {UNIT: checkbox} and not units.pending
    box.uncheck()  # still wired: unticking switches back
    page.wait_for_function(
        f"document.querySelector('#{UNIT}_controlnet_preprocessor_dropdown input').value === 'dw_openpose_full'"
    )


@pytest.mark.parametrize("setter", ["set-canny", "set-none"])
def test_a_preprocessor_without_a_variant_set_from_elsewhere_unticks_the_box(page, setter):
    """After an infotext paste that sets canny, or Send to ControlNet setting none, the box stayed ticked."""
    box = page.locator(f"#{UNIT}_posefill_checkbox input[type=checkbox]")
    box.wait_for()
    box.check()
    page.wait_for_function(
        f"document.querySelector('#{UNIT}_controlnet_preprocessor_dropdown input').value === 'dw_openpose_full_posefill'"
    )
    page.locator(f"#{setter}").click()
    page.wait_for_function(f"!document.querySelector('#{UNIT}_posefill_checkbox input[type=checkbox]').checked")
    page.wait_for_timeout(300)
    assert dropdown_value(page) == setter.removeprefix("set-") and not box.is_checked()
    page.locator("#paste").click()  # and a variant set from elsewhere ticks it again
    page.wait_for_function(f"document.querySelector('#{UNIT}_posefill_checkbox input[type=checkbox]').checked")
