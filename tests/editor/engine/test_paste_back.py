"""editor.engine.paste_back: mapping results back, keeping everything outside the mask."""

import cv2
import numpy as np
import pytest
from PIL import Image

from editor.engine.paste_back import Box, letterbox, letterbox_mask, paste_back, unletterbox


def noise(w: int, h: int, mode: str = "RGB", seed: int = 0) -> Image.Image:
    channels = len(mode)
    arr = np.random.default_rng(seed).integers(0, 256, (h, w, channels), dtype=np.uint8)
    return Image.fromarray(arr, mode)


def rect_mask(w: int, h: int, box: tuple[int, int, int, int], value: int = 255) -> np.ndarray:
    m = np.zeros((h, w), np.uint8)
    x0, y0, x1, y1 = box
    m[y0:y1, x0:x1] = value
    return m


# --- paste_back ----------------------------------------------------------------------------


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


def test_pad_fit_undoes_a_letterbox_at_the_providers_size():
    # 3000x2000 letterboxed into 1024x1536: the picture is the middle 1024x683 band.
    original = noise(300, 200, seed=1).resize((3000, 2000))
    padded, box = letterbox(original, 1024, 1536)
    assert padded.size == (1024, 1536)
    assert box == Box(0, 426, 1024, 683, 1024, 1536)
    result = padded.copy()
    result.paste((255, 255, 0), (0, box.top, 1024, box.top + box.height))  # model paints it all
    result.paste((0, 0, 255), (0, 0, 1024, box.top))  # and scribbles on the bars
    mask = rect_mask(3000, 2000, (1000, 500, 2000, 1500))
    out = paste_back(original, result, mask, fit="pad")
    assert out.getpixel((1500, 1000)) == (255, 255, 0)
    assert np.array_equal(np.asarray(out)[mask == 0], np.asarray(original)[mask == 0])


def test_pad_fit_works_when_the_result_comes_back_smaller():
    original = Image.new("RGB", (3000, 2000), (9, 9, 9))
    padded, _ = letterbox(original, 1024, 1536)
    result = padded.resize((512, 768))
    result.paste((200, 0, 0), (0, 213, 512, 555))
    out = paste_back(original, result, np.full((2000, 3000), 255, np.uint8), fit="pad")
    assert out.getpixel((1500, 1000)) == (200, 0, 0)
    assert out.getpixel((5, 5)) == (200, 0, 0)  # the box edge maps to the image edge


def test_crop_fit_only_touches_the_covered_middle():
    # 3000x2000 cover-cropped to 1024x1024: only the middle 2000x2000 was sent.
    original = Image.new("RGB", (3000, 2000), (1, 2, 3))
    result = Image.new("RGB", (1024, 1024), (250, 250, 250))
    out = paste_back(original, result, np.full((2000, 3000), 255, np.uint8), fit="crop")
    assert out.getpixel((1500, 1000)) == (250, 250, 250)
    assert out.getpixel((501, 1000)) == (250, 250, 250)
    assert out.getpixel((499, 1000)) == (1, 2, 3)  # outside the crop: the provider saw nothing
    assert out.getpixel((2501, 1000)) == (1, 2, 3)


def test_stretch_fit_resizes_without_keeping_aspect():
    original = Image.new("RGB", (300, 100), (0, 0, 0))
    result = Image.new("RGB", (100, 100), (0, 0, 0))
    result.paste((255, 255, 255), (50, 0, 100, 100))  # right half
    out = paste_back(original, result, np.full((100, 300), 255, np.uint8), fit="stretch")
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


def test_unknown_fit_is_refused():
    with pytest.raises(ValueError):
        paste_back(noise(4, 4), noise(8, 8), np.full((4, 4), 255, np.uint8), fit="zoom")  # type: ignore[arg-type]


# --- letterbox helpers ---------------------------------------------------------------------


def test_letterbox_pads_with_grey_and_unletterbox_round_trips():
    original = Image.new("RGB", (300, 200), (200, 30, 30))
    padded, box = letterbox(original, 256, 256)
    assert padded.size == (256, 256)
    assert box == Box(0, 42, 256, 171, 256, 256)
    assert padded.getpixel((128, 10)) == (127, 127, 127)
    assert padded.getpixel((128, 128)) == (200, 30, 30)
    back = unletterbox(padded, box, (300, 200))
    assert back.size == (300, 200)
    assert np.abs(np.asarray(back, dtype=int) - (200, 30, 30)).max() <= 2


def test_letterbox_of_rgba_pads_transparent():
    padded, _ = letterbox(Image.new("RGBA", (100, 50), (1, 2, 3, 255)), 100, 100)
    assert padded.mode == "RGBA"
    assert padded.getpixel((50, 5)) == (0, 0, 0, 0)
    assert padded.getpixel((50, 50)) == (1, 2, 3, 255)


def test_unletterbox_scales_the_box_for_a_smaller_result():
    original = Image.new("RGB", (400, 100), (0, 0, 0))
    original.paste((255, 255, 255), (200, 0, 400, 100))
    padded, box = letterbox(original, 400, 400)
    back = unletterbox(padded.resize((200, 200)), box, (400, 100))
    assert back.size == (400, 100)
    assert back.getpixel((390, 50))[0] > 240 and back.getpixel((10, 50))[0] < 15


def test_letterbox_mask_pads_with_keep():
    m = np.full((200, 300), 255, np.uint8)
    padded, box = letterbox_mask(m, 256, 256)
    assert padded.shape == (256, 256)
    assert padded[:42].max() == 0 and padded[42 + 171 :].max() == 0
    assert padded[box.top : box.top + box.height].min() == 255


@pytest.mark.parametrize("fit", ["pad", "crop", "stretch"])
@pytest.mark.parametrize("result_size", [(1024, 1536), (1536, 1024), (333, 222)])
def test_identity_outside_a_feathered_brush_mask_for_every_fit(fit, result_size):
    original = noise(600, 400, seed=5)
    mask = np.zeros((400, 600), np.uint8)
    cv2.line(mask, (50, 50), (550, 350), 255, 40)
    mask = cv2.GaussianBlur(mask, (0, 0), 5)
    out = paste_back(original, noise(*result_size, seed=6), mask, fit=fit)
    o, a = np.asarray(out), np.asarray(original)
    assert np.array_equal(o[mask == 0], a[mask == 0])
    assert not np.array_equal(o[mask == 255], a[mask == 255])
