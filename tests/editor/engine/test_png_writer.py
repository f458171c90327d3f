"""The PNG writer: every file it writes reads back bit for bit, in Pillow and in OpenCV."""

import io
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from editor.engine import png_writer

MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def pixels(height: int, width: int, channels: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (height, width) if channels == 1 else (height, width, channels)
    return rng.integers(0, 256, shape, dtype=np.uint8)


@pytest.mark.parametrize("flat", [False, True], ids=["average", "up"])
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("size", [(1, 1), (7, 1), (1, 9), (33, 17)])
def test_every_layout_reads_back_exactly(channels, size, flat):
    original = pixels(*size, channels)
    img = Image.open(io.BytesIO(png_writer.encode(original, flat=flat)))
    assert img.format == "PNG" and img.mode == MODES[channels]
    assert (np.asarray(img) == original).all()


@pytest.mark.parametrize("flat", [False, True], ids=["average", "up"])
def test_rows_split_across_bands_join_without_a_seam(monkeypatch, flat):
    monkeypatch.setattr(png_writer, "BAND_ROWS", 7)
    original = pixels(100, 50, 3)
    data = png_writer.encode(original, flat=flat)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert (cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB) == original).all()


def test_a_smooth_photo_compresses_and_keeps_its_profile():
    y, x = np.mgrid[0:256, 0:384]
    smooth = np.stack([x * 255 // 383, y, (x + y) // 3], axis=-1).astype(np.uint8)
    profile = b"not a real profile, but bytes that must come back"
    data = png_writer.encode(smooth, profile)
    img = Image.open(io.BytesIO(data))
    assert img.info["icc_profile"] == profile
    assert len(data) < smooth.nbytes / 5


@pytest.mark.parametrize(
    "bad", [np.zeros((4, 4), np.uint16), np.zeros((4, 4, 5), np.uint8), np.zeros((0, 4), np.uint8)]
)
def test_what_png_cannot_hold_is_refused(bad):
    with pytest.raises(ValueError):
        png_writer.encode(bad)


def test_an_edit_recompresses_only_its_rows_and_writes_the_same_file():
    source = pixels(300, 40, 3)
    edited = source.copy()
    edited[130:150] = 255 - edited[130:150]
    bands: dict = {}
    assert png_writer.encode(source, same_as=bands) == png_writer.encode(source)
    kept = dict(bands)
    data = png_writer.encode(edited, same_as=bands, changed_rows=(130, 150))
    assert data == png_writer.encode(edited)  # byte for byte what a fresh encode writes
    assert bands == kept  # the changed band was not stored as the source's
    img = Image.open(io.BytesIO(data))
    assert (np.asarray(img) == edited).all()


def test_the_rows_below_a_change_are_redone_where_the_filter_reads_it():
    rows = png_writer.BAND_ROWS
    source = pixels(3 * rows, 16, 4)
    edited = source.copy()
    edited[rows - 1] = 0  # the last row of band 0: band 1's first row is filtered against it
    bands: dict = {}
    png_writer.encode(source, same_as=bands)
    data = png_writer.encode(edited, same_as=bands, changed_rows=(rows - 1, rows))
    assert (np.asarray(Image.open(io.BytesIO(data))) == edited).all()


def test_adler32_of_joined_bands_matches_zlib():
    first, second = b"promptbrush" * 999, bytes(range(256)) * 300
    combined = png_writer._adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
    assert combined == zlib.adler32(first + second)
