"""editor.engine.codec: one decode into plain pixels, the fast PNG writer, whole-file checks."""

import io

import numpy as np
import pytest
from PIL import Image, ImageCms

from editor.engine import codec, images

RNG = np.random.default_rng(11)
RGB = RNG.integers(0, 256, (40, 60, 3), dtype=np.uint8)


def pillow_png(img: Image.Image, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", **kwargs)
    return buf.getvalue()


def srgb() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@pytest.mark.parametrize(
    "img",
    [
        Image.fromarray(RGB),
        Image.fromarray(RGB).convert("RGBA"),  # opaque alpha: plain RGB, as open_image gives
        Image.fromarray(np.dstack([RGB, RNG.integers(0, 256, (40, 60), np.uint8)]), "RGBA"),
        Image.fromarray(RGB).convert("P"),
        Image.fromarray(RGB).convert("L"),
        Image.fromarray(RGB[..., 0].astype(np.uint16) * 257),
    ],
    ids=["rgb", "rgba-opaque", "rgba", "palette", "grey", "grey16"],
)
def test_decode_gives_exactly_what_open_image_gives(img):
    data = pillow_png(img)
    decoded = codec.decode(data)
    expected = images.open_image(data)
    assert decoded.mode == expected.mode
    assert np.array_equal(decoded.pixels, np.asarray(expected))
    assert decoded.format == "png" and decoded.size == (60, 40)


def test_decode_refuses_an_oversized_image_before_decoding():
    data = pillow_png(Image.new("RGB", (300, 300)))
    with pytest.raises(images.ImageError, match="300x300 pixels"):
        codec.decode(data, max_pixels=10_000)


def test_decode_reads_the_colour_profile():
    assert codec.decode(pillow_png(Image.fromarray(RGB), icc_profile=srgb())).icc_profile == srgb()
    assert codec.decode(pillow_png(Image.fromarray(RGB))).icc_profile is None


@pytest.mark.parametrize("channels", [3, 4])
def test_encode_png_is_lossless_8_bit_and_keeps_the_profile(channels):
    pixels = RGB if channels == 3 else np.dstack([RGB, RGB[..., 0]])
    png = codec.encode_png(pixels, srgb())
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG" and img.mode == ("RGB" if channels == 3 else "RGBA")
        assert img.info["icc_profile"] == srgb()
        assert np.array_equal(np.asarray(img), pixels)
    assert codec.is_complete(png)


def test_is_complete_catches_cut_and_garbled_files():
    png = codec.encode_png(RGB)
    assert codec.is_complete(png)
    assert not codec.is_complete(png[:-6])  # cut before IEND
    assert not codec.is_complete(png[: len(png) // 2])
    garbled = bytearray(png)
    garbled[len(png) // 2] ^= 0xFF  # one flipped byte inside the pixel data
    assert not codec.is_complete(bytes(garbled))
    jpeg = io.BytesIO()
    Image.fromarray(RGB).save(jpeg, "JPEG")
    assert codec.is_complete(jpeg.getvalue())
    assert not codec.is_complete(jpeg.getvalue()[:-200])
    webp = io.BytesIO()
    Image.fromarray(RGB).save(webp, "WEBP")
    assert codec.is_complete(webp.getvalue())
    assert not codec.is_complete(webp.getvalue()[:-10])
    assert not codec.is_complete(b"<html>login</html>")
