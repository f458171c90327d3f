"""editor.engine.fill: PatchMatch and the OpenCV fills, at full resolution, inside the hole only."""

import threading

import numpy as np
import pytest

from editor.engine import fill


def stripes(width: int, height: int, period: int = 6) -> np.ndarray:
    """Diagonal colour stripes with grain: a texture a smooth fill cannot fake."""
    y, x = np.mgrid[0:height, 0:width]
    wave = ((x + y) // (period // 2)) % 2
    rgb = np.stack([60 + 140 * wave, 90 + 60 * wave, 200 - 120 * wave], axis=-1)
    grain = np.random.default_rng(3).integers(-12, 13, (height, width, 1))
    return np.clip(rgb + grain, 0, 255).astype(np.uint8)


def box(width: int, height: int, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    m = np.zeros((height, width), np.uint8)
    m[y0:y1, x0:x1] = 255
    return m


def grad_energy(img: np.ndarray, where: np.ndarray) -> float:
    grey = img[..., :3].astype(np.float32).mean(axis=2)
    gy, gx = np.gradient(grey)
    return float(np.hypot(gx, gy)[where].mean())


@pytest.mark.parametrize("method", fill.METHODS)
def test_only_the_hole_changes_and_the_same_input_gives_the_same_output(method):
    img, hole = stripes(96, 80), box(96, 80, 30, 20, 60, 50)
    first = fill.fill(img, hole, method)
    second = fill.fill(img, hole, method)
    assert np.array_equal(first, second)
    keep = hole == 0
    assert first.shape == img.shape
    assert np.array_equal(first[keep], img[keep])
    assert not np.array_equal(first[~keep], img[~keep])


def test_patchmatch_keeps_the_texture_that_telea_smears():
    img, hole = stripes(128, 128), box(128, 128, 40, 40, 88, 88)
    inside = hole > 0
    truth = grad_energy(img, inside)
    patch = grad_energy(fill.fill(img, hole, "patchmatch"), inside) / truth
    telea = grad_energy(fill.fill(img, hole, "telea"), inside) / truth
    assert patch > 0.7
    assert telea < 0.4


def test_concurrent_fills_give_the_serial_result():
    # The worker runs fills on several threads; the seed must not be shared state between them.
    img, hole = stripes(96, 96), box(96, 96, 20, 30, 70, 60)
    serial = fill.fill(img, hole)
    results: list[np.ndarray] = []
    threads = [
        threading.Thread(target=lambda: results.append(fill.fill(img, hole))) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3
    assert all(np.array_equal(r, serial) for r in results)


def test_a_large_hole_is_filled_from_a_scaled_copy_and_pasted_at_full_resolution():
    # 3000x2000 with a 1000x800 hole: its surroundings (2000x1600) are searched scaled down to
    # WORK_PIXELS, and the fill is pasted back into the 3000x2000 original.
    w, h = 3000, 2000
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = 180
    img[..., 1] = np.linspace(40, 160, w, dtype=np.uint8)[None, :]
    img[::2, ::2, 2] = 255  # pixel-level detail a round trip through a scaled copy would lose
    hole = box(w, h, 1000, 600, 2000, 1400)
    plan = fill.plan(hole)
    (region,) = plan.regions
    assert (region.top, region.bottom, region.left, region.right) == (200, 1800, 500, 2500)
    assert plan.scale == pytest.approx((fill.WORK_PIXELS / (2000 * 1600)) ** 0.5)
    out = fill.fill(img, hole, "patchmatch")
    keep = hole == 0
    assert out.shape == (h, w, 3)
    assert np.array_equal(out[keep], img[keep])  # the detail outside survives bit for bit
    inside = out[hole > 0].astype(int)
    assert abs(inside[:, 0].mean() - 180) < 6  # filled with the surrounding colour
    assert abs(inside[:, 1].mean() - img[hole > 0][:, 1].mean()) < 12


def test_a_partial_edit_strength_is_part_of_the_hole():
    # The job blends the feathered edge with weight mask/255, so the fill must reach it.
    img = stripes(64, 64)
    hole = box(64, 64, 20, 20, 44, 44)
    hole[18:46, 18:46][hole[18:46, 18:46] == 0] = 40
    out = fill.fill(img, hole, "telea")
    assert not np.array_equal(out[19, 30], img[19, 30])


def test_rgba_keeps_its_alpha_outside_and_fills_it_inside():
    img = np.dstack([stripes(64, 48), np.full((48, 64), 90, np.uint8)])
    img[20:30, 20:40, 3] = 0
    hole = box(64, 48, 20, 20, 40, 30)
    out = fill.fill(img, hole, "patchmatch")
    assert out.shape == (48, 64, 4)
    assert np.array_equal(out[hole == 0], img[hole == 0])
    # The alpha is continued from around the hole (Telea's weights are off by a level or two).
    assert np.abs(out[hole > 0, 3].astype(int) - 90).max() <= 3


@pytest.mark.parametrize(
    ("img", "hole", "method", "message"),
    [
        (stripes(8, 8), box(8, 8, 1, 1, 4, 4), "lama", "Unknown fill method 'lama'"),
        (stripes(8, 8), box(16, 8, 1, 1, 4, 4), "telea", "mask is 16x8 but the image is 8x8"),
        (stripes(8, 8), np.zeros((8, 8), np.uint8), "patchmatch", "empty"),
        (stripes(8, 8), np.full((8, 8), 255, np.uint8), "patchmatch", "whole image"),
        (stripes(8, 8)[..., 0], box(8, 8, 1, 1, 4, 4), "telea", "RGB or RGBA"),
    ],
)
def test_refuses_what_it_cannot_fill(img, hole, method, message):
    with pytest.raises(fill.FillError, match=message):
        fill.fill(img, hole, method)


def test_a_hole_that_swallows_the_work_copy_is_refused():
    # At work size every pixel touches the hole: nothing would be left to copy from.
    hole = np.zeros((2000, 3000), np.uint8)
    hole[:, ::2] = 255
    with pytest.raises(fill.FillError, match="too little"):
        fill.fill(np.zeros((2000, 3000, 3), np.uint8), hole)


def test_each_hole_is_searched_in_its_own_surroundings():
    """The search area decides PatchMatch's time: a hole's own surroundings (the hole and half
    its size again on each side, at least MIN_CONTEXT), at full size while they are small."""
    hole = np.zeros((600, 900), np.uint8)
    hole[100:160, 300:400] = 255
    plan = fill.plan(hole)
    (region,) = plan.regions
    m = fill.MIN_CONTEXT
    assert (region.top, region.bottom, region.left, region.right) == (4, 256, 204, 496)
    assert (100 - m, 300 - m) == (4, 204) and plan.scale == 1.0
    # A second hole in the far corner is searched apart (side by side on two cores).
    hole[500:560, 800:860] = 255
    assert [r.labels for r in fill.plan(hole).regions] == [(1,), (2,)]
    # Two specks whose surroundings are nearly the same are searched once.
    hole[130:134, 402:406] = 255
    assert sorted(len(r.labels) for r in fill.plan(hole).regions) == [1, 2]


def test_holes_spread_over_the_picture_are_searched_as_one():
    hole = np.zeros((600, 900), np.uint8)
    hole[40:560:20, 40:860:20] = 255  # a sprayed mask: hundreds of specks
    plan = fill.plan(hole)
    assert [(r.top, r.bottom, r.left, r.right) for r in plan.regions] == [(0, 600, 0, 900)]
    assert len(plan.regions[0].labels) == 26 * 41


def test_separate_holes_fill_side_by_side_as_they_would_one_by_one():
    """Each region is filled from its own surroundings whatever runs beside it: the fill of two
    holes equals each hole filled alone, and the other hole's pixels are never copied in."""
    rng = np.random.default_rng(3)
    wall = np.clip(rng.normal(128, 12, (400, 900, 3)), 0, 255).astype(np.uint8)
    wall[:, 450:] = 255 - wall[:, 450:]  # the right half is another texture
    left, right = box(900, 400, 100, 150, 160, 210), box(900, 400, 700, 150, 760, 210)
    both = fill.fill(wall, left | right)
    assert np.array_equal(both[left > 0], fill.fill(wall, left)[left > 0])
    assert np.array_equal(both[right > 0], fill.fill(wall, right)[right > 0])
    assert abs(both[left > 0].mean() - 128) < 12 and abs(both[right > 0].mean() - 127) < 12
