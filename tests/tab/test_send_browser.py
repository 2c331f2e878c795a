"""Send to ControlNet in a browser, against the stand-in WebUI (tests/tab/webui_standin.py: ControlNet units
as sd-webui-controlnet builds them under gradio 3, as Forge builds them under gradio 4), plus the editor inside
a WebUI page (its script loads with the tab, which is not the first one)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from tab_browser import (
    EDITOR,
    REPO,
    TIMEOUT_MS,
    chromium,
    data,
    drag,
    export,
    free_port,
    needs_chromium,
    server,
    upload,
    wait_ready,
)
from tab_poses import legs_cut

from lib_posefill.skeleton import JOINT_INDEX

pytestmark = needs_chromium
pytest.importorskip("playwright.sync_api")
gradio = pytest.importorskip("gradio")
if int(gradio.__version__.split(".")[0]) >= 5:
    pytest.skip("the WebUIs run gradio 3.41 (AUTOMATIC1111) and 4.40 (Forge)", allow_module_level=True)

OPENPOSE = "control_v11p_sd15_openpose [cab727d4]"


@pytest.fixture(scope="module")
def page():
    port = free_port()
    with server([str(REPO / "tests" / "tab" / "webui_standin.py"), str(port)], port) as url, chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        page = context.new_page()
        page.goto(url)
        wait_ready(page)
        yield page
        context.close()


def generated(page, tab: str) -> dict:
    """Click the tab's Generate and read what its ControlNet unit holds."""
    result = page.locator(f"#{tab}_result textarea").first
    before = result.input_value()
    page.locator(f"#{tab}_generate").first.click()
    page.wait_for_function(
        "([sel, before]) => document.querySelector(sel).value !== before",
        arg=[f"#{tab}_result textarea", before],
        timeout=TIMEOUT_MS,
    )
    return json.loads(result.input_value())


def send(page, label: str) -> None:
    page.locator("#tabs button", has_text="PoseFill").first.click()
    choose = page.locator("#posefill-send-unit")
    if gradio.__version__.startswith("3."):
        choose.locator("input").first.click()
        page.locator("ul.options li", has_text=label).first.click()
    else:
        choose.locator("input").first.click()
        page.get_by_role("option", name=label).first.click()
    page.locator("#posefill-send").first.click()


def test_editor_and_send_to_controlnet(page, tmp_path):
    pose = tmp_path / "pose.json"
    pose.write_text(json.dumps(legs_cut(seed=3)))
    page.locator("#tabs button", has_text="PoseFill").first.click()
    upload(page, pose)
    drag(page, 0, JOINT_INDEX["r_knee"], 40, 0)  # the editor works inside the WebUI page
    assert JOINT_INDEX["r_knee"] not in data(page, "state")["people"][0]["posefill"]["filled"]
    png = cv2.imdecode(np.frombuffer(export(page, "png"), np.uint8), cv2.IMREAD_COLOR)[..., ::-1]
    expected = {"shape": list(png.shape), "sum": int(png.astype(np.int64).sum())}

    send(page, "txt2img · ControlNet Unit 0")
    # The page switched to txt2img and opened ControlNet's accordion and the unit.
    page.locator("#txt2img_controlnet_ControlNet-0_input_image").first.wait_for(state="visible", timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)
    unit = generated(page, "txt2img")
    assert unit == {
        "enabled": True,
        "module": "none" if gradio.__version__.startswith("3.") else "None",
        "model": OPENPOSE,
        "independent": None,
        "image": expected,
    }

    send(page, "img2img · ControlNet Unit 0")  # ticks "upload independent control image" first, then the image
    page.locator("#img2img_controlnet_ControlNet-0_input_image").first.wait_for(state="visible", timeout=TIMEOUT_MS)
    page.wait_for_timeout(2500)
    unit = generated(page, "img2img")
    assert unit["independent"] is True and unit["enabled"] is True and unit["image"] == expected


def test_without_a_pose_nothing_is_changed(page):
    page.reload()
    wait_ready(page)
    send(page, "txt2img · ControlNet Unit 0")
    page.wait_for_timeout(2000)
    assert data(page, "state") is None
    assert page.locator("#tab_posefill").first.is_visible()  # the page stayed on the tab
    page.locator("#tabs button", has_text="txt2img").first.click()
    assert generated(page, "txt2img")["enabled"] is False
    assert page.locator(EDITOR).count() == 1
