"""Hand-built image files for tests: pure bytes, no Django."""

import io
import struct
import zlib

import cv2
import numpy as np
from PIL import Image


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims width x height: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def photo_jpeg(width: int = 2000, height: int = 1300, quality: int = 90) -> bytes:
    """A photo-like JPEG (smooth colour fields, shapes, sensor grain) that compresses like a
    photo, for page-weight figures that mean something."""
    rng = np.random.default_rng(3)
    low = rng.uniform(30, 220, (height // 60 + 2, width // 60 + 2, 3)).astype(np.float32)
    img = cv2.resize(low, (width, height), interpolation=cv2.INTER_CUBIC)
    for _ in range(60):
        colour = tuple(float(v) for v in rng.uniform(20, 235, 3))
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        cv2.circle(img, centre, int(rng.integers(10, 160)), colour, -1, lineType=cv2.LINE_AA)
    img += rng.normal(0, 7, img.shape).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    return buf.getvalue()
