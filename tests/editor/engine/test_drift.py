"""Drift: what a provider changed outside the mask, calibrated on what honest providers do anyway
(resample, JPEG-encode) and what real models get wrong (brightness and colour shifts)."""

import io
import re

import cv2
import numpy as np
import pytest
from PIL import Image

from editor.engine import drift

W, H = 900, 600


def photo(seed: int = 3) -> np.ndarray:
    """Photo-like content: smooth colour fields, hard-edged shapes and a little sensor grain."""
    rng = np.random.default_rng(seed)
    low = rng.uniform(30, 220, (H // 80 + 2, W // 80 + 2, 3)).astype(np.float32)
    img = cv2.resize(low, (W, H), interpolation=cv2.INTER_CUBIC)
    for _ in range(20):
        colour = tuple(float(v) for v in rng.uniform(20, 235, 3))
        centre = (int(rng.integers(0, W)), int(rng.integers(0, H)))
        cv2.circle(img, centre, int(rng.integers(10, 100)), colour, -1, lineType=cv2.LINE_AA)
    img += rng.normal(0, 6, img.shape).astype(np.float32)
    return np.clip(cv2.GaussianBlur(img, (0, 0), 0.7), 0, 255).astype(np.uint8)


ORIGINAL = photo()
MASK = np.zeros((H, W), np.uint8)
MASK[150:400, 250:600] = 255


def jpeg(rgb: np.ndarray, quality: int = 90) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


def resized(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))


def shifted(rgb: np.ndarray, levels) -> np.ndarray:
    return np.clip(rgb.astype(np.int16) + levels, 0, 255).astype(np.uint8)


def hue_rotated(rgb: np.ndarray, degrees: float) -> np.ndarray:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV_FULL).astype(np.int16)
    hsv[..., 0] = (hsv[..., 0] + round(degrees / 360 * 256)) % 256
    return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB_FULL)


def with_edit(rgb: np.ndarray) -> np.ndarray:
    """What the provider was asked for: the masked area repainted."""
    out = rgb.copy()
    out[MASK > 0] = (200, 30, 160)
    return out


@pytest.mark.parametrize(
    "honest",
    [
        pytest.param(lambda a: a, id="unchanged"),
        pytest.param(jpeg, id="jpeg-q90"),
        pytest.param(lambda a: resized(a, (1536, 1024)), id="upscaled-to-1536"),
        pytest.param(lambda a: resized(a, (600, 400)), id="downscaled-to-600"),
        pytest.param(lambda a: jpeg(resized(a, (1024, 683))), id="resampled-then-jpeg"),
    ],
)
def test_resampling_and_jpeg_noise_read_as_no_drift(honest):
    report, comparison = drift.measure(ORIGINAL, honest(with_edit(ORIGINAL)), MASK)
    assert report.share < 0.01
    assert report.kind == "none"
    assert report.sentence == "The provider left everything outside your mask as it was."
    # Measured in the output's geometry, at a working scale of at most WORK_SIDE.
    out_h, out_w = honest(ORIGINAL).shape[:2]
    h, w = comparison.changed.shape
    assert max(w, h) == min(drift.WORK_SIDE, max(out_w, out_h))
    assert w / h == pytest.approx(out_w / out_h, rel=0.01)


@pytest.mark.parametrize("levels,verb", [(20, "brightened"), (-20, "darkened")])
def test_a_20_level_brightness_shift_reads_as_nearly_every_pixel(levels, verb):
    report, _ = drift.measure(ORIGINAL, shifted(with_edit(ORIGINAL), levels), MASK)
    assert report.share >= 0.95
    assert report.kind == "brightness"
    assert report.sentence == f"The provider {verb} everything outside your mask by about 8 %."


def test_a_brightness_shift_is_found_at_another_resolution_after_jpeg():
    raw = jpeg(resized(shifted(with_edit(ORIGINAL), 20), (1536, 1024)))
    report, _ = drift.measure(ORIGINAL, raw, MASK)
    assert report.share >= 0.95 and report.kind == "brightness"


def test_a_gentle_uniform_brightening_is_named_though_single_pixels_stay_under_threshold():
    report, _ = drift.measure(ORIGINAL, shifted(with_edit(ORIGINAL), 10), MASK)
    assert report.kind == "brightness"
    assert "brightened everything outside your mask by about 4 %" in report.sentence


def test_a_10_degree_hue_rotation_is_named_as_a_colour_shift():
    report, _ = drift.measure(ORIGINAL, hue_rotated(with_edit(ORIGINAL), 10), MASK)
    assert report.kind == "colour"
    assert 7 <= report.hue_degrees <= 13
    assert re.fullmatch(
        r"The provider shifted the colour of everything outside your mask "
        r"\(hue turned by about (9|10|11)°\)\.",
        report.sentence,
    )


def test_a_warm_cast_is_named():
    report, _ = drift.measure(ORIGINAL, shifted(with_edit(ORIGINAL), [14, 0, -14]), MASK)
    assert report.kind == "colour"
    assert "(warmer)" in report.sentence


def test_a_local_change_outside_reads_as_a_share_of_the_pixels():
    raw = with_edit(ORIGINAL)
    raw[:, :27] = 255 - raw[:, :27]  # a strip down the left edge: 3 % of the picture
    report, comparison = drift.measure(ORIGINAL, raw, MASK)
    assert report.kind == "scattered"
    assert 0.025 <= report.share <= 0.04
    assert report.sentence.startswith("The provider changed 3.")
    changed = comparison.changed  # at the working scale: columns 5 and 100 of the original
    scale = changed.shape[1] / W
    assert changed[:, round(5 * scale)].all() and not changed[:, round(100 * scale) :].any()


def test_a_different_picture_reads_as_repainted():
    report, _ = drift.measure(ORIGINAL, photo(seed=7), MASK)
    assert report.kind == "repainted" and report.share > 0.9
    assert report.sentence == "The provider changed 99 % of the pixels outside your mask."


def test_the_mask_itself_is_not_drift():
    raw = ORIGINAL.copy()
    raw[MASK > 0] = 0  # everything changed inside, nothing outside
    assert drift.measure(ORIGINAL, raw, MASK)[0].kind == "none"


def test_a_full_mask_has_no_outside():
    full = np.full((H, W), 255, np.uint8)
    report, _ = drift.measure(ORIGINAL, photo(seed=9), full)
    assert report.share == 0.0 and report.kind == "none"


def test_the_stored_report_carries_its_sentence():
    report, _ = drift.measure(ORIGINAL, shifted(ORIGINAL, 20), MASK)
    stored = report.as_dict()
    assert stored["sentence"] == report.sentence == drift.describe(stored)
    assert stored["share"] == pytest.approx(report.share, abs=1e-4)


def test_the_heatmap_overlays_the_original_red_where_it_drifted_blue_in_the_mask():
    raw = with_edit(ORIGINAL)
    raw[:, :27] = 255 - raw[:, :27]
    raw = resized(raw, (1536, 1024))  # the provider's own size: the map still fits the original
    _, comparison = drift.measure(ORIGINAL, raw, MASK)
    img = Image.open(io.BytesIO(drift.heatmap(comparison).data))
    # The original's geometry at the working scale.
    assert img.format == "WEBP" and img.size == (drift.WORK_SIDE, round(H * drift.WORK_SIDE / W))
    scale = img.size[0] / W

    def at(x: int, y: int) -> tuple[int, int, int]:  # a pixel by the original's coordinates
        return img.getpixel((round(x * scale), round(y * scale)))

    r, g, b = at(5, 300)
    assert r > 200 and g < 80  # drift is red
    r, g, b = at(400, 250)
    assert b > r  # the mask area is tinted blue
    r, g, b = at(800, 500)
    assert max(r, g, b) - min(r, g, b) < 12 and r < 100  # untouched: dimmed grey


def test_the_heatmap_is_downscaled_for_large_images():
    original = np.zeros((2000, 3000, 3), np.uint8)
    _, comparison = drift.measure(original, original, np.zeros((2000, 3000), np.uint8))
    size = Image.open(io.BytesIO(drift.heatmap(comparison).data)).size
    assert size == (drift.WORK_SIDE, 512)  # drawn at the working scale
    smaller = Image.open(io.BytesIO(drift.heatmap(comparison, max_side=300).data)).size
    assert smaller == (300, 200)
