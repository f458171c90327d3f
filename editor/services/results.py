"""Storing what a provider sent back: the raw output as it came, the pasted-back result, the
drift heatmap and a thumbnail, as files first; the job saves their rows in its final
transaction.

Each result is decoded once (after a header-only check of its pixel count); paste-back, drift,
heatmap and thumbnail all work on that array and on the source array the job decoded once in
prepare. The pasted-back result is the one PNG written (codec.encode_png, ICC profile kept).
"""

from __future__ import annotations

import numpy as np

from editor.engine import codec, container, drift, images, paste_back, renditions
from editor.providers.base import IMAGE_INPAINTER, ProviderError
from editor.services import cpu
from editor.services.prepare import Prepared
from editor.services.sources import source_bands
from gallery.models import Asset, Record, RecordImage
from gallery.services import store_asset

_OUTPUT_FORMATS = {"png": "png", "jpeg": "jpeg", "jpg": "jpeg", "webp": "webp"}


def _encode_result(
    pixels: np.ndarray, icc: bytes | None, fmt: str, quality: int, source_png: dict, rows
) -> bytes:
    if fmt == "png":
        # Outside the mask's rows the result is the source, row for row: those PNG bands are
        # the source's, compressed once for all its edits.
        return codec.encode_png(pixels, icc, same_as=source_png, changed_rows=rows)
    img = codec.Decoded(pixels, fmt, icc).image()
    return images.encode(img, fmt, quality)  # type: ignore[arg-type]


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

    def store(payload: bytes, kind: str, stem: str, ext: str, size: tuple[int, int]) -> Asset:
        return store_asset(
            membership,
            payload,
            kind=kind,
            extension=ext,
            name=f"{stem}-{position + 1}.{ext}",
            width=size[0],
            height=size[1],
            save_row=False,
        )

    try:
        raw = codec.decode(data)
    except images.ImageError as exc:
        raise ProviderError(f"The provider sent an image we cannot read: {exc.message}") from exc
    data, raw_format = _raw_for_storage(data, raw)
    raw_asset = store(data, Asset.Kind.RAW, "raw", raw_format, raw.size)
    drift_asset, drift_report = None, None
    options = record.options or {}
    original = prepared.original
    if (
        record.type == IMAGE_INPAINTER
        and options.get("paste_back", True)
        and original is not None
        and prepared.mask_full is not None
    ):
        mask = prepared.mask_full
        final = paste_back.paste_back(original.pixels, raw.pixels, mask)
        fmt, quality = _output_format(record)
        bands, rows = source_bands(record.source), _rows_touched(mask)
        # Steps that need only the arrays, in two halves of about equal CPU (previews ~35 ms;
        # PNG ~15 + drift ~25): beside each other on an idle machine, 75 -> ~50 ms of wall.
        shown, (payload, (drift_report, heat)) = cpu.side_by_side(
            lambda: renditions.render(final),
            lambda: (
                _encode_result(final, original.icc_profile, fmt, quality, bands, rows),
                _drift(original.pixels, raw.pixels, mask),
            ),
        )
        drift_asset = store(heat.data, Asset.Kind.DRIFT, "drift", "webp", (heat.width, heat.height))
        result_asset = store(payload, Asset.Kind.RESULT, "result", fmt, original.size)
    else:
        shown = renditions.render(raw.pixels)  # from the decoded result: no second decode
        result_asset = store(data, Asset.Kind.RESULT, "result", raw_format, raw.size)
    preview, thumb = shown.preview, shown.thumbnail
    result_asset.preview = store(
        preview.data, Asset.Kind.PREVIEW, "preview", "webp", (preview.width, preview.height)
    )
    thumb_asset = store(
        thumb.data, Asset.Kind.THUMBNAIL, "thumbnail", "webp", (thumb.width, thumb.height)
    )
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


def _drift(
    original: np.ndarray, raw: np.ndarray, mask: np.ndarray
) -> tuple[drift.DriftReport, renditions.Rendition]:
    """What the provider changed outside the mask, and its heatmap."""
    report, comparison = drift.measure(original, raw, mask)
    return report, drift.heatmap(comparison)


def _rows_touched(mask: np.ndarray) -> tuple[int, int]:
    """(first, stop) of the rows where paste-back may have changed a pixel."""
    rows = np.flatnonzero(mask.any(axis=1))
    return (int(rows[0]), int(rows[-1]) + 1) if rows.size else (0, 0)


def _raw_for_storage(data: bytes, raw: codec.Decoded) -> tuple[bytes, str]:
    """The provider's bytes exactly as they came when they hold the image and nothing else (the
    usual case: no second decode, no re-encode); else container.for_storage decides, which
    cuts anything appended or hidden in metadata."""
    if container.only_the_image(data, raw.format) == data:
        return data, raw.format
    return container.for_storage(data, raw.image(), raw.icc_profile)


def discard(stored: list[RecordImage]) -> None:
    """Remove the files (and any rows) of a job that did not finish."""
    for item in stored:
        for asset in (item.image, item.image.preview, item.raw, item.thumbnail, item.drift):
            if asset is not None:
                asset.file.delete(save=False)
                if asset.pk:
                    asset.delete()
