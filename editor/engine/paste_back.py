"""Put a provider's inpainting result back onto the full-resolution original. Pure NumPy/OpenCV.

Providers return 1024x1536-style images whatever we send, and may touch pixels outside the
mask (GPT image masks are guidance, not a lock). So the stored result is the original, with
the provider's pixels resized to the original's geometry and blended in with weight
mask / 255: wherever mask == 0 the output is bit-identical to the original.

All the work happens on the mask's bounding box, in integers: a small edit on a big photo
costs a small fraction of a millisecond, and only that box of the result is resampled.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from editor.engine import codec

Pixels = np.ndarray | Image.Image


def _fit_box(result: np.ndarray, size: tuple[int, int], box: tuple[int, int, int, int]):
    """The result's pixels for `box` (x0, y0, x1, y1) of an image of `size` (w, h).

    Sources go upstream with their own aspect, scaled but never padded or cropped, and
    fixed-size models answer at the size nearest that aspect (images.choose_size); so a result
    maps back by stretching it over the original, even where the aspects differ slightly.
    Only the box is resampled, with the same pixel-centre mapping as a full cv2.resize.
    """
    x0, y0, x1, y1 = box
    rh, rw = result.shape[:2]
    w, h = size
    if (rw, rh) == (w, h):
        return result[y0:y1, x0:x1]
    if rw > w or rh > h:  # shrinking: area averaging needs the whole picture
        return cv2.resize(result, (w, h), interpolation=cv2.INTER_AREA)[y0:y1, x0:x1]
    sx, sy = rw / w, rh / h
    inverse = np.array(
        [[sx, 0, sx * (x0 + 0.5) - 0.5], [0, sy, sy * (y0 + 0.5) - 0.5]], dtype=np.float64
    )
    return cv2.warpAffine(
        result,
        inverse,
        (x1 - x0, y1 - y0),
        flags=cv2.INTER_LANCZOS4 | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def _blend(dst: np.ndarray, src: np.ndarray, weight: np.ndarray) -> None:
    """dst = round((dst * (255 - w) + src * w) / 255) in place, exactly, in 16-bit integers:
    w == 0 leaves dst as it was and w == 255 gives src."""
    w = weight[..., None].astype(np.uint16)
    total = dst.astype(np.uint16) * (255 - w) + src.astype(np.uint16) * w + 128
    dst[...] = ((total + (total >> 8)) >> 8).astype(np.uint8)  # exact division by 255


def paste_back(original: Pixels, result: Pixels, mask: np.ndarray) -> Pixels:
    """The original with the provider's result (at any size, see `_fit_box`) blended in with
    weight mask / 255. Arrays in, an array out; a PIL original gives a PIL image.

    Alpha: an RGBA original stays RGBA. An RGBA result's alpha is blended like the colour;
    an RGB result says nothing about transparency, so the original alpha is kept.
    """
    base = codec.pixels_of(original)
    h, w = base.shape[:2]
    if mask.shape != (h, w):
        raise ValueError(f"mask is {mask.shape[1]}x{mask.shape[0]}, original is {w}x{h}")
    out = base.copy()  # pixels we do not touch stay exactly the original's
    x, y, bw, bh = cv2.boundingRect(mask)
    if bw and bh:
        res = codec.pixels_of(result)
        channels = 4 if base.shape[2] == 4 and res.shape[2] == 4 else 3
        box = _fit_box(np.ascontiguousarray(res[..., :channels]), (w, h), (x, y, x + bw, y + bh))
        _blend(out[y : y + bh, x : x + bw, :channels], box, mask[y : y + bh, x : x + bw])
    if isinstance(original, Image.Image):
        return Image.fromarray(out, "RGBA" if out.shape[2] == 4 else "RGB")
    return out
