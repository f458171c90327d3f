"""The edit job (design.md "The edit job", step 2): what the worker runs for one record.

claim (PENDING -> RUNNING) -> build the request -> call the provider with retries -> store every
result (paste-back and drift for inpainting, raw output, thumbnail) -> SUCCESS and settle credits.
Any failure: FAILED with a plain message and the credits refunded; nothing is left RUNNING.
"""

from __future__ import annotations

import io
import logging
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image

from accounts.services import refund_credits, settle_credits
from editor import catalogue
from editor.engine import drift, images, paste_back
from editor.providers.base import IMAGE_INPAINTER, EditRequest, EditResult, ProviderError
from editor.providers.http import call_with_retries, make_client
from editor.services.submit import canonical_mask, read_asset
from gallery.models import Asset, Record, RecordImage
from gallery.services import store_asset

logger = logging.getLogger(__name__)

_OUTPUT_FORMATS = {"png": "png", "jpeg": "jpeg", "jpg": "jpeg", "webp": "webp"}


@dataclass
class _Prepared:
    request: EditRequest
    original: Image.Image | None = None  # the full-resolution source, for paste-back
    mask_full: np.ndarray | None = None  # prepared (inverted/grown/feathered) at full size
    extra: dict[str, Any] = field(default_factory=dict)


def _claim(code: uuid.UUID) -> bool:
    now = timezone.now()
    claimed = Record.objects.filter(code=code, status=Record.Status.PENDING).update(
        status=Record.Status.RUNNING,
        attempts=F("attempts") + 1,
        started=now,
        heartbeat=now,
    )
    return claimed == 1


def _beat(record_id: int) -> None:
    Record.objects.filter(pk=record_id, status=Record.Status.RUNNING).update(
        heartbeat=timezone.now()
    )


def _prepare(record: Record) -> _Prepared:
    """The EditRequest: sources normalised and capped to the model's limit, the mask prepared
    with the record's options at the size sent upstream."""
    spec = catalogue.model_spec(record.provider, record.model)
    max_side = spec.max_side if spec is not None else images.FREE_MAX_SIDE
    params = {
        k: v
        for k, v in record.prompt_object.items()
        if k not in ("prompt", "imageUrl", "maskUrl", "imageUrls")
    }
    prepared = _Prepared(EditRequest(record.type, record.model, record.prompt, params))
    if record.source is None:
        return prepared
    source_bytes = read_asset(record.source)
    original = images.open_image(source_bytes)
    upstream = images.fit_longest_side(original, max_side)
    prepared.original = original
    if upstream is original and record.source.content_type == "image/png":
        prepared.request.images.append(source_bytes)  # stored as a plain PNG on upload
    else:
        prepared.request.images.append(_fast_png(upstream))
    for asset in record.extra_images.all().order_by("id"):
        extra = images.fit_longest_side(images.open_image(read_asset(asset)), max_side)
        prepared.request.images.append(_fast_png(extra))
    if record.type == IMAGE_INPAINTER:
        prepared.mask_full = canonical_mask(record, original.size)
        if upstream.size == original.size:
            prepared.request.mask = prepared.mask_full
        else:
            prepared.request.mask = canonical_mask(record, upstream.size)
    return prepared


def _fast_png(img: Image.Image) -> bytes:
    """PNG at zlib level 1: for photos a few percent larger than level 6 at half the CPU,
    which matters when one worker finishes dozens of jobs at once."""
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _encode_result(img: Image.Image, fmt: str, quality: int) -> bytes:
    return _fast_png(img) if fmt == "png" else images.encode(img, fmt, quality)  # type: ignore[arg-type]


@contextmanager
def _heartbeat_while_waiting(record_id: int):
    """Keep the heartbeat fresh during a provider call that may take minutes, so the reaper
    never mistakes a live job for one whose worker died."""
    stop = threading.Event()
    interval = max(1.0, min(60.0, settings.JOB_STALE_SECONDS / 4))

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    _beat(record_id)
                except Exception:  # a busy database must not kill the job it watches
                    logger.warning("record %s: heartbeat not written", record_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{record_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _call(record: Record, req: EditRequest) -> tuple[EditResult, int]:
    """Call the adapter with retries; returns the result and the milliseconds it took."""
    scale = float(getattr(settings, "PROVIDER_RETRY_SLEEP_SCALE", 1.0))
    timeout = httpx.Timeout(float(settings.PROVIDER_TIMEOUT_SECONDS), connect=10.0)

    def on_retry(n: int, exc: ProviderError, delay: float) -> None:
        logger.info("record %s: retry %s in %.1fs after: %s", record.code, n, delay, exc.message)
        _beat(record.pk)

    started = time.monotonic()
    with make_client(timeout) as client, _heartbeat_while_waiting(record.pk):
        provider = catalogue.build_provider(record.provider, record.team_id, client)
        result = call_with_retries(
            lambda: provider.edit(req),
            on_retry=on_retry,
            sleep=lambda seconds: time.sleep(seconds * scale),
        )
    return result, int((time.monotonic() - started) * 1000)


def _output_format(record: Record) -> tuple[str, int]:
    fmt = _OUTPUT_FORMATS.get(str(record.prompt_object.get("output_format", "png")).lower(), "png")
    try:
        quality = int(record.prompt_object.get("output_compression", 90))
    except (TypeError, ValueError):
        quality = 90
    return fmt, min(max(quality, 1), 100)


def _store_one(record: Record, prepared: _Prepared, data: bytes, position: int) -> RecordImage:
    membership = record.membership
    try:
        raw_img = images.open_image(data)
        raw_w, raw_h, raw_fmt = images.image_info(data)
    except images.ImageError as exc:
        raise ProviderError(f"The provider sent an image we cannot read: {exc.message}") from exc
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
        heat_w, heat_h, _fmt = images.image_info(heatmap)
        drift_asset = store_asset(
            membership,
            heatmap,
            kind=Asset.Kind.DRIFT,
            extension="png",
            name=f"drift-{position + 1}.png",
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
    thumb = images.webp_thumbnail(final)
    with Image.open(io.BytesIO(thumb)) as t:
        thumb_size = t.size
    thumb_asset = store_asset(
        membership,
        thumb,
        kind=Asset.Kind.THUMBNAIL,
        extension="webp",
        name=f"thumb-{position + 1}.webp",
        width=thumb_size[0],
        height=thumb_size[1],
        save_row=False,
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


def _paste(
    original: Image.Image, raw: Image.Image, mask: np.ndarray
) -> tuple[Image.Image, bytes, drift.DriftReport]:
    """(pasted-back result, drift heatmap PNG, drift report). The source went upstream with its
    own aspect (scaled, never padded), so a result at another size maps back by resizing."""
    final = paste_back.paste_back(original, raw, mask, fit="stretch")
    report, changed = drift.measure(original, raw, mask)
    return final, drift.heatmap(original, changed, mask), report


def _finish(record: Record, result: EditResult, stored: list[RecordImage], ms: int) -> None:
    metadata = dict(record.metadata or {})
    if result.usage:
        metadata["usage"] = result.usage
    if result.remaining_credits is not None:
        metadata["remainingCredits"] = result.remaining_credits
    request_id = next(
        (
            result.response[k]
            for k in ("x-request-id", "request_id", "requestId")
            if k in result.response
        ),
        None,
    )
    if request_id:
        metadata["requestId"] = request_id
    with transaction.atomic():
        # One write transaction for every row of the job: on SQLite each transaction waits its
        # turn for the single write lock, and dozens of jobs finish at once.
        for item in stored:
            for asset in (item.raw, item.drift, item.image, item.thumbnail):
                if asset is not None and asset.pk is None:
                    asset.save()
        RecordImage.objects.bulk_create(stored)  # takes the ids of the assets just saved
        Record.objects.filter(pk=record.pk).update(
            status=Record.Status.SUCCESS,
            response_object=result.response,
            metadata=metadata,
            provider_ms=ms,
            finished=timezone.now(),
            heartbeat=timezone.now(),
            error="",
        )
        settle_credits(record.membership_id, str(record.code))


def _fail(record: Record, message: str, response: Any = None, ms: int | None = None) -> None:
    fields: dict[str, Any] = {
        "status": Record.Status.FAILED,
        "error": message[:2000],
        "finished": timezone.now(),
        "heartbeat": timezone.now(),
    }
    if isinstance(response, dict):
        fields["response_object"] = response
    if ms is not None:
        fields["provider_ms"] = ms
    with transaction.atomic():
        Record.objects.filter(pk=record.pk).update(**fields)
        refund_credits(record.membership_id, str(record.code))


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def run_edit(record_code: str) -> None:
    """Run one claimed record to SUCCESS or FAILED. Safe to call twice: only a PENDING record
    is claimed."""
    try:
        code = uuid.UUID(str(record_code))
    except ValueError:
        logger.warning("run_edit: %r is not a record code", record_code)
        return
    if not _claim(code):
        return
    record = Record.objects.select_related("membership__team", "source", "mask").get(code=code)
    ms = None
    stored: list[RecordImage] = []
    try:
        prepared = _prepare(record)
        result, ms = _call(record, prepared.request)
        if not result.images:
            raise ProviderError("The provider answered without any image.")
        for position, data in enumerate(result.images):
            stored.append(_store_one(record, prepared, data, position))
        _finish(record, result, stored, ms)
    except ProviderError as exc:
        _discard(stored)
        _fail(record, exc.message, exc.response, ms)
    except Exception as exc:
        logger.exception("record %s failed while processing", record.code)
        _discard(stored)
        _fail(record, f"Promptbrush failed while processing the result: {_short(exc)}", ms=ms)


def _discard(stored: list[RecordImage]) -> None:
    """Remove the files (and any rows) of a job that did not finish."""
    for item in stored:
        for asset in (item.image, item.raw, item.thumbnail, item.drift):
            if asset is not None:
                asset.file.delete(save=False)
                if asset.pk:
                    asset.delete()
