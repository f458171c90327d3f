"""Put a provider's inpainting result back onto the full-resolution original. Pure Pillow/NumPy.

Providers return 1024x1536-style images whatever we send, and may touch pixels outside the
mask (GPT image masks are guidance, not a lock). So the stored result is the original, with
the provider's pixels resized to the original's geometry and blended in with weight
mask / 255: wherever mask == 0 the output is bit-identical to the original.
"""

from __future__ import annotations

import numpy as np
from PIL import Image


def _fit_to(result: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The provider's result in the original's geometry.

    Sources go upstream with their own aspect, scaled but never padded or cropped, and
    fixed-size models answer at the size nearest that aspect (images.choose_size); so a result
    maps back by resizing it to the original's size, even where the aspects differ slightly.
    """
    if result.size == tuple(size):
        return result
    return result.resize(tuple(size), Image.Resampling.LANCZOS)


def paste_back(original: Image.Image, result: Image.Image, mask: np.ndarray) -> Image.Image:
    """The original with the provider's result (at any size, see `_fit_to`) blended in with
    weight mask / 255.

    Alpha: an RGBA original stays RGBA. An RGBA result's alpha is blended like the colour;
    an RGB result says nothing about transparency, so the original alpha is kept.
    """
    w, h = original.size
    if mask.shape != (h, w):
        raise ValueError(f"mask is {mask.shape[1]}x{mask.shape[0]}, original is {w}x{h}")
    rgba = original.mode == "RGBA"
    base = original if original.mode in ("RGB", "RGBA") else original.convert("RGB")
    out = np.array(base)  # a copy: pixels we do not touch stay exactly the original's
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return Image.fromarray(out, base.mode)
    mapped = _fit_to(result, (w, h))
    # Work only on the mask's bounding box: a small edit on a big photo stays cheap.
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    res_mode = "RGBA" if rgba and mapped.mode in ("RGBA", "LA", "PA") else "RGB"
    res = np.asarray(mapped.convert(res_mode))[y0:y1, x0:x1]
    channels = res.shape[2]  # 3 keeps the original alpha; 4 blends it too
    dst = out[y0:y1, x0:x1, :channels]
    weight = mask[y0:y1, x0:x1, None].astype(np.float32) / 255.0
    blended = dst + (res.astype(np.float32) - dst) * weight
    # Exact at the extremes: weight 0 gives dst + 0.0, weight 1 gives res, both integral.
    dst[...] = np.rint(blended).astype(np.uint8)
    return Image.fromarray(out, base.mode)
