"""editor.engine.images: safe decoding, mode normalisation, encoding, sizes. No Django needed."""

import io

import numpy as np
import pytest
from PIL import Image

from editor.engine import images
from editor.engine.images import ImageError, choose_size, image_info, open_image
from tests.imagedata import bomb_png


def encoded(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def with_orientation(img: Image.Image, orientation: int, fmt: str = "JPEG") -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encoded(img, fmt, exif=exif.tobytes(), **({"quality": 95} if fmt == "JPEG" else {}))


def marked(w: int = 40, h: int = 20) -> Image.Image:
    """Black image with a red top-left pixel block, so rotations are visible."""
    img = Image.new("RGB", (w, h), (0, 0, 0))
    img.paste((255, 0, 0), (0, 0, 8, 8))
    return img


# --- open_image: formats and safety ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_it_opens_each_allowed_format(fmt):
    img = open_image(encoded(Image.new("RGB", (30, 20), (200, 10, 10)), fmt, quality=100))
    assert img.size == (30, 20)
    assert img.mode == "RGB"
    r, g, b = img.getpixel((15, 10))
    assert r > 190 and g < 25 and b < 25


def test_it_rejects_gif_with_a_clear_message():
    with pytest.raises(ImageError) as err:
        open_image(encoded(Image.new("P", (10, 10)), "GIF"))
    assert "GIF" in err.value.message


@pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
def test_it_rejects_other_image_formats(fmt):
    with pytest.raises(ImageError) as err:
        open_image(encoded(Image.new("RGB", (10, 10)), fmt))
    assert err.value.message == "The image file is not a PNG, JPEG or WebP image."


@pytest.mark.parametrize("data", [b"", b"hello, this is text", b"%PDF-1.7\n" + b"0" * 100])
def test_it_rejects_non_images(data):
    with pytest.raises(ImageError) as err:
        open_image(data)
    assert err.value.message.startswith("The image file is")
    assert str(err.value) == err.value.message


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_it_rejects_truncated_files(fmt):
    noise = np.random.default_rng(1).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    data = encoded(Image.fromarray(noise), fmt)
    with pytest.raises(ImageError) as err:
        open_image(data[: len(data) // 2])
    assert "damaged or incomplete" in err.value.message


def test_it_refuses_too_many_pixels_before_decoding():
    data = encoded(Image.new("RGB", (300, 200)))
    with pytest.raises(ImageError) as err:
        open_image(data, max_pixels=50_000)
    assert err.value.message == "The image is 300x200 pixels; the limit is 0.05 megapixels."


def test_it_refuses_a_decompression_bomb_and_names_its_size():
    # 30000x30000 is far beyond Pillow's own bomb limit: Image.open alone would not say the size.
    with pytest.raises(ImageError) as err:
        open_image(bomb_png(30000, 30000))
    assert err.value.message == "The image is 30000x30000 pixels; the limit is 40 megapixels."


def test_a_larger_max_pixels_never_switches_off_pillows_bomb_limit():
    big = int(Image.MAX_IMAGE_PIXELS**0.5) + 10
    with pytest.raises(ImageError) as err:
        open_image(bomb_png(big, big), max_pixels=10**12)
    assert f"{big}x{big} pixels" in err.value.message


# --- open_image: modes ---------------------------------------------------------------------


def test_l_becomes_rgb_with_the_same_grey():
    img = open_image(encoded(Image.new("L", (4, 4), 77)))
    assert img.mode == "RGB"
    assert img.getpixel((0, 0)) == (77, 77, 77)


def test_1bit_becomes_rgb_black_and_white():
    src = Image.new("1", (4, 4), 0)
    src.putpixel((1, 1), 1)
    img = open_image(encoded(src))
    assert img.mode == "RGB"
    assert img.getpixel((1, 1)) == (255, 255, 255)
    assert img.getpixel((0, 0)) == (0, 0, 0)


def test_la_with_transparency_becomes_rgba():
    src = Image.new("LA", (4, 4), (90, 255))
    src.putpixel((2, 2), (90, 0))
    img = open_image(encoded(src))
    assert img.mode == "RGBA"
    assert img.getpixel((2, 2)) == (90, 90, 90, 0)
    assert img.getpixel((0, 0)) == (90, 90, 90, 255)


def test_opaque_rgba_is_reduced_to_rgb():
    img = open_image(encoded(Image.new("RGBA", (4, 4), (1, 2, 3, 255))))
    assert img.mode == "RGB"
    assert img.getpixel((0, 0)) == (1, 2, 3)


def test_rgba_with_partial_alpha_is_kept():
    src = Image.new("RGBA", (4, 4), (1, 2, 3, 255))
    src.putpixel((3, 3), (1, 2, 3, 128))
    img = open_image(encoded(src))
    assert img.mode == "RGBA"
    assert img.getpixel((3, 3)) == (1, 2, 3, 128)


def test_palette_without_transparency_becomes_rgb():
    src = Image.new("P", (4, 4), 1)
    src.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    img = open_image(encoded(src))
    assert img.mode == "RGB"
    assert img.getpixel((0, 0)) == (10, 200, 30)


def test_palette_with_transparent_index_becomes_rgba():
    src = Image.new("P", (4, 4), 1)
    src.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    src.putpixel((0, 0), 0)
    img = open_image(encoded(src, transparency=0))
    assert img.mode == "RGBA"
    assert img.getpixel((0, 0))[3] == 0
    assert img.getpixel((1, 1)) == (10, 200, 30, 255)


def test_palette_with_unused_transparency_becomes_rgb():
    src = Image.new("P", (4, 4), 1)
    src.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    img = open_image(encoded(src, transparency=0))  # index 0 is never used
    assert img.mode == "RGB"


def test_cmyk_jpeg_becomes_rgb():
    img = open_image(encoded(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG", quality=100))
    assert img.mode == "RGB"
    r, g, b = img.getpixel((4, 4))
    assert r > 240 and g < 15 and b < 15  # no cyan, full magenta + yellow = red


def test_16bit_png_is_scaled_not_clipped():
    arr = np.array([[0, 257 * 100, 65535, 32896]], dtype=np.uint16)
    src = Image.fromarray(arr)
    assert src.mode == "I;16"
    img = open_image(encoded(src))
    assert img.mode == "RGB"
    assert [img.getpixel((x, 0))[0] for x in range(4)] == [0, 100, 255, 128]


@pytest.mark.parametrize("mode", ["I;16", "I;16B", "I"])
def test_integer_greyscale_modes_are_scaled_to_8_bit(mode):
    src = Image.new(mode, (2, 1))
    src.putpixel((0, 0), 65535)
    src.putpixel((1, 0), 257 * 40)
    img = images.normalise_mode(src)
    assert img.mode == "RGB"
    assert img.getpixel((0, 0)) == (255, 255, 255)
    assert img.getpixel((1, 0)) == (40, 40, 40)


def test_float_images_in_0_1_are_scaled():
    src = Image.fromarray(np.array([[0.0, 0.5, 1.0]], dtype=np.float32), "F")
    img = images.normalise_mode(src)
    assert [img.getpixel((x, 0))[0] for x in range(3)] == [0, 128, 255]


# --- EXIF orientation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("orientation", "size", "red_corner"),
    [
        (1, (40, 20), (0, 0)),
        (3, (40, 20), (39, 19)),  # rotated 180
        (6, (20, 40), (19, 0)),  # rotated 90 clockwise when displayed
        (8, (20, 40), (0, 39)),  # rotated 90 counter-clockwise
    ],
)
def test_exif_orientation_is_applied(orientation, size, red_corner):
    data = with_orientation(marked(), orientation)
    img = open_image(data)
    assert img.size == size
    r, g, b = img.getpixel(red_corner)
    assert r > 200 and g < 60 and b < 60
    assert image_info(data)[:2] == size


def test_exif_orientation_is_applied_to_png():
    img = open_image(with_orientation(marked(), 6, "PNG"))
    assert img.size == (20, 40)
    assert img.getpixel((19, 0)) == (255, 0, 0)


# --- image_info ----------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "png"), ("JPEG", "jpeg"), ("WEBP", "webp")])
def test_image_info_reads_the_header(fmt, name):
    assert image_info(encoded(Image.new("RGB", (123, 45)), fmt)) == (123, 45, name)


def test_image_info_does_not_decode_huge_images():
    assert image_info(bomb_png(30000, 30000)) == (30000, 30000, "png")


def test_image_info_rejects_gif():
    with pytest.raises(ImageError):
        image_info(encoded(Image.new("P", (4, 4)), "GIF"))


# --- encoding ------------------------------------------------------------------------------


def test_encode_png_round_trips_exactly():
    arr = np.random.default_rng(2).integers(0, 256, (16, 16, 4), dtype=np.uint8)
    src = Image.fromarray(arr, "RGBA")
    back = Image.open(io.BytesIO(images.encode_png(src)))
    assert back.format == "PNG"
    assert np.array_equal(np.asarray(back), arr)


def test_encode_jpeg_flattens_alpha_onto_white():
    src = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    back = Image.open(io.BytesIO(images.encode(src, "jpeg", quality=95)))
    assert back.format == "JPEG"
    assert back.mode == "RGB"
    assert min(back.getpixel((4, 4))) > 245


def test_encode_webp_keeps_alpha():
    src = Image.new("RGBA", (8, 8), (10, 20, 30, 0))
    back = Image.open(io.BytesIO(images.encode(src, "webp", quality=90)))
    assert back.format == "WEBP"
    assert back.getpixel((4, 4))[3] == 0


def test_encode_rejects_unknown_formats():
    with pytest.raises(ValueError):
        images.encode(Image.new("RGB", (2, 2)), "gif")  # type: ignore[arg-type]


# --- choose_size ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("w", "h", "size"),
    [
        (1000, 1000, "1024x1024"),
        (3000, 2000, "1536x1024"),
        (2000, 3000, "1024x1536"),
        (4000, 1000, "1536x1024"),
        (1100, 1000, "1024x1024"),  # 1.1 is closer to 1 than to 1.5 in log terms
        (1300, 1000, "1536x1024"),  # log(1.3)=0.26 is past the log midpoint 0.20
        (1000, 1300, "1024x1536"),
    ],
)
def test_choose_size_for_fixed_size_models(w, h, size):
    assert choose_size(w, h) == size


@pytest.mark.parametrize(
    ("w", "h"),
    [
        (3000, 2000),
        (2000, 3000),
        (1920, 1080),
        (100, 100),
        (7680, 4320),
        (10000, 100),
        (40, 9000),
        (6000, 6000),
        (5000, 4000),
        (1023, 641),
    ],
)
def test_choose_size_for_free_size_models_obeys_the_rules(w, h):
    sw, sh = map(int, choose_size(w, h, free=True).split("x"))
    assert sw % 16 == 0 and sh % 16 == 0
    assert 655_360 <= sw * sh <= 8_294_400
    assert max(sw, sh) <= 3840
    assert max(sw / sh, sh / sw) <= 3
    if max(w / h, h / w) <= 3:
        assert abs(np.log((sw / sh) / (w / h))) < 0.03  # aspect kept


def test_choose_size_free_keeps_a_fitting_size_nearly_unchanged():
    assert choose_size(1920, 1088, free=True) == "1920x1088"
    assert choose_size(3000, 2000, free=True) in {"2992x2000", "3008x2000", "3024x2016"}


def test_choose_size_free_respects_a_smaller_max_side():
    sw, sh = map(int, choose_size(8000, 4000, free=True, max_side=2048).split("x"))
    assert max(sw, sh) <= 2048
