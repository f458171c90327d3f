"""Mask conversion cost against a bare PNG round trip. Run: .venv/bin/python bench/bench_masks.py

Builds a 4096x4096 brush-like mask (thick anti-aliased strokes, soft edges), stores it as a
white-on-black PNG, then times (median of several runs):
  floor         Pillow decode + Pillow encode (default settings) of that PNG
  white-on-black load_mask + to_white_on_black_png
  alpha         load_mask + to_alpha_png
Target: each conversion at most ~1.5x the floor. No Django needed.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from editor.engine import masks

SIZE = 4096
RUNS = 7


def brush_mask(size: int = SIZE, strokes: int = 40, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = np.zeros((size, size), np.uint8)
    for _ in range(strokes):
        pts = rng.integers(0, size, (int(rng.integers(2, 6)), 2)).astype(np.int32)
        width = int(rng.integers(20, 200))
        cv2.polylines(m, [pts], False, 255, width, cv2.LINE_AA)
    return cv2.GaussianBlur(m, (0, 0), 6)  # soft brush edge


def median_seconds(fn: Callable[[], object], runs: int = RUNS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    m = brush_mask()
    buf = io.BytesIO()
    Image.fromarray(m, "L").save(buf, "PNG")
    src = buf.getvalue()
    grey = float(((m > 0) & (m < 255)).mean())

    def floor() -> bytes:
        img = Image.open(io.BytesIO(src))
        img.load()
        out = io.BytesIO()
        img.save(out, "PNG")
        return out.getvalue()

    def white() -> bytes:
        return masks.to_white_on_black_png(masks.load_mask(src, (SIZE, SIZE)))

    def alpha() -> bytes:
        return masks.to_alpha_png(masks.load_mask(src, (SIZE, SIZE)))

    loaded = masks.load_mask(src, (SIZE, SIZE))
    assert np.array_equal(loaded, m)
    assert np.array_equal(masks.load_mask(white(), (SIZE, SIZE)), m)
    assert np.array_equal(masks.load_mask(alpha(), (SIZE, SIZE)), m)

    base = median_seconds(floor)
    rows = [
        ("floor (Pillow decode+encode)", base, len(floor())),
        ("load_mask + to_white_on_black_png", median_seconds(white), len(white())),
        ("load_mask + to_alpha_png", median_seconds(alpha), len(alpha())),
        ("load_mask alone", median_seconds(lambda: masks.load_mask(src, (SIZE, SIZE))), 0),
    ]
    print(f"{SIZE}x{SIZE} brush mask, {grey:.1%} grey pixels, median of {RUNS} runs")
    print(f"{'step':<36}{'ms':>9}{'x floor':>10}{'bytes':>12}")
    for name, seconds, size in rows:
        print(f"{name:<36}{seconds * 1000:>9.1f}{seconds / base:>10.2f}{size or '':>12}")


if __name__ == "__main__":
    main()
