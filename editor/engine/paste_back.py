"""Put a provider's inpainting result back onto the full-resolution original. Pure Pillow/NumPy.

Providers return 1024x1536-style images whatever we send, and may touch pixels outside the
mask (GPT image masks are guidance, not a lock). So the stored result is the original, with
the provider's pixels mapped back to the original's geometry and blended in with weight
mask / 255: wherever mask == 0 the output is bit-identical to the original.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import cv2
import numpy as np
from PIL import Image

Fit = Literal["pad", "crop", "stretch"]


class Box(NamedTuple):
    """Where the scaled image sits inside a letterboxed canvas, in canvas pixels."""

    left: int
    top: int
    width: int
    height: int
    canvas_width: int
    canvas_height: int

    def scaled_to(self, size: tuple[int, int]) -> Box:
        """The same box on a canvas of another size (a provider may answer at another scale)."""
        sx, sy = size[0] / self.canvas_width, size[1] / self.canvas_height
        if (size[0], size[1]) == (self.canvas_width, self.canvas_height):
            return self
        return Box(
            round(self.left * sx),
            round(self.top * sy),
            max(1, round(self.width * sx)),
            max(1, round(self.height * sy)),
            size[0],
            size[1],
        )


def letterbox_box(size: tuple[int, int], target_w: int, target_h: int) -> Box:
    """The box a `size` image occupies when scaled to fit (target_w, target_h) and centred."""
    w, h = size
    scale = min(target_w / w, target_h / h)
    bw, bh = min(target_w, max(1, round(w * scale))), min(target_h, max(1, round(h * scale)))
    return Box((target_w - bw) // 2, (target_h - bh) // 2, bw, bh, target_w, target_h)


def letterbox(
    img: Image.Image, target_w: int, target_h: int, *, fill: tuple[int, ...] | None = None
) -> tuple[Image.Image, Box]:
    """Scale img to fit (target_w, target_h) without distortion and pad the rest.

    Padding is mid-grey for RGB (least likely to be read as content), transparent for RGBA.
    Send the padded image and keep the box; `unletterbox` undoes it on the way back.
    """
    box = letterbox_box(img.size, target_w, target_h)
    if fill is None:
        fill = (0, 0, 0, 0) if img.mode == "RGBA" else (127, 127, 127)
    canvas = Image.new(img.mode, (target_w, target_h), fill)
    scaled = (
        img
        if img.size == (box.width, box.height)
        else img.resize((box.width, box.height), Image.Resampling.LANCZOS)
    )
    canvas.paste(scaled, (box.left, box.top))
    return canvas, box


def letterbox_mask(mask: np.ndarray, target_w: int, target_h: int) -> tuple[np.ndarray, Box]:
    """The mask counterpart of `letterbox`: padding is 0 (keep), so the bars stay untouched."""
    h, w = mask.shape
    box = letterbox_box((w, h), target_w, target_h)
    out = np.zeros((target_h, target_w), dtype=np.uint8)
    interp = cv2.INTER_AREA if box.width < w else cv2.INTER_LINEAR
    scaled = cv2.resize(mask, (box.width, box.height), interpolation=interp)
    out[box.top : box.top + box.height, box.left : box.left + box.width] = scaled
    return out, box


def unletterbox(result: Image.Image, box: Box, original_size: tuple[int, int]) -> Image.Image:
    """Cut the box out of a result (at any scale of the sent canvas), resize to original_size."""
    b = box.scaled_to(result.size)
    cropped = result.crop((b.left, b.top, b.left + b.width, b.top + b.height))
    if cropped.size == tuple(original_size):
        return cropped
    return cropped.resize(tuple(original_size), Image.Resampling.LANCZOS)


def _cover_region(size: tuple[int, int], result_size: tuple[int, int]) -> tuple[int, ...]:
    """The centred part of the original a cover-cropped result shows: (left, top, w, h)."""
    w, h = size
    rw, rh = result_size
    scale = max(rw / w, rh / h)
    cw, ch = min(w, round(rw / scale)), min(h, round(rh / scale))
    return (w - cw) // 2, (h - ch) // 2, cw, ch


def _map_result(
    result: Image.Image, size: tuple[int, int], fit: Fit
) -> tuple[Image.Image, tuple[int, ...]]:
    """The result in the original's geometry and the region (l, t, w, h) it covers."""
    w, h = size
    if fit == "stretch":
        mapped = result if result.size == size else result.resize(size, Image.Resampling.LANCZOS)
        return mapped, (0, 0, w, h)
    if fit == "pad":
        return unletterbox(result, letterbox_box(size, *result.size), size), (0, 0, w, h)
    if fit == "crop":
        left, top, cw, ch = _cover_region(size, result.size)
        return result.resize((cw, ch), Image.Resampling.LANCZOS), (left, top, cw, ch)
    raise ValueError(f"unknown fit {fit!r}")


def paste_back(
    original: Image.Image, result: Image.Image, mask: np.ndarray, *, fit: Fit = "pad"
) -> Image.Image:
    """The original with the provider's result blended in with weight mask / 255.

    `fit` says how the original was shaped into the provider's size, so it can be undone:
    "pad" = letterboxed (see `letterbox`; the box is recomputed from the two sizes),
    "crop" = scaled to cover and centre-cropped (the result then only covers the middle; the
    rest stays original), "stretch" = resized without keeping the aspect. When the aspects
    match all three are the same.

    Alpha: an RGBA original stays RGBA. An RGBA result's alpha is blended like the colour;
    an RGB result says nothing about transparency, so the original alpha is kept.
    """
    w, h = original.size
    if mask.shape != (h, w):
        raise ValueError(f"mask is {mask.shape[1]}x{mask.shape[0]}, original is {w}x{h}")
    rgba = original.mode == "RGBA"
    base = original if original.mode in ("RGB", "RGBA") else original.convert("RGB")
    out = np.array(base)  # a copy: pixels we do not touch stay exactly the original's
    mapped, (left, top, cw, ch) = _map_result(result, (w, h), fit)

    region = mask[top : top + ch, left : left + cw]
    ys, xs = np.nonzero(region)
    if ys.size == 0:
        return Image.fromarray(out, base.mode)
    # Work only on the mask's bounding box: a small edit on a big photo stays cheap.
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    res_mode = "RGBA" if rgba and mapped.mode in ("RGBA", "LA", "PA") else "RGB"
    res = np.asarray(mapped.convert(res_mode))[y0:y1, x0:x1]
    channels = res.shape[2]  # 3 keeps the original alpha; 4 blends it too
    dst = out[top + y0 : top + y1, left + x0 : left + x1, :channels]
    weight = region[y0:y1, x0:x1, None].astype(np.float32) / 255.0
    blended = dst + (res.astype(np.float32) - dst) * weight
    # Exact at the extremes: weight 0 gives dst + 0.0, weight 1 gives res, both integral.
    dst[...] = np.rint(blended).astype(np.uint8)
    return Image.fromarray(out, base.mode)
