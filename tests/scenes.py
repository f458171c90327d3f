"""Synthetic scenes with known object masks, for the selection tests and bench/bench_select.py.

Pure NumPy/OpenCV, no Django. Each scene is a textured background (a smooth colour field, grain
and a few clutter shapes) with one object on it whose true mask is known exactly, plus a "rough
brush" mask: the object painted the way a hurried hand does, its edge wandering up to `slack`
pixels in and out of the true one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Scene:
    image: np.ndarray  # H x W x 3 uint8 RGB
    truth: np.ndarray  # H x W uint8, 255 = the object
    rough: np.ndarray  # H x W uint8, 255 = a hurried brush over the object
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 around the object with a little air
    inside: tuple[int, int]  # a point well inside the object
    brush: int  # the brush size (px) that painted `rough`
    textured: bool


def _smooth_field(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Values in [-1, 1] varying smoothly over about `cells` cells across the image."""
    small = rng.uniform(-1, 1, (cells, max(2, cells * w // h))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(-1, 1)


def _blob(rng: np.random.Generator, h: int, w: int, radius: float) -> np.ndarray:
    """A random star-convex shape: a circle whose radius wobbles with a few harmonics."""
    cx = rng.uniform(radius * 1.3, w - radius * 1.3)
    cy = rng.uniform(radius * 1.3, h - radius * 1.3)
    angles = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    r = np.full_like(angles, radius)
    for k in range(2, 6):
        r += radius * rng.uniform(0, 0.18 / k * 2) * np.cos(k * angles + rng.uniform(0, 2 * np.pi))
    pts = np.stack([cx + r * np.cos(angles), cy + r * np.sin(angles)], axis=1)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(pts * 16).astype(np.int32)], 255, cv2.LINE_8, shift=4)
    return mask


def _rough(rng: np.random.Generator, truth: np.ndarray, slack: int) -> np.ndarray:
    """The true mask with its edge pushed in and out by a smooth random field of +-slack px,
    leaning outwards: a hurried hand paints over the edge more often than short of it."""
    h, w = truth.shape
    inside = cv2.distanceTransform((truth > 0).view(np.uint8), cv2.DIST_L2, 5)
    outside = cv2.distanceTransform((truth == 0).view(np.uint8), cv2.DIST_L2, 5)
    signed = inside - outside
    wobble = (_smooth_field(rng, h, w, 12) - 0.3) * slack
    return np.where(signed > wobble, np.uint8(255), np.uint8(0))


def make_scene(
    seed: int,
    *,
    size: tuple[int, int] = (1536, 1024),
    textured: bool = False,
    slack: int = 32,
) -> Scene:
    """One scene of `size` (w, h); the same seed always gives the same scene."""
    rng = np.random.default_rng(seed)
    w, h = size
    base = rng.uniform(60, 190, 3)
    field = np.stack([_smooth_field(rng, h, w, 4) for _ in range(3)], axis=2)
    image = base + 40 * field + rng.normal(0, 6, (h, w, 3))
    for _ in range(6):  # clutter: background shapes that are not the object
        clutter = _blob(rng, h, w, rng.uniform(40, 120)) > 0
        image[clutter] = image[clutter] * 0.5 + rng.uniform(40, 210, 3) * 0.5
    truth = _blob(rng, h, w, min(w, h) * rng.uniform(0.1, 0.22))
    # The object's colour stands well apart from the background's mean.
    colour = np.where(base > 125, base - rng.uniform(70, 110, 3), base + rng.uniform(70, 110, 3))
    obj = truth > 0
    if textured:
        stripes = np.sin(
            np.arange(w)[None, :] / rng.uniform(4, 9) + _smooth_field(rng, h, w, 6) * 4
        )
        pattern = colour + 35 * stripes[..., None] + rng.normal(0, 10, (h, w, 3))
        image[obj] = pattern[obj]
    else:
        image[obj] = colour + rng.normal(0, 2, (int(obj.sum()), 3))
    image = np.clip(image, 0, 255).astype(np.uint8)
    # Anti-aliased edge, as a real photo or a drawn shape has.
    soft = cv2.GaussianBlur(image, (3, 3), 0)
    edge = cv2.morphologyEx(truth, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    image[edge] = soft[edge]
    ys, xs = np.nonzero(truth)
    air = 12
    box = (
        max(0, int(xs.min()) - air),
        max(0, int(ys.min()) - air),
        min(w, int(xs.max()) + 1 + air),
        min(h, int(ys.max()) + 1 + air),
    )
    # The innermost point of the object: a click there is a click on the object.
    dist = cv2.distanceTransform(obj.view(np.uint8), cv2.DIST_L2, 5)
    iy, ix = np.unravel_index(int(np.argmax(dist)), dist.shape)
    return Scene(
        image=image,
        truth=truth,
        rough=_rough(rng, truth, slack),
        box=box,
        inside=(int(ix), int(iy)),
        brush=2 * slack,
        textured=textured,
    )


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two masks, each thresholded at half strength."""
    a, b = a > 127, b > 127
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0
