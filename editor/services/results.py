"""Storing what a provider sent back: the raw output, the pasted-back result, the drift heatmap
and a thumbnail, as files first; the job saves their rows in its final transaction."""

from __future__ import annotations

import numpy as np
from PIL import Image

from editor.engine import container, drift, images, paste_back, renditions
from editor.providers.base import IMAGE_INPAINTER, ProviderError
from editor.services.prepare import Prepared, fast_png
from gallery.models import Asset, Record, RecordImage
from gallery.services import store_asset

_OUTPUT_FORMATS = {"png": "png", "jpeg": "jpeg", "jpg": "jpeg", "webp": "webp"}


def _encode_result(img: Image.Image, fmt: str, quality: int) -> bytes:
    return fast_png(img) if fmt == "png" else images.encode(img, fmt, quality)  # type: ignore[arg-type]


def _output_format(record: Record) -> tuple[str, int]:
    fmt = _OUTPUT_FORMATS.get(str(record.prompt_object.get("output_format", "png")).lower(), "png")
    try:
        quality = int(record.prompt_object.get("output_compression", 90))
    except (TypeError, ValueError):
        quality = 90
    return fmt, min(max(quality, 1), 100)


def store_one(record: Record, prepared: Prepared, data: bytes, position: int) -> RecordImage:
    """One result image stored; an image we cannot read is the provider's error."""
    membership = record.membership
    try:
        raw_img = images.open_image(data)
    except images.ImageError as exc:
        raise ProviderError(f"The provider sent an image we cannot read: {exc.message}") from exc
    # Kept byte for byte when plain, but never with anything appended or hidden in metadata.
    data, raw_fmt = container.for_storage(data, raw_img)
    raw_w, raw_h = raw_img.size
    raw_asset = store_asset(
        membership,
        data,
        kind=Asset.Kind.RAW,
        extension=raw_fmt,
        name=f"raw-{position + 1}.{raw_fmt}",
        width=raw_w,
        height=raw_h,
        save_row=False,
    )
    drift_asset, drift_report = None, None
    options = record.options or {}
    if (
        record.type == IMAGE_INPAINTER
        and options.get("paste_back", True)
        and prepared.original is not None
        and prepared.mask_full is not None
    ):
        final, heatmap, drift_report = _paste(prepared.original, raw_img, prepared.mask_full)
        heat_w, heat_h, heat_fmt = images.image_info(heatmap)
        drift_asset = store_asset(
            membership,
            heatmap,
            kind=Asset.Kind.DRIFT,
            extension=heat_fmt,
            name=f"drift-{position + 1}.{heat_fmt}",
            width=heat_w,
            height=heat_h,
            save_row=False,
        )
        fmt, quality = _output_format(record)
        result_asset = store_asset(
            membership,
            _encode_result(final, fmt, quality),
            kind=Asset.Kind.RESULT,
            extension=fmt,
            name=f"result-{position + 1}.{fmt}",
            width=final.width,
            height=final.height,
            save_row=False,
        )
    else:
        final = raw_img
        result_asset = store_asset(
            membership,
            data,
            kind=Asset.Kind.RESULT,
            extension=raw_fmt,
            name=f"result-{position + 1}.{raw_fmt}",
            width=raw_w,
            height=raw_h,
            save_row=False,
        )
    shown = renditions.render(final)  # from the decoded result: no second decode
    result_asset.preview = _store_rendition(membership, shown.preview, Asset.Kind.PREVIEW, position)
    thumb_asset = _store_rendition(membership, shown.thumbnail, Asset.Kind.THUMBNAIL, position)
    return RecordImage(
        record=record,
        position=position,
        image=result_asset,
        raw=raw_asset,
        thumbnail=thumb_asset,
        drift=drift_asset,
        drift_share=drift_report.share if drift_report else None,
        drift_report=drift_report.as_dict() if drift_report else {},
    )


def _store_rendition(membership, rendition, kind: str, position: int) -> Asset:
    return store_asset(
        membership,
        rendition.data,
        kind=kind,
        extension="webp",
        name=f"{kind.lower()}-{position + 1}.webp",
        width=rendition.width,
        height=rendition.height,
        save_row=False,
    )


def _paste(
    original: Image.Image, raw: Image.Image, mask: np.ndarray
) -> tuple[Image.Image, bytes, drift.DriftReport]:
    """(pasted-back result, drift heatmap WebP, drift report). The source went upstream with its
    own aspect (scaled, never padded), so a result at another size maps back by resizing."""
    final = paste_back.paste_back(original, raw, mask)
    report, changed = drift.measure(original, raw, mask)
    return final, drift.heatmap(original, changed, mask), report


def discard(stored: list[RecordImage]) -> None:
    """Remove the files (and any rows) of a job that did not finish."""
    for item in stored:
        for asset in (item.image, item.image.preview, item.raw, item.thumbnail, item.drift):
            if asset is not None:
                asset.file.delete(save=False)
                if asset.pk:
                    asset.delete()
