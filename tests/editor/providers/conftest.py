"""Fixtures for adapter tests: a real httpx client (short timeouts) and small images/masks."""

import io

import numpy as np
import pytest
from PIL import Image

from editor.providers.http import make_client


@pytest.fixture
def client():
    with make_client(timeout=5.0) as c:
        yield c


def png(width: int, height: int, color=(120, 130, 140)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def box_mask(width: int, height: int, box=(8, 4, 24, 12)) -> np.ndarray:
    """Canonical mask: 255 inside box (x0, y0, x1, y1), 0 elsewhere."""
    m = np.zeros((height, width), dtype=np.uint8)
    x0, y0, x1, y1 = box
    m[y0:y1, x0:x1] = 255
    return m
