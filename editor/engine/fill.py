"""Fill a masked area of an image from the rest of it, on this machine, without a model.

PatchMatch (Barnes et al. 2009, the pypatchmatch wheel) copies patches of real texture from
the known part of the image into the hole, so grass stays grass and a wall keeps its grain.
OpenCV's Telea and Navier-Stokes diffuse colour in from the hole's edge: right for thin
scratches and specks, a flat smear on anything larger (bench/bench_local.py measures both).

PatchMatch's time grows with the picture it searches, so each hole is filled from its own
surroundings (a region), regions that would mostly overlap are searched as one, and the regions
run side by side, one per core. The searched pixels are capped at WORK_PIXELS in all (a small
hole is filled at full resolution, a large spread one from a scaled copy), scaled back and
pasted inside the hole only: every pixel outside the hole is bit-identical to the input. The
OpenCV fills cost little and run at full resolution.
"""

from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass

import cv2
import numpy as np
import patchmatch

METHODS = ("patchmatch", "telea", "navier-stokes")
WORK_SIDE = 1536
# The pixels PatchMatch searches, over all regions. On bench_local's photos a fill searched at
# ~0.4 MP scores as well as one at 1 MP (GMSD and texture within noise) at ~60 % of the CPU.
WORK_PIXELS = 640 * 640
# PatchMatch is randomised; a fixed seed makes the same input give the same output. The
# library re-seeds a per-thread generator from it at the start of every fill.
SEED = 1212
# Patch radius 3 (7x7 patches): the library's examples use it, and on the benchmark it keeps
# texture (gradient ratio ~0.7-0.8) where radius 2 saves only ~15 % of the time.
PATCH_RADIUS = 3
# A hole's surroundings: this share of its width (height) on each side, and never less than
# MIN_CONTEXT px (a small hole still gets a varied neighbourhood).
CONTEXT = 0.5
MIN_CONTEXT = 96
# Two regions whose common box is at most this much larger than the larger of them are one.
NESTED = 1.05
# More separate holes than this (specks, a sprayed mask) are searched as one picture.
MAX_REGIONS = 24
_CV_FLAGS = {"telea": cv2.INPAINT_TELEA, "navier-stokes": cv2.INPAINT_NS}


class FillError(ValueError):
    """The input cannot be filled; `message` says why in words a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Region:
    """A box of the picture (top, bottom, left, right) and the hole labels filled from it."""

    top: int
    bottom: int
    left: int
    right: int
    labels: tuple[int, ...]

    @property
    def area(self) -> int:
        return (self.bottom - self.top) * (self.right - self.left)

    def joined(self, other: Region) -> Region:
        return Region(
            min(self.top, other.top),
            max(self.bottom, other.bottom),
            min(self.left, other.left),
            max(self.right, other.right),
            self.labels + other.labels,
        )


@dataclass(frozen=True)
class Plan:
    """How a PatchMatch fill runs: the regions searched and the scale they are searched at."""

    regions: tuple[Region, ...]
    scale: float
    labels: np.ndarray  # HxW int32: 0 outside the hole, else the hole's connected part

    def work_size(self, width: int, height: int) -> tuple[int, int]:
        """The image's size at the scale the fill works at."""
        return max(1, round(width * self.scale)), max(1, round(height * self.scale))


def plan(hole: np.ndarray) -> Plan:
    """Where and at what scale PatchMatch fills `hole` (HxW, non-zero = fill)."""
    h, w = hole.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (hole != 0).astype(np.uint8), connectivity=8, ltype=cv2.CV_32S
    )
    whole = Region(0, h, 0, w, tuple(range(1, count)))
    regions = [_surroundings(stats[i], i, h, w) for i in range(1, count)]
    if len(regions) > 4 * MAX_REGIONS:
        regions = [whole]
    regions = _join_overlapping(regions)
    # Regions run side by side, so what counts is the longest any core searches: the largest
    # region, or their sum shared between the cores. Searching somewhat more in all is worth
    # a fill that finishes sooner; not when it saves little.
    spread = max(max(r.area for r in regions), sum(r.area for r in regions) / cores())
    if len(regions) > MAX_REGIONS or spread > 0.8 * h * w:
        regions = [whole]
    searched = sum(r.area for r in regions)
    longest = max(max(r.bottom - r.top, r.right - r.left) for r in regions)
    scale = min(1.0, math.sqrt(WORK_PIXELS / searched), WORK_SIDE / longest)
    return Plan(tuple(sorted(regions, key=lambda r: -r.area)), scale, labels)


def _surroundings(stat: np.ndarray, label: int, h: int, w: int) -> Region:
    x, y, bw, bh = (int(v) for v in stat[:4])
    margin_x = max(MIN_CONTEXT, round(CONTEXT * bw))
    margin_y = max(MIN_CONTEXT, round(CONTEXT * bh))
    return Region(
        max(0, y - margin_y),
        min(h, y + bh + margin_y),
        max(0, x - margin_x),
        min(w, x + bw + margin_x),
        (label,),
    )


def _join_overlapping(regions: list[Region]) -> list[Region]:
    """Join two regions whose boxes mostly cover each other (specks side by side): searched
    apart, they would search the same pixels twice. Holes further apart stay apart: most of a
    search's time goes on the hole's own pixels, and apart they run side by side."""
    regions = list(regions)
    joined = True
    while joined:
        joined = False
        for i in range(len(regions)):
            for j in range(i + 1, len(regions)):
                union = regions[i].joined(regions[j])
                if union.area <= NESTED * max(regions[i].area, regions[j].area):
                    regions[i] = union
                    del regions[j]
                    joined = True
                    break
            if joined:
                break
    return regions


def fill(
    pixels: np.ndarray,
    hole: np.ndarray,
    method: str = "patchmatch",
    *,
    radius: int = 5,
    slots: threading.Semaphore | None = None,
    fill_plan: Plan | None = None,
) -> np.ndarray:
    """`pixels` (HxWx3 RGB or HxWx4 RGBA, uint8) with the `hole` (HxW, non-zero = fill) filled.

    `radius` is the neighbourhood of the OpenCV methods; PatchMatch ignores it. PatchMatch's
    regions run side by side, each holding one of `slots` (shared by every fill in the
    process, so there is one search per core) while it runs. Raises FillError for an unknown
    method, a hole of another size, an empty hole or one with no known pixel left to fill from.
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

    seat = slots if slots is not None else nullcontext()
    out = pixels.copy()
    if method != "patchmatch":
        with seat:
            _fill_region(out, pixels, full_hole, np.zeros_like(full_hole), 1.0, method, radius)
        return out
    fill_plan = fill_plan or plan(full_hole)
    patchmatch.set_random_seed(SEED)

    def run(region: Region) -> None:
        box = (slice(region.top, region.bottom), slice(region.left, region.right))
        labels = fill_plan.labels[box]
        own = np.isin(labels, region.labels)
        with seat:
            _fill_region(out[box], pixels[box], own, (labels != 0) & ~own, fill_plan.scale, method)

    regions = fill_plan.regions
    if len(regions) == 1:
        run(regions[0])
    else:
        with ThreadPoolExecutor(min(len(regions), cores())) as pool:
            list(pool.map(run, regions))  # list(): raises the first region's error here
    return out


def _fill_region(
    out: np.ndarray,
    pixels: np.ndarray,
    own: np.ndarray,
    others: np.ndarray,
    scale: float,
    method: str,
    radius: int = 5,
) -> None:
    """Fill `own` (bool) in `out` from `pixels`, searching neither it nor `others` (holes
    another region fills), at `scale`."""
    h, w = own.shape
    small = pixels
    small_own = own.astype(np.uint8) * 255
    small_others = others.astype(np.uint8) * 255
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size != (w, h):
        small = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
        # Any work pixel that touches a hole is hole: a blend of hole and known colour counted
        # as known would let the removed object leak back in from the edge.
        small_own = _touching(small_own, size)
        small_others = _touching(small_others, size) & ~small_own
    if (small_own | small_others).all():
        raise FillError("The mask leaves too little of the image to fill from.")

    filled = np.empty_like(small)
    rgb = np.ascontiguousarray(small[..., :3])
    if method == "patchmatch":
        filled[..., :3] = patchmatch.inpaint(
            rgb,
            small_own,
            global_mask=small_others if small_others.any() else None,
            patch_size=PATCH_RADIUS,
        )
    else:
        filled[..., :3] = cv2.inpaint(rgb, small_own, radius, _CV_FLAGS[method])
    if small.shape[2] == 4:
        # Transparency has no texture to copy; a smooth fill of the alpha is what one expects.
        alpha = np.ascontiguousarray(small[..., 3])
        filled[..., 3] = cv2.inpaint(alpha, small_own, radius, cv2.INPAINT_TELEA)
    if size != (w, h):
        filled = cv2.resize(filled, (w, h), interpolation=cv2.INTER_CUBIC)
    out[own] = filled[own]


def _touching(hole: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    small = cv2.resize(hole, size, interpolation=cv2.INTER_AREA)
    return np.where(small > 0, 255, 0).astype(np.uint8)


def cores() -> int:
    """The cores this process may run on (a container's affinity, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
