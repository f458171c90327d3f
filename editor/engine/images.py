"""Reading, normalising and writing user images. Pure Pillow/NumPy: no Django.

Every uploaded or provider-returned image goes through `open_image`, which accepts only PNG, JPEG
and WebP, refuses oversized images before decoding a single pixel, applies the EXIF orientation
and returns plain 8-bit RGB, or RGBA when the alpha channel carries information.
"""

from __future__ import annotations

import contextlib
import io
import math
from typing import Literal

import numpy as np
from PIL import Image, ImageCms, ImageFile, ImageOps

from core.errors import UserFacingError

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_PIXELS = 40_000_000

# Sizes the fixed-size GPT image models accept (1min.ai, Segmind, OpenAI gpt-image-1.x).
FIXED_SIZES = ((1024, 1024), (1536, 1024), (1024, 1536))
# gpt-image-2 style "any WxH" rules (1min.ai's gpt-image-2 pages and OpenAI's image guide).
FREE_MULTIPLE = 16
FREE_MIN_PIXELS = 655_360
FREE_MAX_PIXELS = 8_294_400
FREE_MAX_SIDE = 3840
FREE_MAX_RATIO = 3.0

Format = Literal["png", "jpeg", "webp"]

_NOT_AN_IMAGE = "The {what} file is not a PNG, JPEG or WebP image."
_DAMAGED = "The {what} file is damaged or incomplete; export it again and re-upload it."
# Exceptions Pillow plugins raise on malformed headers (the same set Image.open swallows).
_HEADER_ERRORS = (SyntaxError, IndexError, TypeError, ValueError, EOFError, OSError)


class ImageError(UserFacingError, ValueError):
    """An image we cannot use. `message` is plain English the user can act on. The engine does
    not know which input the bytes came from (field None): the service that read them says."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


def _megapixels(n: int) -> str:
    return f"{n / 1_000_000:g}"


def open_header(data: bytes, what: str = "image") -> ImageFile.ImageFile:
    """Parse the header only, with the format allow-list.

    We call the plugin factories ourselves rather than Image.open: Image.open raises
    DecompressionBombError for huge images before we can learn their size, and we want to
    tell the user the size and apply our own limit.
    """
    if not data:
        raise ImageError(f"The {what} file is empty.")
    if data[:4] == b"GIF8":
        raise ImageError("GIF images are not supported; use PNG, JPEG or WebP.")
    Image.init()
    prefix = data[:16]
    for fmt in ALLOWED_FORMATS:
        if fmt not in Image.OPEN:  # e.g. Pillow built without WebP
            continue
        factory, accept = Image.OPEN[fmt]
        verdict = accept(prefix) if accept is not None else True
        if not verdict or isinstance(verdict, str):  # a str is a warning, not a match
            continue
        try:
            return factory(io.BytesIO(data), "")
        except _HEADER_ERRORS as exc:
            raise ImageError(_DAMAGED.format(what=what)) from exc
    raise ImageError(_NOT_AN_IMAGE.format(what=what))


def check_pixels(img: Image.Image, max_pixels: int, what: str = "image") -> None:
    # Pillow's own bomb warning fires above Image.MAX_IMAGE_PIXELS: never let a caller's larger
    # max_pixels switch that protection off.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    w, h = img.size
    if w * h > limit:
        raise ImageError(
            f"The {what} is {w}x{h} pixels; the limit is {_megapixels(limit)} megapixels."
        )


def _exif_orientation(img: Image.Image) -> int:
    """Orientation from EXIF data already read with the header (JPEG APP1, WebP/PNG chunk)."""
    raw = img.info.get("exif")
    if not raw:
        return 1
    try:
        exif = Image.Exif()
        exif.load(raw)
        return int(exif.get(0x0112, 1))
    except Exception:  # broken EXIF never blocks an image; we just do not rotate
        return 1


def open_raw(data: bytes, *, max_pixels: int = MAX_PIXELS, what: str = "image") -> Image.Image:
    """Decode with all safety checks and EXIF orientation applied, but keep the stored mode.

    Shared by open_image and the mask loader, which needs to see the original channels.
    """
    img = open_header(data, what)
    check_pixels(img, max_pixels, what)
    try:
        img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"The {what} is too large to open safely.") from exc
    except _HEADER_ERRORS as exc:  # "image file is truncated", bad zlib stream, ...
        raise ImageError(_DAMAGED.format(what=what)) from exc
    # A broken EXIF block never blocks an image: it just stays unrotated.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(img, in_place=True)
    return img


def has_alpha(img: Image.Image) -> bool:
    """Whether the mode (or a palette's transparency) can carry alpha; not whether it does."""
    return img.mode in ("RGBA", "LA", "La", "RGBa", "PA") or (
        img.mode == "P" and ("transparency" in img.info or img.palette.mode == "RGBA")
    )


def greyscale_to_8bit(img: Image.Image) -> Image.Image:
    """16-bit / 32-bit greyscale to 8-bit L, scaling the range rather than clipping it."""
    a = np.asarray(img)
    if img.mode == "F" and a.size and float(a.max()) <= 1.0:
        out = np.clip(a * 255.0 + 0.5, 0, 255)
    else:
        # I;16* are 0..65535; PNG-sourced "I" images use the same range.
        out = (np.clip(a, 0, 65535).astype(np.uint32) * 255 + 32767) // 65535
    return Image.fromarray(out.astype(np.uint8), "L")


def _cmyk_to_rgb(img: Image.Image) -> Image.Image:
    icc = img.info.get("icc_profile")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out = ImageCms.profileToProfile(
                img, src, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
            if out is not None:
                return out
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # fall back to Pillow's naive conversion below
    return img.convert("RGB")


def normalise_mode(img: Image.Image) -> Image.Image:
    """Return RGB, or RGBA only when some pixel is not fully opaque."""
    if img.mode.startswith("I") or img.mode == "F":
        return greyscale_to_8bit(img).convert("RGB")
    if img.mode == "CMYK":
        return _cmyk_to_rgb(img)
    if has_alpha(img):
        rgba = img if img.mode == "RGBA" else img.convert("RGBA")
        lo, _ = rgba.getchannel("A").getextrema()
        return rgba if lo < 255 else rgba.convert("RGB")
    return img if img.mode == "RGB" else img.convert("RGB")


def open_image(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode an uploaded image safely; raises ImageError with a user-facing message."""
    return normalise_mode(open_raw(data, max_pixels=max_pixels))


def image_info(data: bytes) -> tuple[int, int, str]:
    """(width, height, format) from the header only; width/height as displayed (EXIF-rotated).

    Format is "png", "jpeg" or "webp". No pixel limit is applied: nothing is decoded.
    """
    img = open_header(data)
    w, h = img.size
    if _exif_orientation(img) in (5, 6, 7, 8):  # the 90-degree rotations swap the sides
        w, h = h, w
    return w, h, str(img.format).lower()


def encode(img: Image.Image, fmt: Format = "png", quality: int = 90) -> bytes:
    """Encode for storage or upload. JPEG has no alpha, so RGBA is flattened onto white."""
    buf = io.BytesIO()
    if fmt == "png":
        img.save(buf, "PNG", compress_level=6)
    elif fmt == "jpeg":
        if img.mode in ("RGBA", "LA", "P", "PA"):
            rgba = img.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            img = flat
        elif img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        img.save(buf, "JPEG", quality=quality, optimize=True)
    elif fmt == "webp":
        img.save(buf, "WEBP", quality=quality, method=4)
    else:
        raise ValueError(f"unsupported format {fmt!r}")
    return buf.getvalue()


def encode_png(img: Image.Image) -> bytes:
    return encode(img, "png")


def _log_ratio_distance(w: int, h: int, cw: int, ch: int) -> float:
    return abs(math.log(w / h) - math.log(cw / ch))


def _free_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    ratio = min(max(width / height, 1 / FREE_MAX_RATIO), FREE_MAX_RATIO)
    # The area we aim for: the source's own, pulled into the allowed range and under max_side.
    side_cap = max_side * max_side * min(ratio, 1 / ratio)
    area = min(max(width * height, FREE_MIN_PIXELS), FREE_MAX_PIXELS, side_cap)
    ideal_w, ideal_h = math.sqrt(area * ratio), math.sqrt(area / ratio)

    def steps(x: float) -> range:
        base = int(x // FREE_MULTIPLE)
        return range(max(1, base - 1), base + 3)

    best: tuple[float, float, int, int] | None = None
    for sw in steps(ideal_w):
        for sh in steps(ideal_h):
            w, h = sw * FREE_MULTIPLE, sh * FREE_MULTIPLE
            if not FREE_MIN_PIXELS <= w * h <= FREE_MAX_PIXELS or max(w, h) > max_side:
                continue
            if max(w / h, h / w) > FREE_MAX_RATIO:
                continue
            key = (_log_ratio_distance(w, h, width, height), abs(math.log(w * h / area)), w, h)
            if best is None or key[:2] < best[:2]:
                best = key
    if best is None:
        raise ValueError(f"no valid free size for {width}x{height} with max_side={max_side}")
    return best[2], best[3]


def choose_size(
    width: int, height: int, *, free: bool = False, max_side: int = FREE_MAX_SIDE
) -> str:
    """The provider `size` string ("WxH") closest to the source's shape.

    Fixed-size models: the nearest of 1024x1024, 1536x1024, 1024x1536 by aspect ratio (distance
    of log-ratios, so 2:1 and 1:2 are equally far from square). Free-size models: keep the
    aspect (clamped to 3:1), sides multiple of 16, 655,360..8,294,400 pixels, longest side at
    most min(max_side, 3840).
    """
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    if not free:
        w, h = min(FIXED_SIZES, key=lambda s: _log_ratio_distance(width, height, *s))
    else:
        w, h = _free_size(width, height, min(max_side, FREE_MAX_SIDE))
    return f"{w}x{h}"
