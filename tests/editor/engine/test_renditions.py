"""Previews and thumbnails: WebP, bounded, aspect and alpha kept, far lighter than the image."""

import io

import numpy as np
import pytest
from PIL import Image

from editor.engine import renditions
from tests.editor.engine.test_drift import photo


def opened(rendition):
    img = Image.open(io.BytesIO(rendition.data))
    assert img.format == "WEBP"
    assert img.size == (rendition.width, rendition.height)
    return img


def test_a_large_result_gets_a_1600_px_preview_and_a_384_px_thumbnail():
    pixels = np.asarray(Image.fromarray(photo()).resize((2000, 1300)))
    made = renditions.render(pixels)
    assert opened(made.preview).size == (1600, 1040)
    assert opened(made.thumbnail).size == (384, 250)
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, "PNG")
    assert len(made.preview.data) < len(png.getvalue()) / 5
    assert len(made.thumbnail.data) < 40_000


def test_the_preview_looks_like_the_image():
    pixels = photo()
    preview = np.asarray(opened(renditions.render(pixels).preview).convert("RGB"))
    assert preview.shape == pixels.shape  # 900 px: never upscaled, never cropped
    assert np.abs(preview.astype(int) - pixels).mean() < 6


@pytest.mark.parametrize("size,expected", [((600, 1800), (128, 384)), ((50, 20), (50, 20))])
def test_tall_and_tiny_images_keep_their_aspect(size, expected):
    made = renditions.render(Image.new("RGB", size, (10, 200, 30)))
    assert opened(made.thumbnail).size == expected


def test_transparency_survives():
    img = Image.new("RGBA", (500, 400), (255, 0, 0, 0))
    img.paste((0, 0, 255, 255), (0, 0, 250, 400))
    made = renditions.render(img)
    preview = opened(made.preview)
    assert preview.mode == "RGBA"
    assert preview.getpixel((400, 200))[3] == 0 and preview.getpixel((100, 200))[3] == 255


def test_greyscale_and_palette_images_are_rendered():
    for img in (Image.new("L", (300, 200), 90), Image.new("P", (300, 200), 3)):
        assert opened(renditions.render(img).thumbnail).size == (300, 200)
