"""editor.engine.paste_back: mapping results back, keeping everything outside the mask."""

import cv2
import numpy as np
import pytest
from PIL import Image

from editor.engine.paste_back import paste_back


def noise(w: int, h: int, mode: str = "RGB", seed: int = 0) -> Image.Image:
    channels = len(mode)
    arr = np.random.default_rng(seed).integers(0, 256, (h, w, channels), dtype=np.uint8)
    return Image.fromarray(arr, mode)


def rect_mask(w: int, h: int, box: tuple[int, int, int, int], value: int = 255) -> np.ndarray:
    m = np.zeros((h, w), np.uint8)
    x0, y0, x1, y1 = box
    m[y0:y1, x0:x1] = value
    return m


def test_every_pixel_outside_the_mask_is_bit_identical():
    original = noise(300, 200)
    result = Image.new("RGB", (300, 200), (255, 0, 255))
    mask = rect_mask(300, 200, (50, 40, 120, 90))
    mask[150, 250] = 128
    out = paste_back(original, result, mask)
    o, a = np.asarray(out), np.asarray(original)
    assert out.size == (300, 200) and out.mode == "RGB"
    assert np.array_equal(o[mask == 0], a[mask == 0])
    assert (o[mask == 255] == (255, 0, 255)).all()  # full strength: exactly the result


def test_partial_strength_blends_proportionally():
    original = Image.new("RGB", (10, 10), (0, 100, 200))
    result = Image.new("RGB", (10, 10), (255, 0, 0))
    mask = np.full((10, 10), 0, np.uint8)
    mask[5, 5] = 51  # 20 %
    out = paste_back(original, result, mask)
    assert out.getpixel((5, 5)) == (51, 80, 160)
    assert out.getpixel((0, 0)) == (0, 100, 200)


def test_a_result_at_another_scale_is_mapped_back():
    # 3000x2000 sent as 1536x1024: same aspect, the result is scaled back up.
    original = Image.new("RGB", (3000, 2000), (10, 10, 10))
    result = Image.new("RGB", (1536, 1024), (10, 10, 10))
    result.paste((0, 255, 0), (768, 0, 1536, 1024))  # right half green
    mask = np.full((2000, 3000), 255, np.uint8)
    mask[:, :200] = 0
    out = paste_back(original, result, mask)
    assert out.size == (3000, 2000)
    assert out.getpixel((2500, 1000)) == (0, 255, 0)
    assert out.getpixel((1000, 1000)) == (10, 10, 10)
    assert np.array_equal(np.asarray(out)[:, :200], np.asarray(original)[:, :200])


def test_a_result_of_another_aspect_is_stretched_over_the_whole_original():
    # A fixed-size model answers at the size nearest the source's aspect; it saw the whole image.
    original = Image.new("RGB", (300, 100), (0, 0, 0))
    result = Image.new("RGB", (100, 100), (0, 0, 0))
    result.paste((255, 255, 255), (50, 0, 100, 100))  # right half
    out = paste_back(original, result, np.full((100, 300), 255, np.uint8))
    assert out.getpixel((290, 50)) == (255, 255, 255)
    assert out.getpixel((10, 50)) == (0, 0, 0)


def test_rgba_original_keeps_its_alpha_with_an_rgb_result():
    original = noise(40, 30, "RGBA", seed=3)
    result = Image.new("RGB", (40, 30), (7, 8, 9))
    mask = rect_mask(40, 30, (0, 0, 20, 30))
    out = paste_back(original, result, mask)
    o, a = np.asarray(out), np.asarray(original)
    assert out.mode == "RGBA"
    assert np.array_equal(o[..., 3], a[..., 3])  # alpha untouched everywhere
    assert (o[:, :20, :3] == (7, 8, 9)).all()
    assert np.array_equal(o[:, 20:], a[:, 20:])


def test_rgba_result_alpha_is_blended_inside_the_mask():
    original = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    result = Image.new("RGBA", (10, 10), (255, 255, 255, 255))
    mask = rect_mask(10, 10, (0, 0, 5, 10))
    out = paste_back(original, result, mask)
    assert out.getpixel((2, 2)) == (255, 255, 255, 255)
    assert out.getpixel((7, 7)) == (0, 0, 0, 0)


def test_an_empty_mask_returns_the_original_unchanged():
    original = noise(20, 20)
    out = paste_back(original, Image.new("RGB", (20, 20)), np.zeros((20, 20), np.uint8))
    assert np.array_equal(np.asarray(out), np.asarray(original))


def test_mask_size_must_match_the_original():
    with pytest.raises(ValueError):
        paste_back(noise(20, 20), noise(20, 20), np.zeros((10, 10), np.uint8))


@pytest.mark.parametrize("result_size", [(1024, 1536), (1536, 1024), (333, 222)])
def test_identity_outside_a_feathered_brush_mask_whatever_the_result_size(result_size):
    original = noise(600, 400, seed=5)
    mask = np.zeros((400, 600), np.uint8)
    cv2.line(mask, (50, 50), (550, 350), 255, 40)
    mask = cv2.GaussianBlur(mask, (0, 0), 5)
    out = paste_back(original, noise(*result_size, seed=6), mask)
    o, a = np.asarray(out), np.asarray(original)
    assert np.array_equal(o[mask == 0], a[mask == 0])
    assert not np.array_equal(o[mask == 255], a[mask == 255])


def test_the_integer_blend_rounds_like_the_exact_formula():
    rng = np.random.default_rng(9)
    original = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    result = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    mask = rng.integers(0, 256, (64, 64), dtype=np.uint8)
    out = paste_back(original, result, mask)
    w = mask[..., None].astype(np.float64) / 255
    exact = np.rint(original * (1 - w) + result * w)
    assert isinstance(out, np.ndarray)
    assert np.abs(out.astype(int) - exact).max() <= 1
    assert np.array_equal(out[mask == 0], original[mask == 0])
    assert np.array_equal(out[mask == 255], result[mask == 255])
