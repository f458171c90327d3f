"""Edit masks: one canonical form in, each provider's convention out. Pure NumPy/OpenCV/Pillow.

The canonical mask is a C-contiguous uint8 array of shape (height, width) at the source
image's exact size: 255 = edit, 0 = keep, anything between = partial strength.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image

from core.errors import UserFacingError
from editor.engine import png_writer
from editor.engine.images import MAX_PIXELS, ImageError, greyscale_to_8bit, has_alpha, open_raw

# OpenAI documents "< 4 MB" for masks; stay under the decimal reading to be safe.
MAX_MASK_BYTES = 4_000_000
# Strengths at or below this (or at or above 255 minus it) are treated as 0 (or 255) by
# `prepare`: JPEG and resampling leave faint noise that must not count as "edit".
NOISE_FLOOR = 8
# Same-shape masks at another scale are resized; the aspect may differ by less than this.
ASPECT_TOLERANCE = 0.01

# Fast path: png_writer with the "Up" filter (masks are mostly flat, so each row predicts the
# next) and ISA-L's deflate: ~1 ms for a 1536x1024 grey mask against OpenCV's ~6 ms at zlib
# level 2, and ~4 ms for OpenAI's RGBA form against ~20.
_FAST_PNG = ("png_writer", "up")
# For masks too large on the fast path: stronger zlib, per-row adaptive filters.
_SMALL_PNG = (cv2.IMWRITE_PNG_COMPRESSION, 6, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FAST_FILTERS)
# (grey levels, block size, encoder settings), most faithful first. Only grey-heavy, noisy masks
# ever get past the first step. Blocks matter more than levels for noise, and cost nothing real:
# the models work at ~1024 px, far coarser than an 8x8 block of a 4096 px mask.
_LADDER = (
    (256, 1, _FAST_PNG),
    (256, 1, _SMALL_PNG),
    (64, 1, _SMALL_PNG),
    (16, 1, _SMALL_PNG),
    (16, 2, _SMALL_PNG),
    (4, 2, _SMALL_PNG),
    (16, 4, _SMALL_PNG),
    (4, 4, _SMALL_PNG),
    (2, 8, _SMALL_PNG),
)
# Size prediction: encode one band of 16 rows in every 32 and scale up, so hopeless steps
# are skipped at 1/32 of their cost (zlib on noise is very slow).
_SAMPLE_BAND = 16
_SAMPLE_EVERY = 32


class MaskError(UserFacingError, ValueError):
    """A mask we cannot use. `message` is plain English the user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__("mask", message)


def _alpha_if_transparent(img: Image.Image) -> np.ndarray | None:
    """The alpha channel as uint8, or None if the image has none or it is all opaque."""
    if not has_alpha(img):
        return None
    if img.mode not in ("RGBA", "LA", "PA"):
        img = img.convert("RGBA")  # P with tRNS, premultiplied modes
    alpha = img.getchannel("A")
    if alpha.getextrema()[0] == 255:
        return None
    return np.asarray(alpha)


def _luminance(img: Image.Image) -> np.ndarray:
    if img.mode.startswith("I") or img.mode == "F":
        return np.asarray(greyscale_to_8bit(img))
    if img.mode in ("RGBa", "La"):  # premultiplied: Pillow cannot go straight to L
        img = img.convert("RGB")
    # For RGBA/LA/PA (alpha all opaque here) convert("L") reads the colour and drops alpha.
    return np.asarray(img if img.mode == "L" else img.convert("L"))


def _fit(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    mh, mw = mask.shape
    if (mw, mh) == (width, height):
        return mask
    if abs((mw / mh) / (width / height) - 1) >= ASPECT_TOLERANCE:
        raise MaskError(
            f"The mask is {mw}x{mh} pixels but the image is {width}x{height}; "
            "use a mask with the same proportions as the image."
        )
    shrinking = mw * mh > width * height
    interp = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(mask, (width, height), interpolation=interp)


def load_mask(data: bytes, size: tuple[int, int]) -> np.ndarray:
    """Read an uploaded or painted mask as the canonical array for an image of `size` (w, h).

    How the file is read (one rule, no guessing from colours):

    * If it has an alpha channel with at least one pixel below 255, it is an OpenAI-style
      mask: transparent marks the area to edit, so strength = 255 - alpha. Partial alpha
      gives partial strength. Colour is ignored.
    * Otherwise (no alpha, or alpha all 255) it is a white-on-black mask: strength =
      luminance (white = edit, black = keep, grey = partial).

    Why not also accept "coloured strokes on a transparent background" brush exports: such a
    file is byte-for-byte the same shape as OpenAI's own recipe (opaque white = keep,
    transparent black = edit), so no rule can tell them apart. Our canvas brush therefore
    exports an opaque white-on-black PNG, which is the second case.

    A mask with the image's aspect ratio (within 1%) at another scale is resized to the exact
    image size; any other size raises MaskError. Same format allow-list and pixel limit as
    images.
    """
    try:
        img = open_raw(data, max_pixels=MAX_PIXELS, what="mask")
    except ImageError as exc:
        raise MaskError(exc.message) from exc
    alpha = _alpha_if_transparent(img)
    mask = np.subtract(255, alpha, dtype=np.uint8) if alpha is not None else _luminance(img)
    return np.ascontiguousarray(_fit(mask, size))


def invert(m: np.ndarray) -> np.ndarray:
    return cv2.bitwise_not(m)


def _disc(px: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))


def grow(m: np.ndarray, px: int) -> np.ndarray:
    """Widen the edit area by px pixels in every direction (grey dilation with a disc).

    OpenCV's dilation with a disc kernel costs O(px^2) per pixel (10 s at 60 px on 4096x4096),
    so only small radii use it directly. Larger radii: a 0/255 mask uses an exact Euclidean
    distance transform (cost independent of px); a grey mask chains disc dilations of radius
    <= 10 (a chain of discs is a disc, up to ~4% digital error on the radius).
    """
    if px <= 0:
        return m
    if px <= 10:
        return cv2.dilate(m, _disc(px))
    if not ((m > 0) & (m < 255)).any():
        keep = (m == 0).view(np.uint8)
        dist = cv2.distanceTransform(keep, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        return np.where(dist <= px, np.uint8(255), m)
    steps = math.ceil(px / 10)
    out = m
    for i in range(steps):
        out = cv2.dilate(out, _disc(px // steps + (1 if i < px % steps else 0)))
    return out


def feather(m: np.ndarray, px: int) -> np.ndarray:
    """Soften the edge: strength ramps over px pixels on each side of it, and no further.

    Gaussian blur with sigma = px / 2, its kernel cut at 2 sigma = px. OpenCV's 8-bit blur is
    bit-exact on flat areas, so pixels more than px inside (or outside) the area keep their
    exact value. Past 24 px the blur runs on a copy shrunk by px // 24 (the blur's cost grows
    with px: 8 s at 150 px on 4096x4096); flat areas stay exact through the shrink and the
    linear enlargement, and the ramp widens by at most that factor.
    """
    if px <= 0:
        return m
    factor = max(1, px // 24)
    r = px // factor
    if factor == 1:
        return cv2.GaussianBlur(m, (2 * r + 1, 2 * r + 1), r / 2, borderType=cv2.BORDER_REPLICATE)
    h, w = m.shape
    small = cv2.resize(m, (-(-w // factor), -(-h // factor)), interpolation=cv2.INTER_AREA)
    soft = cv2.GaussianBlur(small, (2 * r + 1, 2 * r + 1), r / 2, borderType=cv2.BORDER_REPLICATE)
    return cv2.resize(soft, (w, h), interpolation=cv2.INTER_LINEAR)


def is_empty(m: np.ndarray, *, threshold: int = NOISE_FLOOR) -> bool:
    """True when no pixel is above the noise threshold (nothing to edit)."""
    return not bool((m > threshold).any())


def _denoise(m: np.ndarray) -> np.ndarray:
    out = m.copy()
    out[out <= NOISE_FLOOR] = 0
    out[out >= 255 - NOISE_FLOOR] = 255
    return out


# `prepare`'s keyword arguments shadow these names inside it.
_invert, _grow, _feather = invert, grow, feather


def prepare(m: np.ndarray, *, invert: bool = False, grow: int = 0, feather: int = 0) -> np.ndarray:
    """Apply the user's options in a fixed order: denoise, invert, grow, feather.

    Raises MaskError when nothing is left to edit (checked before grow/feather, which would
    otherwise make a stray speck look like a real selection).
    """
    out = _denoise(m)
    if invert:
        out = _invert(out)
    if is_empty(out):
        raise MaskError("The mask is empty: paint the area to change.")
    return _feather(_grow(out, grow), feather)


def _check(m: np.ndarray) -> None:
    if m.dtype != np.uint8 or m.ndim != 2:
        raise ValueError(f"a mask is a 2-D uint8 array, got {m.dtype} with shape {m.shape}")


def _simplify(m: np.ndarray, levels: int, block: int) -> np.ndarray:
    """Average over block x block cells, then keep `levels` evenly spaced grey levels.

    The levels always include 0 and 255, so keep stays keep and full edit stays full edit
    away from the blocks that straddle an edge.
    """
    out = m
    if block > 1:
        h, w = m.shape
        small = cv2.resize(m, (-(-w // block), -(-h // block)), interpolation=cv2.INTER_AREA)
        out = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    if levels < 256:
        step = 255 / (levels - 1)
        lut = np.round(np.round(np.arange(256) / step) * step).astype(np.uint8)
        out = cv2.LUT(out, lut)
    return out


def _sample_rows(m: np.ndarray) -> tuple[np.ndarray, float]:
    h = m.shape[0]
    if h < 2 * _SAMPLE_BAND * _SAMPLE_EVERY:
        return m, 1.0
    keep = (np.arange(h) // _SAMPLE_BAND) % _SAMPLE_EVERY == 0
    sample = m[keep]
    return sample, h / sample.shape[0]


def _encode(a: np.ndarray, params: tuple) -> bytes:
    if params is _FAST_PNG:
        return png_writer.encode(a, flat=True)
    ok, buf = cv2.imencode(".png", a, params)
    if not ok:
        raise ValueError("PNG encoding failed")
    return buf.tobytes()


def _png_under_limit(m: np.ndarray, build: Callable[[np.ndarray], np.ndarray]) -> bytes:
    """The most faithful PNG of build(m) under MAX_MASK_BYTES (see _LADDER)."""
    last = len(_LADDER) - 1
    for i, (levels, block, params) in enumerate(_LADDER):
        simple = _simplify(m, levels, block)
        sample, scale = _sample_rows(simple)
        if i < last and scale > 1:
            predicted = len(_encode(build(sample), params)) * scale
            if predicted > 0.9 * MAX_MASK_BYTES:
                continue
        png = _encode(build(simple), params)
        if len(png) < MAX_MASK_BYTES:
            return png
    raise MaskError("The mask is too detailed to send (over 4 MB); use a simpler mask.")


def _as_grey(m: np.ndarray) -> np.ndarray:
    return m


def _as_bgra(m: np.ndarray) -> np.ndarray:
    # Colour stays black; only alpha carries the mask. B, G, R and A are in the same place
    # for OpenCV's BGRA as for RGBA when the colour is black.
    out = np.zeros((*m.shape, 4), dtype=np.uint8)
    np.subtract(255, m, out=out[..., 3])
    return out


def to_white_on_black_png(m: np.ndarray) -> bytes:
    """Greyscale PNG (mode L, no alpha): white = edit, grey = partial. 1min.ai inpainters."""
    _check(m)
    return _png_under_limit(m, _as_grey)


def to_alpha_png(m: np.ndarray) -> bytes:
    """RGBA PNG, black colour, alpha = 255 - m: fully transparent exactly where m == 255.

    OpenAI /v1/images/edits and Segmind. Partial strengths become partial alpha (OpenAI leaves
    their effect unspecified; fully transparent is the only documented "edit").
    """
    _check(m)
    return _png_under_limit(m, _as_bgra)
