"""The editor end to end in a real browser, under the gradio this environment has: the standalone app in a
subprocess (one per module), one chromium (one per module), a fresh page per test.

Everything is read through the editor's contract (#posefill-editor's data-state and data-view) and the
export buttons, so these are also the checks an outside tool can make. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from tab_browser import (
    ARTIFACTS,
    EDITOR,
    REPO,
    chromium,
    click_joint,
    data,
    drag,
    export,
    free_port,
    joint,
    needs_chromium,
    pixel,
    press,
    screen,
    seq,
    server,
    upload,
    wait_answer,
    wait_ready,
)
from tab_poses import body, document, legs_cut

from lib_posefill.skeleton import COLORS, HAND_JOINT_COLOR, JOINT_INDEX

pytestmark = needs_chromium
pytest.importorskip("playwright.sync_api")
gradio = pytest.importorskip("gradio")

KNEE, ANKLE, WRIST = JOINT_INDEX["r_knee"], JOINT_INDEX["r_ankle"], JOINT_INDEX["r_wrist"]


@pytest.fixture(scope="module")
def app_url():
    port = free_port()
    with server(["-m", "lib_posefill", "app", "--port", str(port)], port) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda err: errors.append(err))
    page.goto(app_url)
    wait_ready(page)
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def pose_file(tmp_path):
    def write(doc: dict, name: str = "pose.json"):
        path = tmp_path / name
        path.write_text(json.dumps(doc))
        return path

    return write


def table_states(page) -> dict[str, str]:
    """The joint table as shown: joint name -> the state chosen in its row."""
    return dict(
        page.evaluate(
            "() => Array.from(document.querySelectorAll('#posefill-table tbody tr'))"
            ".map((tr) => [tr.cells[0].textContent, tr.querySelector('select').value])"
        )
    )


def filled(page, person: int = 0) -> list[int]:
    return data(page, "state")["people"][person]["posefill"]["filled"]


def test_drag_a_knee_60px_pins_it_and_refills_the_ankle(page, pose_file):
    upload(page, pose_file(legs_cut(seed=5)))
    assert KNEE in filled(page) and ANKLE in filled(page)
    knee, ankle = joint(page, 0, KNEE), joint(page, 0, ANKLE)
    scale = data(page, "view")["scale"]
    drag(page, 0, KNEE, 60, 0)
    new_knee, new_ankle = joint(page, 0, KNEE), joint(page, 0, ANKLE)
    assert abs(new_knee[0] - (knee[0] + 60 / scale)) <= 0.6 / scale and abs(new_knee[1] - knee[1]) <= 0.6 / scale
    assert KNEE not in filled(page) and ANKLE in filled(page)  # pinned, and the ankle filled again
    assert np.hypot(new_ankle[0] - ankle[0], new_ankle[1] - ankle[1]) > 1.0
    # The canvas draws the knee where data-view says, in ControlNet's colour, and the export is data-state.
    assert pixel(page, *new_knee[:2]) == list(COLORS[KNEE])
    out = json.loads(export(page, "json"))
    assert out == data(page, "state")
    assert out["people"][0]["pose_keypoints_2d"][3 * KNEE : 3 * KNEE + 3] == new_knee
    png = cv2.imdecode(np.frombuffer(export(page, "png"), np.uint8), cv2.IMREAD_COLOR)
    assert png.shape[:2] == (out["canvas_height"], out["canvas_width"])
    # A double click unpins: the knee is filled again.
    before = seq(page)
    page.mouse.dblclick(*screen(page, *new_knee[:2]))
    wait_answer(page, before)
    assert KNEE in filled(page)
    # The joint table: move the wrist by typing, pin the elbow missing, apply.
    row = page.locator("#posefill-table tbody tr").nth(WRIST)
    row.locator("input").first.fill("123.4")
    page.locator("#posefill-table tbody tr").nth(JOINT_INDEX["r_elbow"]).locator("select").select_option(
        "pinned missing"
    )
    before = seq(page)
    page.locator("#posefill-apply").first.click()
    wait_answer(page, before)
    assert joint(page, 0, WRIST)[0] == 123.4 and table_states(page)["r_wrist"] == "pinned"
    assert joint(page, 0, JOINT_INDEX["r_elbow"]) == [0, 0, 0] and table_states(page)["r_elbow"] == "pinned missing"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editor-drag-gradio{gradio.__version__}.png"))


def test_delete_a_wrist_then_it_is_refilled_undo_redo(page, pose_file):
    upload(page, pose_file(legs_cut(seed=2)))
    given = joint(page, 0, WRIST)
    assert WRIST not in filled(page)
    click_joint(page, 0, WRIST)
    assert data(page, "joint") == WRIST
    press(page, "Delete")
    assert WRIST in filled(page) and joint(page, 0, WRIST)[2] == 1  # refilled
    refilled = joint(page, 0, WRIST)
    click_joint(page, 0, WRIST)
    press(page, "Delete")  # Delete on a filled joint keeps it missing
    assert joint(page, 0, WRIST) == [0, 0, 0] and WRIST not in filled(page)
    press(page, "Control+z")
    assert joint(page, 0, WRIST) == refilled
    press(page, "Control+z")
    assert joint(page, 0, WRIST) == given and WRIST not in filled(page)
    press(page, "Control+Shift+z")
    assert joint(page, 0, WRIST) == refilled
    status = page.locator("#posefill-status").first
    assert "r_wrist" in status.inner_text()


def test_a_filled_wrist_ends_in_a_hand_that_follows_the_drag(page, pose_file):
    """A document that carries hands: the filled right wrist gets a hand, drawn as detected hands are; dragging
    the wrist takes the hand along; the hands control set to off removes it."""
    doc = document([body(np.random.default_rng(6), 300, 300, 100, missing=(WRIST,))], 600, 700)
    doc["people"][0].update(hand_right_keypoints_2d=[], hand_left_keypoints_2d=[])
    upload(page, pose_file(doc))
    person = data(page, "state")["people"][0]
    assert person["posefill"]["hands"] == ["right"] and WRIST in filled(page)
    hand = np.asarray(person["hand_right_keypoints_2d"]).reshape(21, 3)
    assert pixel(page, *hand[12, :2]) == list(HAND_JOINT_COLOR)
    scale = data(page, "view")["scale"]
    drag(page, 0, WRIST, 40, 0)
    moved = np.asarray(data(page, "state")["people"][0]["hand_right_keypoints_2d"]).reshape(21, 3)
    wrist = joint(page, 0, WRIST)
    assert np.array_equal(moved[0, :2], wrist[:2]) and WRIST not in filled(page)
    assert np.allclose(moved[:, :2] - hand[:, :2], moved[0, :2] - hand[0, :2], atol=1e-3)
    assert abs(moved[0, 0] - hand[0, 0] - 40 / scale) <= 0.6 / scale
    assert pixel(page, *moved[12, :2]) == list(HAND_JOINT_COLOR)
    press(page, "Control+z")  # the filled wrist and its hand again
    before = seq(page)
    page.locator("#posefill-hands label").filter(has_text="off").first.click()
    wait_answer(page, before)
    person = data(page, "state")["people"][0]
    assert person["hand_right_keypoints_2d"] == [] and "hands" not in person["posefill"] and WRIST in filled(page)


def test_two_people_edit_one_the_other_unchanged(page, pose_file):
    rng = np.random.default_rng(4)
    doc = document([body(rng, 220, 330, 95, missing=(10, 13)), body(rng, 560, 330, 95, missing=(9, 12))], 800, 640)
    upload(page, pose_file(doc))
    first = json.dumps(data(page, "state")["people"][0])
    second = joint(page, 1, JOINT_INDEX["l_wrist"])
    drag(page, 1, JOINT_INDEX["l_wrist"], 0, -40)
    assert data(page, "person") == 1  # grabbing a joint selects its person
    assert json.dumps(data(page, "state")["people"][0]) == first
    assert joint(page, 1, JOINT_INDEX["l_wrist"])[1] < second[1]
    assert table_states(page)["l_wrist"] == "pinned"  # the table shows the selected person
    before = seq(page)
    page.locator("#posefill-reroll").first.click()  # Another version of person 2 only
    wait_answer(page, before)
    assert json.dumps(data(page, "state")["people"][0]) == first


def test_a_photo_shows_under_the_skeleton(page, pose_file, tmp_path):
    upload(page, pose_file(legs_cut(seed=1)))
    doc = data(page, "state")
    w, h = doc["canvas_width"], doc["canvas_height"]
    photo = np.zeros((h, w, 3), np.uint8)
    photo[:] = (40, 120, 200)  # BGR: an orange-brown wall
    cv2.imwrite(str(tmp_path / "photo.jpg"), photo)
    upload(page, tmp_path / "photo.jpg")
    page.wait_for_function(f"document.querySelector('{EDITOR}').dataset.background === 'loaded'")
    assert data(page, "state") == doc  # the pose stays
    assert "needs ControlNet" in page.locator("#posefill-status").first.inner_text()  # no DWPose here
    shown = pixel(page, 6, 6)  # a corner without skeleton: the photo, dimmed
    assert all(abs(a - b * 0.5) <= 6 for a, b in zip(shown, (200, 120, 40), strict=True)), shown
    neck = joint(page, 0, JOINT_INDEX["neck"])
    assert pixel(page, *neck[:2]) == list(COLORS[JOINT_INDEX["neck"]])  # the skeleton on top


def test_bad_upload_shows_a_message_and_the_pose_stays(page, pose_file, tmp_path):
    upload(page, pose_file(legs_cut()))
    doc = data(page, "state")
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    upload(page, bad)
    page.locator("#posefill-status").first.get_by_text("invalid JSON").wait_for()
    assert data(page, "state") == doc and "Traceback" not in page.content()


def test_bundled_example_loads_and_the_screenshot(page):
    if not (REPO / "poses" / "two_people.json").exists():
        pytest.skip("no bundled poses/ in this checkout")
    before = seq(page)
    page.locator("#posefill-load-example").first.click()
    wait_answer(page, before)
    assert data(page, "state")["people"]
    upload(page, REPO / "poses" / "two_people.json")
    assert len(data(page, "state")["people"]) == 2
    click_joint(page, 1, JOINT_INDEX["neck"])  # selected person, selected joint: as the README shows it
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(EDITOR).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"editor-gradio{gradio.__version__}.png"))


def test_suspicious_refill_marks_a_parked_knee_replaced(page, pose_file):
    doc = document([body(np.random.default_rng(5), 256, 300, 90, missing=(JOINT_INDEX["l_wrist"],))], 512, 640)
    k = np.asarray(doc["people"][0]["pose_keypoints_2d"], dtype=float).reshape(-1, 3)
    k[KNEE, :2] = k[JOINT_INDEX["l_knee"], :2]  # the detector parked the right knee on the left one
    doc["people"][0]["pose_keypoints_2d"] = [float(v) for v in k.ravel()]
    upload(page, pose_file(doc))
    assert table_states(page)["r_knee"] == "given"
    before = seq(page)
    page.locator("#posefill-suspicious label", has_text="refill").first.click()
    wait_answer(page, before)
    assert KNEE in data(page, "state")["people"][0]["posefill"]["replaced"]
    assert table_states(page)["r_knee"] == "replaced" and table_states(page)["l_wrist"] == "filled"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(EDITOR).screenshot(path=str(ARTIFACTS / f"editor-replaced-gradio{gradio.__version__}.png"))
