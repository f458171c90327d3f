"""Helpers of the API tests: tiny images and the 1min.ai seed bodies."""

import io
from pathlib import Path

import numpy as np
from PIL import Image

# Request bodies from the 1min.ai pages in shared/seeds, kept byte for byte (one has a
# trailing comma, as published).
SEED_BODIES = Path(__file__).parent / "seed_bodies"
W, H = 64, 48


def png(w: int = W, h: int = H, color=(90, 120, 150)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


def box_mask(w: int = W, h: int = H, painted: bool = True) -> bytes:
    m = np.zeros((h, w), dtype=np.uint8)
    if painted:
        m[10:30, 10:40] = 255
    buf = io.BytesIO()
    Image.fromarray(m, "L").save(buf, "PNG")
    return buf.getvalue()


def seed_body(prefix: str) -> str:
    """The JSON body of a seed page's curl example, character for character."""
    return (SEED_BODIES / f"{prefix}.json").read_text()


def upload_file(client_call, data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return client_call("post", "/api/assets", data={"asset": f})
