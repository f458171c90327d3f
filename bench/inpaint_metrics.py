"""Ground truth for bench_local.py: test images, hole masks of a given coverage, and the quality
metrics measured inside the hole (PSNR, SSIM, GMSD and the texture ratio).

The photos are the ones scikit-image's wheel ships (a development dependency): read straight from
its data folder, so nothing is downloaded. Two synthetic scenes add regular structure.
"""

from __future__ import annotations

from importlib.resources import files

import cv2
import numpy as np
from PIL import Image

# Real photos and photographed textures shipped inside the scikit-image wheel.
PHOTOS = (
    "astronaut.png",
    "chelsea.png",
    "coffee.png",
    "rocket.jpg",
    "motorcycle_left.png",
    "brick.png",
    "grass.png",
    "gravel.png",
)
SYNTHETIC = ("tiles", "stripes")
HOLES = {"small": 0.02, "medium": 0.08, "large": 0.20}


def photo(name: str) -> np.ndarray:
    """An RGB uint8 array of one of scikit-image's bundled images (grey ones made RGB)."""
    with Image.open(files("skimage") / "data" / name) as img:
        return np.asarray(img.convert("RGB"))


def synthetic(name: str, side: int) -> np.ndarray:
    """A square scene with regular structure: brick-like tiles, or stripes over a gradient."""
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:side, 0:side].astype(np.float32)
    if name == "tiles":
        row = (y // 48).astype(int)
        shifted = x + (row % 2) * 48
        mortar = ((y % 48) < 5) | ((shifted % 96) < 5)
        base = np.stack([150 + 30 * np.sin(row * 1.7), 70 + 0 * x, 50 + 0 * x], axis=-1)
        img = np.where(mortar[..., None], 205.0, base)
    else:
        wave = 0.5 + 0.5 * np.sin((x * 0.8 + y * 0.6) / 6.0)
        img = np.stack([40 + 150 * wave + x / side * 50, 80 + 60 * wave, 170 - 90 * wave], axis=-1)
    img = img + rng.normal(0, 6, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def square(img: np.ndarray, side: int) -> np.ndarray:
    """Centre-crop to a square and resize to side x side."""
    h, w = img.shape[:2]
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    crop = img[top : top + s, left : left + s]
    interp = cv2.INTER_AREA if s > side else cv2.INTER_CUBIC
    return cv2.resize(crop, (side, side), interpolation=interp)


def bench_images(side: int, count: int) -> list[tuple[str, np.ndarray]]:
    names = [*PHOTOS, *SYNTHETIC][:count]
    return [
        (n.split(".")[0], synthetic(n, side) if n in SYNTHETIC else square(photo(n), side))
        for n in names
    ]


def hole_mask(width: int, height: int, coverage: float, seed: int) -> np.ndarray:
    """A bool mask of about `coverage` of the image, shaped like what people paint to remove
    things: a few blobs and thick brush strokes, away from the border."""
    rng = np.random.default_rng(seed)
    mask = np.zeros((height, width), np.uint8)
    scale = np.sqrt(coverage * width * height)
    margin = int(0.08 * min(width, height))
    while mask.mean() / 255 < coverage:
        cx = int(rng.integers(margin, width - margin))
        cy = int(rng.integers(margin, height - margin))
        if rng.random() < 0.6:
            axes = (int(scale * rng.uniform(0.2, 0.4)), int(scale * rng.uniform(0.2, 0.4)))
            cv2.ellipse(mask, (cx, cy), axes, float(rng.uniform(0, 180)), 0, 360, 255, -1)
        else:
            points = [(cx, cy)]
            for _ in range(3):
                step = scale * 0.4
                px = np.clip(points[-1][0] + rng.normal(0, step), margin, width - margin)
                py = np.clip(points[-1][1] + rng.normal(0, step), margin, height - margin)
                points.append((int(px), int(py)))
            thickness = max(3, int(scale * rng.uniform(0.06, 0.14)))
            cv2.polylines(mask, [np.array(points, np.int32)], False, 255, thickness)
    return mask > 0


def _grey(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float64)


def psnr(truth: np.ndarray, out: np.ndarray, hole: np.ndarray) -> float:
    diff = truth[hole].astype(np.float64) - out[hole].astype(np.float64)
    mse = float(np.mean(diff**2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def ssim(truth: np.ndarray, out: np.ndarray, hole: np.ndarray) -> float:
    """Mean SSIM (Wang et al. 2004, 11x11 Gaussian window, sigma 1.5) over the hole."""
    a, b = _grey(truth), _grey(out)
    blur = lambda v: cv2.GaussianBlur(v, (11, 11), 1.5)  # noqa: E731
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    ma, mb = blur(a), blur(b)
    va, vb, cov = blur(a * a) - ma * ma, blur(b * b) - mb * mb, blur(a * b) - ma * mb
    ssim_map = ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma**2 + mb**2 + c1) * (va + vb + c2))
    return float(ssim_map[hole].mean())


_PREWITT_X = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], np.float64) / 3.0


def _gradient(grey: np.ndarray) -> np.ndarray:
    gx = cv2.filter2D(grey, -1, _PREWITT_X)
    gy = cv2.filter2D(grey, -1, _PREWITT_X.T)
    return np.hypot(gx, gy)


def gmsd(truth: np.ndarray, out: np.ndarray, hole: np.ndarray) -> float:
    """Gradient magnitude similarity deviation (Xue et al. 2014) over the hole: 2x2 average and
    subsample, Prewitt gradients, c = 170; 0 = same structure, larger = more wrong."""

    def half(img: np.ndarray) -> np.ndarray:
        return cv2.blur(img, (2, 2))[::2, ::2]

    ga, gb = _gradient(half(_grey(truth))), _gradient(half(_grey(out)))
    gms = (2 * ga * gb + 170.0) / (ga**2 + gb**2 + 170.0)
    small_hole = hole[::2, ::2][: gms.shape[0], : gms.shape[1]]
    return float(gms[small_hole].std())


def texture_ratio(truth: np.ndarray, out: np.ndarray, hole: np.ndarray) -> float:
    """Mean gradient magnitude of the fill over that of the truth, inside the hole: 1 = as much
    texture as the original, near 0 = a flat smear, above 1 = busier than the original."""
    return float(_gradient(_grey(out))[hole].mean() / _gradient(_grey(truth))[hole].mean())
