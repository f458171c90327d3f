"""The smaller copies pages show instead of a full-resolution image. Pure NumPy/OpenCV/Pillow.

Made once, when an image is stored, from the array already decoded for the job (no second
decode): a preview (WebP, longest side at most PREVIEW_SIDE, what cards, the stage and the
record page show until someone zooms past it) and a thumbnail (WebP, THUMB_SIDE, for grids and
strips). Both keep the image's aspect ratio and its alpha. Downscaling uses OpenCV's area
filter, the right one for shrinking and a few milliseconds even for large images.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from editor.engine import codec

PREVIEW_SIDE = 1600
THUMB_SIDE = 384
# Previews are WebP (what the editing loop's page-weight budget was set with): method 0, the
# fastest, encodes a 1536x1024 photo in ~30-40 ms of CPU, about 4x faster than method 4 for
# ~10 % more bytes.
_PREVIEW = {"quality": 80, "method": 0}
# Thumbnails fill grids by the dozen, so bytes count: WebP method 2 is within 4 % of method 4's
# size at less than half its CPU (~6 ms at 384 px).
_THUMB = {"quality": 78, "method": 2}


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Renditions:
    preview: Rendition
    thumbnail: Rendition


def fitted(width: int, height: int, max_side: int) -> tuple[int, int]:
    """(w, h) scaled down (never up) so the longest side is at most max_side."""
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def shrink(pixels: np.ndarray, max_side: int) -> np.ndarray:
    h, w = pixels.shape[:2]
    size = fitted(w, h, max_side)
    if size == (w, h):
        return pixels
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)


def webp(pixels: np.ndarray, options: dict = _PREVIEW) -> Rendition:
    mode = "RGBA" if pixels.ndim == 3 and pixels.shape[2] == 4 else "RGB"
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), mode).save(buf, "WEBP", **options)
    return Rendition(buf.getvalue(), pixels.shape[1], pixels.shape[0])


def _preview(pixels: np.ndarray) -> Rendition:
    return webp(pixels, _PREVIEW)


def worth_a_preview(width: int, height: int, fmt: str) -> bool:
    """A JPEG or WebP that already fits the preview size is as light as its preview would be."""
    return max(width, height) > PREVIEW_SIDE or fmt.lower() not in ("jpeg", "jpg", "webp")


def preview(img: Image.Image | np.ndarray, *, max_side: int = PREVIEW_SIDE) -> Rendition:
    """Only the preview (an upload needs no thumbnail)."""
    return _preview(shrink(codec.pixels_of(img), max_side))


def render(
    img: Image.Image | np.ndarray,
    *,
    preview_side: int = PREVIEW_SIDE,
    thumb_side: int = THUMB_SIDE,
) -> Renditions:
    """Preview and thumbnail of a decoded image (RGB or RGBA, array or Pillow image)."""
    pixels = codec.pixels_of(img)
    preview = shrink(pixels, preview_side)
    thumbnail = shrink(preview, thumb_side)  # from the preview: a fraction of the work
    return Renditions(_preview(preview), webp(thumbnail, _THUMB))
