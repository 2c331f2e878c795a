"""The PoseFill preprocessor call: repair, re-render, crop, forward the JSON, fall back on failure."""

from __future__ import annotations

import numpy as np
import pytest

from lib_posefill.hosts import controlnet, forge, variants, wrapper
from lib_posefill.model import cached_filler
from lib_posefill.options import Options
from lib_posefill.render import render_document
from lib_posefill.skeleton import HAND_JOINT_COLOR, L_ANKLE, R_ANKLE, R_WRIST

PICTURE = np.full((520, 512, 3), 90, dtype=np.uint8)  # 512 x 520: the detector pads it to 512 x 576


def body(doc, person=0):
    return np.asarray(doc["people"][person]["pose_keypoints_2d"], dtype=float).reshape(-1, 3)


def run(p, **kwargs):
    """Call like ControlNet's preview does (cached_call, keyword arguments, a JSON callback)."""
    poses = []
    result = p.cached_call(PICTURE, resolution=512, json_pose_callback=poses.append, **kwargs)
    return result.value, poses


@pytest.fixture
def cn_pair(cn_registry):
    controlnet.register(cn_registry)
    return cn_registry.get_preprocessor("dw_openpose_full"), cn_registry.get_preprocessor("dw_openpose_full_posefill")


def test_variant_repairs_json_and_image_and_forwards_repaired_json(cn_pair):
    original, variant = cn_pair
    before, raw = run(original, slider_1=0.5, slider_2=0.5)
    after, fixed = run(variant, slider_1=0, slider_2=0)
    assert len(raw) == 1 and len(fixed) == 1
    assert body(raw[0])[[R_ANKLE, L_ANKLE], 2].tolist() == [0.0, 0.0]  # cut off by the picture's edge
    assert body(fixed[0])[[R_ANKLE, L_ANKLE], 2].tolist() == [1.0, 1.0]
    assert sorted(fixed[0]["people"][0]["posefill"]["filled"]) == [R_ANKLE, L_ANKLE]
    assert (fixed[0]["canvas_width"], fixed[0]["canvas_height"]) == (512, 576)  # the padded canvas, as given
    assert after.shape == before.shape == (520, 512, 3)
    assert np.array_equal(after, render_document(fixed[0])[:520, :512])
    assert not np.array_equal(after, before)


def test_legs_cut_at_the_real_bottom_edge_are_filled_beyond_it(cn_registry, monkeypatch, webui_state):
    """The pad (rows 520..575) is not picture: an ankle there is outside the frame, so scope=outside fills it."""
    frames = []
    real = cached_filler()

    class Recording:
        name = "recording"

        def predict(self, xy, present, frame, seeds):
            frames.append(frame.copy())
            return real.predict(xy, present, frame, seeds)

    monkeypatch.setattr(wrapper, "cached_filler", lambda: Recording())
    controlnet.register(cn_registry, lambda: Options(scope="outside"))
    after, fixed = run(cn_registry.get_preprocessor("dw_openpose_full_posefill"))
    assert frames and frames[0].tolist() == [[0.0, 0.0, 512.0, 520.0]]
    ankles = body(fixed[0])[[R_ANKLE, L_ANKLE]]
    assert ankles[:, 2].tolist() == [1.0, 1.0] and (ankles[:, 1] > 520).all()
    assert after.shape == (520, 512, 3)
    assert after[-20:].any()  # the lower legs now reach the bottom edge of the conditioning image


def test_variant_without_a_json_callback_repairs_the_image(cn_pair):
    """Generation calls preprocessors with no callback: the repair must still happen."""
    original, variant = cn_pair
    plain = original.cached_call(PICTURE, resolution=512, slider_1=0.5, slider_2=0.5).value
    _, fixed = run(variant)
    repaired = variant.cached_call(PICTURE, resolution=512, slider_1=0, slider_2=0).value
    assert np.array_equal(repaired, render_document(fixed[0])[:520, :512])
    assert not np.array_equal(repaired, plain)


def test_openpose_normalised_json_is_repaired_too(cn_registry, scene):
    scene.dw = False
    controlnet.register(cn_registry)
    _, fixed = run(cn_registry.get_preprocessor("openpose_posefill"))
    assert body(fixed[0])[[R_ANKLE, L_ANKLE], 2].tolist() == [1.0, 1.0]
    assert body(fixed[0])[:, 1].max() > 1.0  # written back in pixels, as PoseFill documents are


def test_failure_passes_the_original_image_and_json_on(cn_pair, monkeypatch, caplog):
    original, variant = cn_pair
    before, raw = run(original, slider_1=0.5, slider_2=0.5)

    def broken(*args, **kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(wrapper, "complete", broken)
    after, forwarded = run(variant, slider_1=0, slider_2=1)
    assert np.array_equal(after, before)
    assert forwarded == raw  # /controlnet/detect asserts that an OpenPose preprocessor produced a JSON
    assert "model exploded" in caplog.text


def test_failing_settings_fall_back_too(cn_registry, caplog):
    def broken():
        raise RuntimeError("settings unreadable")

    controlnet.register(cn_registry, broken)
    before, raw = run(cn_registry.get_preprocessor("dw_openpose_full"), slider_1=0.5, slider_2=0.5)
    after, forwarded = run(cn_registry.get_preprocessor("dw_openpose_full_posefill"))
    assert np.array_equal(after, before) and forwarded == raw
    assert "settings unreadable" in caplog.text


def test_bad_json_from_the_preprocessor_falls_back():
    image = np.zeros((64, 64, 3), np.uint8)
    got = []

    def original(input_image, resolution, json_pose_callback, **kwargs):
        json_pose_callback({"people": "nobody"})
        return image

    out = wrapper.run_variant(original, image, 512, Options, json_pose_callback=got.append)
    assert out is image and got == [{"people": "nobody"}]


def test_framing_slider_fits_the_whole_body_into_the_picture(cn_pair):
    _, variant = cn_pair
    _, kept = run(variant, slider_1=0)
    _, fit = run(variant, slider_1=1)
    assert body(kept[0])[:, 1].max() > 520
    xy = body(fit[0])
    seen = xy[xy[:, 2] > 0]
    assert seen[:, 1].max() <= 520 and seen[:, 0].min() >= 0 and seen[:, 0].max() <= 512


def test_sliders_are_part_of_the_cache_key(cn_pair):
    _, variant = cn_pair
    keep = variant.cached_call(PICTURE, resolution=512, slider_1=0, slider_2=0).value
    fit = variant.cached_call(PICTURE, resolution=512, slider_1=1, slider_2=0).value
    assert not np.array_equal(keep, fit)
    assert variant.cached_call(PICTURE, resolution=512, slider_1=0, slider_2=0).value is keep


@pytest.mark.parametrize(
    ("slider_1", "slider_2", "framing", "seed"),
    [
        (0, 0, "keep", None),
        (1, 0, "fit", None),
        (1.0, 7.0, "fit", 7),
        (None, None, "keep", None),  # no value given
        (-1, -1, "keep", None),  # the API's "unset"
        (64, 64, "keep", None),  # Forge's /controlnet/detect default
        (0.5, 2.5, "keep", None),  # not a slider step
    ],
)
def test_slider_values_map_to_options(slider_1, slider_2, framing, seed):
    opts = variants.slider_options(Options(scope="all"), slider_1, slider_2)
    assert (opts.framing, opts.seed, opts.scope) == (framing, seed, "all")


def test_forge_variant_is_called_with_input_image_keyword(forge_registry):
    shared, base = forge_registry
    forge.register(shared, base)
    variant = shared.supported_preprocessors["dw_openpose_full_posefill"]
    original = shared.supported_preprocessors["dw_openpose_full"]
    mask = np.zeros(PICTURE.shape[:2], np.uint8)
    generated = variant(input_image=PICTURE, input_mask=mask, resolution=512, slider_1=0, slider_2=0)
    poses = []
    detected = variant(PICTURE, resolution=512, slider_1=64, slider_2=64, json_pose_callback=poses.append)
    assert np.array_equal(generated, detected) and generated.shape == (520, 512, 3)
    assert body(poses[0])[[R_ANKLE, L_ANKLE], 2].tolist() == [1.0, 1.0]
    assert original.calls == 2


def test_joints_filled_past_the_left_edge_are_drawn(cn_registry, scene):
    """A person cut by the left edge: the arm filled at negative x enters the picture from the left."""
    scene.people = [scene.people[0] - [230.0, 0.0]]
    controlnet.register(cn_registry)
    before, raw = run(cn_registry.get_preprocessor("dw_openpose_full"), slider_1=0.5, slider_2=0.5)
    after, fixed = run(cn_registry.get_preprocessor("dw_openpose_full_posefill"))
    xy = body(fixed[0])
    filled = fixed[0]["people"][0]["posefill"]["filled"]
    assert any(xy[j, 0] < 0 for j in filled)
    assert not before[:, :3].any() and after[:, :3].any()


def hand_points(doc, key="hand_right_keypoints_2d"):
    value = doc["people"][0][key]
    return None if value is None else np.asarray(value, dtype=float).reshape(-1, 3)


@pytest.mark.parametrize("detected_left", [True, False])
def test_dw_openpose_full_variant_draws_a_hand_at_the_filled_wrist(cn_registry, scene, detected_left):
    """The right wrist lost: the preview ends the filled arm in a hand (the left one mirrored, or a relaxed one
    where DWPose found no hand and wrote null), drawn as ControlNet draws detected hands."""
    scene.lost, scene.hands = (R_WRIST,), detected_left
    controlnet.register(cn_registry)
    before, raw = run(cn_registry.get_preprocessor("dw_openpose_full"), slider_1=0.5, slider_2=0.5)
    after, fixed = run(cn_registry.get_preprocessor("dw_openpose_full_posefill"))
    assert raw[0]["people"][0]["hand_right_keypoints_2d"] is None
    person = fixed[0]["people"][0]
    assert R_WRIST in person["posefill"]["filled"] and person["posefill"]["hands"] == ["right"]
    hand = hand_points(fixed[0])
    assert hand.shape == (21, 3) and (hand[:, 2] == 1.0).all()
    assert np.array_equal(hand[0, :2], body(fixed[0])[R_WRIST, :2])
    assert person["face_keypoints_2d"] is None  # null stays null where nothing was added
    if not detected_left:
        assert person["hand_left_keypoints_2d"] is None
    for x, y, _ in hand[1:]:
        assert after[int(y), int(x)].tolist() == list(HAND_JOINT_COLOR)
        assert before[int(y), int(x)].tolist() != list(HAND_JOINT_COLOR)
    assert np.array_equal(after, render_document(fixed[0])[:520, :512])


def test_body_only_variants_add_no_hands(cn_registry, scene):
    scene.lost, scene.hands = (R_WRIST,), False
    controlnet.register(cn_registry)
    _, fixed = run(cn_registry.get_preprocessor("openpose_posefill"))
    person = fixed[0]["people"][0]
    assert R_WRIST in person["posefill"]["filled"] and "hands" not in person["posefill"]
    assert person["hand_right_keypoints_2d"] is None and person["hand_left_keypoints_2d"] is None


def test_the_hands_setting_off_adds_none(cn_registry, scene, webui_state):
    from lib_posefill.hosts import settings

    scene.lost = (R_WRIST,)
    controlnet.register(cn_registry, lambda: settings.current_options(webui_state.opts))
    webui_state.opts.data[settings.HANDS_KEY] = "off"
    _, fixed = run(cn_registry.get_preprocessor("dw_openpose_full_posefill"))
    person = fixed[0]["people"][0]
    assert R_WRIST in person["posefill"]["filled"] and person["hand_right_keypoints_2d"] is None


def test_the_suspicious_setting_turns_refill_on_for_the_variants(cn_registry, scene, webui_state):
    """The hosts show and pass two sliders only (ControlNet 1.1.455's build_sliders, Forge's UI and API), so
    refill comes from the settings; the variant has no third slider of its own."""
    from lib_posefill.hosts import settings

    controlnet.register(cn_registry, lambda: settings.current_options(webui_state.opts))
    variant = cn_registry.get_preprocessor("dw_openpose_full_posefill")
    assert not getattr(variant.slider_3, "visible", False)
    _, kept = run(variant)
    webui_state.opts.data[settings.SUSPICIOUS_KEY] = "refill"
    _, refilled = run(variant, slider_1=0.5, slider_2=0.5)  # new arguments: ControlNet's cache would hold the old
    assert "replaced" not in kept[0]["people"][0]["posefill"]
    assert isinstance(refilled[0]["people"][0]["posefill"]["replaced"], list)


def test_a_refill_variant_turns_refill_on_for_its_unit_whatever_the_settings(cn_registry, forge_registry):
    """``<original>_posefill_refill``: a per-unit switch that needs no third slider (the infotext names it)."""
    controlnet.register(cn_registry)  # settings: keep
    plain = cn_registry.get_preprocessor("dw_openpose_full_posefill")
    refill = cn_registry.get_preprocessor("dw_openpose_full_posefill_refill")
    assert refill.preprocessor_deps == ["dw_openpose_full"] and refill.sorting_priority < plain.sorting_priority
    _, kept = run(plain)
    _, refilled = run(refill)
    assert "replaced" not in kept[0]["people"][0]["posefill"]
    assert isinstance(refilled[0]["people"][0]["posefill"]["replaced"], list)
    shared, base = forge_registry
    forge.register(shared, base)
    p = shared.supported_preprocessors["openpose_posefill_refill"]
    assert p.name == "openpose_posefill_refill" and variants.is_refill(p.name)
    assert variants.slider_options(Options(), 1, 3, refill=True) == Options(framing="fit", seed=3, suspicious="refill")
