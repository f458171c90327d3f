"""Smart selection: snap a rough mask to the object's edge, magic wand, box select. Pure OpenCV.

Every function takes the image as an H x W x 3 uint8 RGB array and answers a canonical mask
(H x W uint8, 255 = selected, 0 = not; a one-pixel ramp where an upscaled edge is smoothed).
Combining a result with the mask already painted (add, subtract) is the caller's job.

GrabCut's cost grows with the pixels it sees, so refine and box crop to the area that can
change and shrink that crop to a pixel budget; the answer is upscaled to full size.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from core.errors import UserFacingError

# The largest image any selection accepts (wand cost is linear in pixels; GrabCut works on a
# shrunken copy, but decoding and upscaling are not free either).
MAX_PIXELS = 4096 * 4096
# Pixels GrabCut may see per run (~0.15 s for 4 iterations here; bench/bench_select.py).
REFINE_BUDGET = 100_000
BOX_BUDGET = 90_000
ITERATIONS = 4
# Band half-width bounds (px at full size) around the painted edge.
MIN_BAND, MAX_BAND = 4, 400
# The smallest image a selection runs on: the box select's own minimum (nothing smaller has an
# object to select, and OpenCV's element-wise ops read a 1x1 array as a scalar).
MIN_SIDE = 8
MAX_TOLERANCE = 100
# Twice as steep as bilinear around half strength: a crisp edge, and no staircase.
_STEEPEN = np.clip((np.arange(256) - 127.5) * 2 + 127.5, 0, 255).round().astype(np.uint8)
_NOTHING_STANDS_OUT = (
    "Nothing in the box stands out from its surroundings; draw the box closer around the object."
)
# Fewer pixels than this on either side and GrabCut's colour models cannot be learnt.
_MIN_SAMPLES = 64


class SelectionError(UserFacingError, ValueError):
    """A selection we cannot make. `field` names the input at fault ("image", "mask", "point",
    "tolerance", "box"); `message` says the fix."""


def _check_image(image: np.ndarray) -> tuple[int, int]:
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"an image is an H x W x 3 uint8 array, got {image.dtype} {image.shape}")
    h, w = image.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise SelectionError(
            "image",
            f"The image is {w}x{h} pixels; selection works on images at least "
            f"{MIN_SIDE}x{MIN_SIDE} pixels.",
        )
    if h * w > MAX_PIXELS:
        raise SelectionError(
            "image",
            f"The image is {w}x{h} pixels; selection works on images up to "
            f"{MAX_PIXELS / 1e6:.1f} megapixels. Use a smaller copy.",
        )
    return h, w


def coverage(mask: np.ndarray) -> float:
    """The share of the image selected, 0..1 (partial strength counts in part)."""
    return float(mask.mean() / 255.0) if mask.size else 0.0


def _disc(px: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))


def _crop(x0: int, y0: int, x1: int, y1: int, w: int, h: int, margin: int) -> tuple[int, ...]:
    return max(0, x0 - margin), max(0, y0 - margin), min(w, x1 + margin), min(h, y1 + margin)


def _scale_for(pixels: int, budget: int) -> float:
    return min(1.0, math.sqrt(budget / max(1, pixels)))


def _shrink(a: np.ndarray, scale: float, interp: int) -> np.ndarray:
    if scale >= 1.0:
        return a
    h, w = a.shape[:2]
    return cv2.resize(a, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=interp)


def _grabcut(image: np.ndarray, labels: np.ndarray, iterations: int) -> np.ndarray:
    """Run GrabCut from per-pixel labels (cv2.GC_*); 255 where it decides foreground."""
    fg = np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD))
    if fg.sum() < _MIN_SAMPLES or (~fg).sum() < _MIN_SAMPLES:
        return np.where(fg, np.uint8(255), np.uint8(0))
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    # GrabCut models colour in BGR; the channel order only permutes its Gaussians.
    cv2.setRNGSeed(0)  # k-means initialisation: the same input always gives the same mask
    cv2.grabCut(image, labels, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    return np.where(np.isin(labels, (cv2.GC_FGD, cv2.GC_PR_FGD)), np.uint8(255), np.uint8(0))


def _upscale(small: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Back to (w, h) with a smooth one-pixel edge instead of blocky steps."""
    if small.shape[::-1] == size:
        return small
    up = cv2.resize(small, size, interpolation=cv2.INTER_LINEAR)
    return cv2.LUT(up, _STEEPEN)


def _band_labels(mask: np.ndarray, band: int) -> np.ndarray:
    """Sure foreground deep inside, sure background far outside, "probably" within `band`."""
    inside = mask > 127
    labels = np.full(mask.shape, cv2.GC_PR_BGD, np.uint8)
    labels[inside] = cv2.GC_PR_FGD
    outer = cv2.dilate(inside.view(np.uint8), _disc(band)) == 0
    inner = cv2.erode(inside.view(np.uint8), _disc(band), borderValue=0) > 0
    labels[outer] = cv2.GC_BGD
    labels[inner] = cv2.GC_FGD
    return labels


def refine(image: np.ndarray, mask: np.ndarray, band: int) -> np.ndarray:
    """Snap `mask` to the object edges within `band` px of its own edge (GrabCut in that band).

    Pixels further than `band` from the painted edge keep their side. The work runs on the
    mask's bounding box plus the band, shrunk to REFINE_BUDGET pixels, and is upscaled.
    """
    h, w = _check_image(image)
    if mask.shape != (h, w) or mask.dtype != np.uint8:
        raise ValueError(f"the mask must be a {h}x{w} uint8 array, got {mask.dtype} {mask.shape}")
    inside = mask > 127
    if not inside.any():
        raise SelectionError("mask", "The mask is empty: paint roughly over the object first.")
    if inside.all():
        raise SelectionError(
            "mask", "The mask covers the whole image: there is no edge to snap to."
        )
    band = min(MAX_BAND, max(MIN_BAND, int(band)))
    ys, xs = np.nonzero(inside)
    x0, y0, x1, y1 = _crop(xs.min(), ys.min(), xs.max() + 1, ys.max() + 1, w, h, 2 * band)
    crop_img, crop_mask = image[y0:y1, x0:x1], mask[y0:y1, x0:x1]
    scale = _scale_for(crop_img.shape[0] * crop_img.shape[1], REFINE_BUDGET)
    small_img = _shrink(crop_img, scale, cv2.INTER_AREA)
    small_mask = _shrink(crop_mask, scale, cv2.INTER_AREA)
    labels = _band_labels(small_mask, max(2, round(band * scale)))
    cut = _grabcut(small_img, labels, ITERATIONS)
    out = np.zeros((h, w), np.uint8)
    out[y0:y1, x0:x1] = _upscale(cut, (x1 - x0, y1 - y0))
    return out


def box(image: np.ndarray, rect: tuple[int, int, int, int]) -> np.ndarray:
    """Select the object inside `rect` (x0, y0, x1, y1; x1, y1 exclusive) with GrabCut.

    First a coarse cut from the bare rectangle on a small copy, then `refine` of that cut in a
    narrow band at up to full size. Nothing outside the rectangle is ever selected.
    """
    h, w = _check_image(image)
    x0, y0, x1, y1 = _check_box(rect, w, h)
    margin = max(8, (x1 - x0 + y1 - y0) // 10)
    cx0, cy0, cx1, cy1 = _crop(x0, y0, x1, y1, w, h, margin)
    crop_img = image[cy0:cy1, cx0:cx1]
    scale = _scale_for(crop_img.shape[0] * crop_img.shape[1], BOX_BUDGET)
    small_img = _shrink(crop_img, scale, cv2.INTER_AREA)
    sh, sw = small_img.shape[:2]
    labels = np.full((sh, sw), cv2.GC_BGD, np.uint8)
    rx0, ry0 = math.floor((x0 - cx0) * scale), math.floor((y0 - cy0) * scale)
    rx1, ry1 = math.ceil((x1 - cx0) * scale), math.ceil((y1 - cy0) * scale)
    labels[ry0:ry1, rx0:rx1] = cv2.GC_PR_FGD
    coarse = np.zeros((h, w), np.uint8)
    coarse[cy0:cy1, cx0:cx1] = _upscale(
        _grabcut(small_img, labels, ITERATIONS + 1), crop_img.shape[1::-1]
    )
    inside_box = np.zeros((h, w), bool)
    inside_box[y0:y1, x0:x1] = True
    coarse[~inside_box] = 0
    if (coarse > 127).sum() < _MIN_SAMPLES:
        raise SelectionError("box", _NOTHING_STANDS_OUT)
    out = refine(image, coarse, max(MIN_BAND, math.ceil(3 / scale)))
    out[~inside_box] = 0
    if not (out > 127).any():
        raise SelectionError("box", _NOTHING_STANDS_OUT)
    return out


def _check_box(rect: tuple[int, int, int, int], w: int, h: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = (int(v) for v in rect)
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
        raise SelectionError(
            "box",
            f"The box must enclose at least {MIN_SIDE}x{MIN_SIDE} pixels of the {w}x{h} image.",
        )
    if (x1 - x0) * (y1 - y0) >= 0.98 * w * h:
        raise SelectionError(
            "box",
            "The box covers the whole image: draw it around one object, leaving some background.",
        )
    return x0, y0, x1, y1


def _lab_distance2(image: np.ndarray, x: int, y: int) -> np.ndarray:
    """Squared CIE76 delta E of every pixel from pixel (x, y), as float32.

    OpenCV's 8-bit Lab conversion is a lookup table (~5 ms for 1.5 MP) with L scaled to
    0..255; weighting the squared L difference by (100/255)^2 gives delta E within 1 of the
    float conversion, far below any useful tolerance. OpenCV's element-wise ops keep the whole
    wand near 10 ms where NumPy temporaries took 60.
    """
    colours = cv2.cvtColor(image, cv2.COLOR_RGB2Lab).astype(np.float32)
    seed = (*(float(v) for v in colours[y, x]), 0.0)
    diff = cv2.subtract(colours, seed)
    weights = np.array([[(100.0 / 255.0) ** 2, 1.0, 1.0]], np.float32)
    return cv2.transform(cv2.multiply(diff, diff), weights)


def wand(image: np.ndarray, point: tuple[int, int], tolerance: float) -> np.ndarray:
    """Flood fill from `point` (x, y) over pixels whose colour is within `tolerance` delta E
    (CIE76, 0..100) of the clicked pixel's; only pixels connected to the click are selected."""
    h, w = _check_image(image)
    x, y = (int(v) for v in point)
    if not (0 <= x < w and 0 <= y < h):
        raise SelectionError("point", f"The point ({x}, {y}) is outside the {w}x{h} image.")
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise SelectionError("tolerance", f"The tolerance must be 0..{MAX_TOLERANCE}.")
    dist2 = _lab_distance2(image, x, y)
    near = cv2.compare(dist2, float(tolerance) ** 2 + 1e-3, cv2.CMP_LE)
    # floodFill marks the connected region in its own (h+2, w+2) mask.
    region = np.zeros((h + 2, w + 2), np.uint8)
    cv2.floodFill(near, region, (x, y), 0, 0, 0, 4 | cv2.FLOODFILL_MASK_ONLY | (255 << 8))
    return np.ascontiguousarray(region[1:-1, 1:-1])
