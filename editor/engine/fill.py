"""Fill a masked area of an image from the rest of it, on this machine, without a model.

PatchMatch (Barnes et al. 2009, the pypatchmatch wheel) copies patches of real texture from
the known part of the image into the hole, so grass stays grass and a wall keeps its grain.
OpenCV's Telea and Navier-Stokes diffuse colour in from the hole's edge: right for thin
scratches and specks, a flat smear on anything larger (bench/bench_local.py measures both).

The fill is computed on a copy at most WORK_SIDE px on the long side and WORK_PIXELS in area
(PatchMatch's time grows with both), scaled back and pasted into the full-resolution image
inside the hole only: every pixel outside the hole is bit-identical to the input.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import patchmatch

METHODS = ("patchmatch", "telea", "navier-stokes")
WORK_SIDE = 1536
# 1536x1024 would be 1.57 MP; ~1.05 MP keeps a large hole in such a photo within a few seconds
# of CPU while losing little texture (the paste-back scales it up by 1.2x at most for 3:2).
WORK_PIXELS = 1024 * 1024
# PatchMatch is randomised; a fixed seed makes the same input give the same output. The
# library re-seeds a per-thread generator from it at the start of every fill.
SEED = 1212
# Patch radius 3 (7x7 patches): the library's examples use it, and on the benchmark it keeps
# texture (gradient ratio ~0.9) at a third of the time of larger patches.
PATCH_RADIUS = 3
# The surroundings PatchMatch fills a hole from: this share of the hole's width (height) on each
# side, and never less than MIN_CONTEXT px (a small hole still gets a varied neighbourhood).
CONTEXT = 0.5
MIN_CONTEXT = 96
_CV_FLAGS = {"telea": cv2.INPAINT_TELEA, "navier-stokes": cv2.INPAINT_NS}


class FillError(ValueError):
    """The input cannot be filled; `message` says why in words a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def work_size(width: int, height: int) -> tuple[int, int]:
    """The (width, height) the fill is computed at for an image of this size."""
    scale = min(1.0, WORK_SIDE / max(width, height), math.sqrt(WORK_PIXELS / (width * height)))
    if scale >= 1.0:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def fill(
    pixels: np.ndarray, hole: np.ndarray, method: str = "patchmatch", *, radius: int = 5
) -> np.ndarray:
    """`pixels` (HxWx3 RGB or HxWx4 RGBA, uint8) with the `hole` (HxW, non-zero = fill) filled.

    `radius` is the neighbourhood of the OpenCV methods; PatchMatch ignores it. Raises
    FillError for an unknown method, a hole of another size, an empty hole or one with no
    known pixel left to fill from.
    """
    if method not in METHODS:
        raise FillError(f"Unknown fill method {method!r}; use one of {', '.join(METHODS)}.")
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise FillError("The image must be 8-bit RGB or RGBA.")
    h, w = pixels.shape[:2]
    if hole.shape != (h, w):
        raise FillError(f"The mask is {hole.shape[1]}x{hole.shape[0]} but the image is {w}x{h}.")
    full_hole = hole != 0
    if not full_hole.any():
        raise FillError("The mask is empty: paint the area to fill.")
    if full_hole.all():
        raise FillError("The mask covers the whole image: leave some of it to fill from.")

    size = work_size(w, h)
    small, small_hole = pixels, full_hole.astype(np.uint8) * 255
    if size != (w, h):
        small = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
        # Any work pixel that touches the hole is hole: a blend of hole and known colour
        # counted as known would let the removed object leak back in from the edge.
        small_hole = cv2.resize(small_hole, size, interpolation=cv2.INTER_AREA)
        small_hole = np.where(small_hole > 0, 255, 0).astype(np.uint8)
        if small_hole.all():
            raise FillError("The mask leaves too little of the image to fill from.")

    filled = np.empty_like(small)
    filled[..., :3] = _fill_colour(np.ascontiguousarray(small[..., :3]), small_hole, method, radius)
    if small.shape[2] == 4:
        # Transparency has no texture to copy; a smooth fill of the alpha is what one expects.
        alpha = np.ascontiguousarray(small[..., 3])
        filled[..., 3] = cv2.inpaint(alpha, small_hole, radius, cv2.INPAINT_TELEA)

    if size != (w, h):
        filled = cv2.resize(filled, (w, h), interpolation=cv2.INTER_CUBIC)
    out = pixels.copy()
    out[full_hole] = filled[full_hole]
    return out


def _fill_colour(rgb: np.ndarray, hole: np.ndarray, method: str, radius: int) -> np.ndarray:
    if method != "patchmatch":
        return cv2.inpaint(rgb, hole, radius, _CV_FLAGS[method])
    # PatchMatch's time grows with the whole picture it searches, but the patches that fit a
    # hole are mostly found around it: it runs on the hole's surroundings (CONTEXT times the
    # hole's size on each side, at least MIN_CONTEXT px) when those are clearly smaller.
    top, bottom, left, right = _surroundings(hole)
    out = rgb.copy()
    patchmatch.set_random_seed(SEED)
    region = (slice(top, bottom), slice(left, right))
    out[region] = patchmatch.inpaint(
        np.ascontiguousarray(rgb[region]),
        np.ascontiguousarray(hole[region]),
        patch_size=PATCH_RADIUS,
    )
    return out


def _surroundings(hole: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the part of the picture PatchMatch searches for `hole`."""
    h, w = hole.shape
    x, y, bw, bh = cv2.boundingRect(hole)
    margin_x = max(MIN_CONTEXT, round(CONTEXT * bw))
    margin_y = max(MIN_CONTEXT, round(CONTEXT * bh))
    top, bottom = max(0, y - margin_y), min(h, y + bh + margin_y)
    left, right = max(0, x - margin_x), min(w, x + bw + margin_x)
    if (bottom - top) * (right - left) > 0.8 * h * w:
        return 0, h, 0, w
    return top, bottom, left, right
