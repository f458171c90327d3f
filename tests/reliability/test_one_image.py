"""Stored files are exactly one image: nothing appended after the image's end, nothing hidden in
comments or metadata (issue 11, item 11), for uploads from the page and the API and for what a
provider sends back."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from editor.engine import codec
from editor.engine.container import for_storage, only_the_image
from editor.engine.images import open_image
from tests.reliability.test_one_image_stored import PAYLOAD, encoded, photo, zip_bytes


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = PAYLOAD.decode()  # ImageDescription
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPS IFD
    return exif.tobytes()


def text_chunk() -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PAYLOAD.decode())
    return info


CASES = {
    "png": lambda: encoded(photo(), "PNG", pnginfo=text_chunk()),
    "png-rgba": lambda: encoded(photo("RGBA"), "PNG"),
    "jpeg": lambda: encoded(photo(), "JPEG", quality=90, exif=exif_with_gps(), comment=PAYLOAD),
    "jpeg-progressive": lambda: encoded(photo(), "JPEG", progressive=True, exif=exif_with_gps()),
    "jpeg-restart": lambda: encoded(photo(), "JPEG", restart_marker_blocks=1, comment=PAYLOAD),
    "webp-lossy": lambda: encoded(photo(), "WEBP", quality=80, exif=exif_with_gps()),
    "webp-lossless": lambda: encoded(photo("RGBA"), "WEBP", lossless=True, exif=exif_with_gps()),
}


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(open_image(data))


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_file_with_a_zip_appended_is_cut_to_the_image_alone(case):
    original = CASES[case]()
    polyglot = original + zip_bytes()
    assert zipfile.is_zipfile(io.BytesIO(polyglot))

    stored, fmt = for_storage(polyglot, open_image(polyglot))

    assert fmt == case.split("-")[0]
    assert PAYLOAD not in stored
    assert not zipfile.is_zipfile(io.BytesIO(stored))
    assert np.array_equal(pixels(stored), pixels(original))  # not re-encoded: no quality lost
    assert len(stored) <= len(original)


def test_a_clean_file_is_kept_byte_for_byte():
    clean = encoded(photo(), "PNG")

    assert for_storage(clean, open_image(clean)) == (clean, "png")


@pytest.mark.parametrize(
    "junk",
    [b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"\xff\xd8\xff\xe0\xff\xff", b"RIFF\xff\xff\xff\xffWEBP"],
)
def test_a_file_that_cannot_be_walked_gives_none(junk):
    for fmt in ("png", "jpeg", "webp"):
        assert only_the_image(junk, fmt) is None


def test_a_rotated_jpeg_is_stored_as_a_png_of_the_upright_image():
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated = encoded(photo(), "JPEG", exif=exif.tobytes()) + zip_bytes()

    stored, fmt = for_storage(rotated, open_image(rotated))

    assert fmt == "png"
    assert Image.open(io.BytesIO(stored)).size == (48, 64)
    assert PAYLOAD not in stored


def test_a_file_stored_re_encoded_keeps_its_colour_profile():
    """A provider's PNG with bytes after its end and an alpha channel that says nothing is
    decoded as RGB and stored re-encoded: its colour profile goes with it."""
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (10, 20, 30, 255)).save(buffer, "PNG", icc_profile=b"a profile")
    data = buffer.getvalue() + b"appended"
    decoded = codec.decode(data)
    stored, fmt = for_storage(data, decoded.image(), decoded.icc_profile)
    assert fmt == "png" and stored != data
    assert Image.open(io.BytesIO(stored)).info["icc_profile"] == b"a profile"
