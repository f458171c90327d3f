"""Decoding an image once into a plain array, and writing PNGs fast. Pure NumPy/OpenCV/Pillow.

A job handles every image as an array from the moment it is read: the provider's result is
decoded once, and paste-back, drift, previews and thumbnail all work on that one array.

PNGs are written by png_writer (NumPy filtering, ISA-L deflate: a third of OpenCV's CPU for
files of the same size). PNGs are read by OpenCV (~26 ms for a 1536x1024 photo on this 2-core
machine against Pillow's ~29; pyspng's ~20 would be a new dependency for that alone). Pillow
stays the fallback and handles every image OpenCV's fast path does not cover (palette, 16-bit,
grey, JPEG, WebP, EXIF rotation), through images.open_image with the same safety checks.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from editor.engine import images, png_writer

PNG_SIGNATURE = png_writer.SIGNATURE


@dataclass
class Decoded:
    """An image as 8-bit RGB or RGBA pixels (RGBA only when some pixel is not opaque)."""

    pixels: np.ndarray  # (h, w, 3 or 4) uint8, contiguous
    format: str  # "png", "jpeg" or "webp", from the header
    icc_profile: bytes | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.pixels.shape[1], self.pixels.shape[0]

    @property
    def mode(self) -> str:
        return "RGBA" if self.pixels.shape[2] == 4 else "RGB"

    def image(self) -> Image.Image:
        return Image.fromarray(self.pixels, self.mode)


def decode(data: bytes, *, max_pixels: int = images.MAX_PIXELS) -> Decoded:
    """The image's pixels, read once; raises images.ImageError with a user-facing message.

    The header is parsed first (format allow-list, pixel limit) before any pixel is decoded.
    """
    header = images.open_header(data)
    images.check_pixels(header, max_pixels)
    fmt = str(header.format).lower()
    icc = header.info.get("icc_profile") or None
    if fmt == "png" and header.mode in ("RGB", "RGBA") and not header.info.get("exif"):
        pixels = _cv2_png(data, len(header.mode))
        if pixels is not None:
            return Decoded(pixels, fmt, icc)
    img = images.open_image(data, max_pixels=max_pixels)
    return Decoded(np.ascontiguousarray(np.asarray(img)), fmt, icc)


def _cv2_png(data: bytes, channels: int) -> np.ndarray | None:
    """8-bit RGB(A) PNG through OpenCV; None when it cannot (the caller then uses Pillow)."""
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if bgr is None or bgr.dtype != np.uint8 or bgr.ndim != 3 or bgr.shape[2] != channels:
        return None
    if channels == 3:
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    if int(bgr[..., 3].min()) == 255:  # an alpha channel that says nothing: plain RGB
        return cv2.cvtColor(bgr, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(bgr, cv2.COLOR_BGRA2RGBA)


def pixels_of(img: Image.Image | np.ndarray) -> np.ndarray:
    """The RGB or RGBA uint8 pixels of a Pillow image or an array (grey becomes RGB)."""
    if isinstance(img, np.ndarray):
        return img if img.ndim == 3 else np.repeat(img[..., None], 3, axis=2)
    if img.mode not in ("RGB", "RGBA"):
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    return np.asarray(img)


def encode_png(
    pixels: np.ndarray,
    icc_profile: bytes | None = None,
    *,
    same_as: dict | None = None,
    changed_rows: tuple[int, int] = (0, 0),
) -> bytes:
    """An 8-bit PNG of RGB, RGBA or grey pixels, with the ICC profile when one is given;
    `same_as` and `changed_rows` reuse another image's bands (png_writer.encode)."""
    return png_writer.encode(pixels, icc_profile, same_as=same_as, changed_rows=changed_rows)


def is_complete(data: bytes) -> bool:
    """Whether the file is whole, from its framing alone (no pixel decoded): every PNG chunk's
    length and CRC with IEND last, JPEG's end-of-image marker, WebP's RIFF length. Catches a
    download cut short or garbled on the way; other formats answer False."""
    if data.startswith(PNG_SIGNATURE):
        return _png_complete(data)
    if data.startswith(b"\xff\xd8"):
        # Some cameras append data after the end marker; it stays close to the end.
        return b"\xff\xd9" in data[-65536:]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return struct.unpack("<I", data[4:8])[0] + 8 <= len(data)
    return False


def _png_complete(data: bytes) -> bool:
    pos, end = len(PNG_SIGNATURE), len(data)
    view = memoryview(data)
    while pos + 12 <= end:
        length = struct.unpack(">I", view[pos : pos + 4])[0]
        stop = pos + 8 + length
        if stop + 4 > end:
            return False
        if zlib.crc32(view[pos + 4 : stop]) != struct.unpack(">I", view[stop : stop + 4])[0]:
            return False
        if view[pos + 4 : pos + 8] == b"IEND":
            return True
        pos = stop + 4
    return False
