"""Smart selection as a business step: read the member's image, run one selection, store the mask.

The canvas and the JSON API both call `select_mask`. The answer is a MASK asset (white-on-black
PNG at the image's exact size, so it works as a maskUrl and as a canvas layer) plus the share of
the image it covers. Every rejection is an EditRejected naming the input, raised before
anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.conf import settings

from accounts.models import Membership
from editor.engine import images, masks, select
from editor.services.params import EditRejected, shown
from gallery.models import Asset
from gallery.services import FileGone, read_asset, store_asset

MODES = ("refine", "wand", "box")
_EMPTY = {
    "refine": ("mask", "Refining found no object under the mask; paint over more of it."),
    "box": ("box", "The box select found nothing; draw the box closer around the object."),
    "wand": ("point", "The wand selected nothing at that point."),
}


@dataclass(frozen=True)
class SelectionRequest:
    """One selection. refine: `mask` (PNG bytes) and `band` (px, the brush size). wand: `point`
    (x, y) and `tolerance` (0..100). box: `box` (x0, y0, x1, y1)."""

    mode: str
    mask: bytes | None = None
    band: int = 40
    point: tuple[int, int] | None = None
    tolerance: float = 20
    box: tuple[int, int, int, int] | None = None


@dataclass(frozen=True)
class Selection:
    asset: Asset
    coverage: float


MIN_SIDE = select.MIN_SIDE  # read from the asset's header here: refused before any decode


def _pixels(source: Asset) -> np.ndarray:
    if min(source.width, source.height) < MIN_SIDE:
        raise EditRejected(
            "image",
            f"The image is {source.width}x{source.height} pixels; selection works on images "
            f"at least {MIN_SIDE}x{MIN_SIDE} pixels.",
        )
    limit = min(int(settings.MAX_IMAGE_MEGAPIXELS * 1_000_000), select.MAX_PIXELS)
    if source.width * source.height > limit:
        raise EditRejected(
            "image",
            f"The image is {source.width}x{source.height} pixels; selection works on images up "
            f"to {limit / 1e6:.1f} megapixels. Use a smaller copy.",
        )
    try:
        img = images.open_image(read_asset(source), max_pixels=limit)
    except (images.ImageError, FileGone) as exc:
        raise EditRejected("image", exc.message) from exc
    return np.asarray(img.convert("RGB"))


def _run(pixels: np.ndarray, req: SelectionRequest) -> np.ndarray:
    h, w = pixels.shape[:2]
    if req.mode == "refine":
        if not req.mask:
            raise EditRejected("mask", "Send the mask to refine.")
        try:
            rough = masks.load_mask(req.mask, (w, h))
        except masks.MaskError as exc:
            raise EditRejected("mask", exc.message) from exc
        return select.refine(pixels, rough, req.band)
    if req.mode == "wand":
        if req.point is None:
            raise EditRejected("point", "Send the point [x, y] the wand starts from.")
        return select.wand(pixels, req.point, req.tolerance)
    if req.mode == "box":
        if req.box is None:
            raise EditRejected("box", "Send the box [x0, y0, x1, y1] around the object.")
        return select.box(pixels, req.box)
    raise EditRejected("mode", f"mode must be one of {', '.join(MODES)}; got {shown(req.mode)}.")


def select_mask(membership: Membership, source: Asset, req: SelectionRequest) -> Selection:
    """Run the selection on `source` (an asset the caller may see) and store the mask."""
    if req.mode not in MODES:
        raise EditRejected(
            "mode", f"mode must be one of {', '.join(MODES)}; got {shown(req.mode)}."
        )
    pixels = _pixels(source)
    try:
        mask = _run(pixels, req)
    except select.SelectionError as exc:
        raise EditRejected(exc.field, exc.message) from exc
    if masks.is_empty(mask, threshold=127):
        raise EditRejected(*_EMPTY[req.mode])
    h, w = mask.shape
    asset = store_asset(
        membership,
        masks.to_white_on_black_png(mask),
        kind=Asset.Kind.MASK,
        extension="png",
        name=f"{req.mode} selection",
        width=w,
        height=h,
    )
    return Selection(asset=asset, coverage=round(select.coverage(mask), 4))
