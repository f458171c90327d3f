"""Smart selection on synthetic scenes whose object masks are known exactly (IoU against truth)."""

import cv2
import numpy as np
import pytest

from editor.engine import select
from tests.scenes import iou, make_scene

# Smaller than the 1536x1024 of the benchmark: the same shapes, a quarter of the pixels.
SIZE = (768, 512)


@pytest.fixture(scope="module")
def flat():
    return make_scene(3, size=SIZE, slack=16)


@pytest.fixture(scope="module")
def standout():
    """A scene where no background shape touches the object: what box select is made for."""
    return make_scene(2, size=SIZE, slack=16)


@pytest.fixture(scope="module")
def textured():
    return make_scene(5, size=SIZE, textured=True, slack=16)


def test_refine_snaps_a_rough_brush_mask_to_the_object(flat, textured):
    for scene in (flat, textured):
        before = iou(scene.rough, scene.truth)
        after = iou(select.refine(scene.image, scene.rough, scene.brush), scene.truth)
        assert before < 0.9
        assert after >= 0.95


def test_refine_changes_nothing_beyond_the_band(flat):
    band = 6
    narrow = select.refine(flat.image, flat.rough, band)
    inside = (flat.rough > 127).view(np.uint8)
    from_edge = np.minimum(
        cv2.distanceTransform(inside, cv2.DIST_L2, 5),
        cv2.distanceTransform(1 - inside, cv2.DIST_L2, 5),
    )
    far = from_edge > band + 1
    assert np.array_equal(narrow[far] > 127, flat.rough[far] > 127)
    # ...so a band narrower than the brush's error leaves much of it, a wide one fixes it.
    wide = select.refine(flat.image, flat.rough, flat.brush)
    assert iou(narrow, flat.truth) + 0.03 < iou(wide, flat.truth)


def test_refine_is_deterministic(flat):
    a = select.refine(flat.image, flat.rough, flat.brush)
    b = select.refine(flat.image, flat.rough, flat.brush)
    assert np.array_equal(a, b)


def test_refine_refuses_an_empty_or_full_mask(flat):
    with pytest.raises(select.SelectionError) as empty:
        select.refine(flat.image, np.zeros_like(flat.truth), 20)
    assert empty.value.field == "mask"
    assert "empty" in empty.value.message
    with pytest.raises(select.SelectionError) as full:
        select.refine(flat.image, np.full_like(flat.truth, 255), 20)
    assert "whole image" in full.value.message


def test_wand_selects_a_flat_colour_object(flat):
    selected = select.wand(flat.image, flat.inside, 20)
    assert iou(selected, flat.truth) >= 0.97
    assert set(np.unique(selected)) <= {0, 255}


def test_wand_tolerance_zero_takes_only_identical_colours():
    image = np.zeros((40, 60, 3), np.uint8)
    image[10:30, 10:30] = (200, 40, 40)
    image[10:30, 30:50] = (203, 40, 40)  # next to it, a hair different
    exact = select.wand(image, (15, 15), 0)
    assert exact.sum() == 20 * 20 * 255
    loose = select.wand(image, (15, 15), 5)
    assert loose.sum() == 20 * 40 * 255


def test_wand_selects_only_the_region_connected_to_the_click():
    image = np.full((50, 90, 3), 255, np.uint8)
    image[10:40, 5:35] = (0, 0, 255)
    image[10:40, 55:85] = (0, 0, 255)  # the same blue, not touching the first square
    selected = select.wand(image, (20, 20), 10)
    assert selected[20, 20] == 255 and selected[20, 70] == 0
    assert selected.sum() == 30 * 30 * 255


def test_wand_rejects_points_outside_and_bad_tolerance(flat):
    h, w = flat.truth.shape
    for point in ((w, 0), (0, h), (-1, 5)):
        with pytest.raises(select.SelectionError) as exc:
            select.wand(flat.image, point, 20)
        assert exc.value.field == "point"
    with pytest.raises(select.SelectionError) as exc:
        select.wand(flat.image, flat.inside, 101)
    assert exc.value.field == "tolerance"


def test_box_selects_the_object_that_stands_out(standout):
    selected = select.box(standout.image, standout.box)
    assert iou(selected, standout.truth) >= 0.97
    x0, y0, x1, y1 = standout.box
    outside = np.ones_like(selected, bool)
    outside[y0:y1, x0:x1] = False
    assert not selected[outside].any()


def test_box_corners_may_come_in_any_order(flat):
    x0, y0, x1, y1 = flat.box
    assert np.array_equal(
        select.box(flat.image, (x1, y1, x0, y0)), select.box(flat.image, flat.box)
    )


def test_box_refuses_a_sliver_or_the_whole_image(flat):
    h, w = flat.truth.shape
    for rect in (
        (10, 10, 14, 200),
        (0, 0, w, h),
        (-50, -50, w + 50, h + 50),
        (w + 5, 0, w + 90, 50),
    ):
        with pytest.raises(select.SelectionError) as exc:
            select.box(flat.image, rect)
        assert exc.value.field == "box"


def test_box_on_a_featureless_area_says_nothing_stands_out():
    image = np.full((200, 300, 3), 128, np.uint8)
    with pytest.raises(select.SelectionError) as exc:
        select.box(image, (50, 50, 150, 150))
    assert "stands out" in exc.value.message


def test_images_over_the_selection_limit_are_refused(monkeypatch, flat):
    monkeypatch.setattr(select, "MAX_PIXELS", 1000)
    for call in (
        lambda: select.wand(flat.image, flat.inside, 10),
        lambda: select.refine(flat.image, flat.rough, 10),
        lambda: select.box(flat.image, flat.box),
    ):
        with pytest.raises(select.SelectionError) as exc:
            call()
        assert exc.value.field == "image"
        assert "megapixels" in exc.value.message


def test_coverage_is_the_selected_share():
    m = np.zeros((10, 10), np.uint8)
    m[:5] = 255
    assert select.coverage(m) == 0.5


@pytest.mark.parametrize("size", [(1, 1), (7, 40), (40, 5)])
def test_images_under_the_smallest_side_are_refused_by_every_mode(size):
    h, w = size
    image = np.full((h, w, 3), 128, np.uint8)
    mask = np.zeros((h, w), np.uint8)
    mask[: h // 2 + 1, : w // 2 + 1] = 255
    calls = (
        lambda: select.wand(image, (0, 0), 10),
        lambda: select.refine(image, mask, 4),
        lambda: select.box(image, (0, 0, w, h)),
    )
    for call in calls:
        with pytest.raises(select.SelectionError) as refused:
            call()
        assert refused.value.field == "image"
        assert f"{w}x{h}" in refused.value.message
