"""POST /api/features: run an edit the way 1min.ai does; GET lists (see records.py).

POST waits for the job without holding a thread: the view is async and wakes when the live
feed (editor/live) reports the record changed. What it answers:
- done: 200 with the aiRecord; a FAILED one is a 400 with errorCode, message and the aiRecord,
  as 1min.ai answers a failed feature (its clients call raise_for_status()).
- `"async": true` in the body (1min.ai's): 200 at once; `?async=true` (ours): 202 at once;
  still running after API_WAIT_SECONDS: 202. All three carry the aiRecord in 1min.ai's polling
  form (status PROCESSING), to be polled at GET /api/results/<uuid>.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Membership
from core.errors import UserFacingError
from editor import aliases, services
from editor.api.assets import read_image, resolve_asset
from editor.api.http import (
    FEATURE_FAILED,
    ApiError,
    caller,
    error_body,
    error_response,
    read_json,
    records_for,
    unauthorized,
)
from editor.api.records import record_list
from editor.api.requests import FeatureRequest, parse_feature
from editor.live.stream import hub as live_hub
from editor.services.params import shown
from gallery.models import Asset, Record
from gallery.serializers import ai_record, polled, site_url
from gallery.services import discard_assets, records_visible_to

_DONE = (Record.Status.SUCCESS, Record.Status.FAILED)


def _parent(membership: Membership, conversation_id: str) -> Record:
    try:
        cid = uuid.UUID(conversation_id)
    except ValueError:
        raise ApiError("conversationId must be a record uuid.", "conversationId") from None
    parent = (
        records_visible_to(membership)
        .filter(Q(code=cid) | Q(conversation_id=cid))
        .order_by("-created")
        .first()
    )
    if parent is None:
        raise ApiError("conversationId names no record of yours.", "conversationId", 404)
    return parent


def _start(request: HttpRequest, membership: Membership, req: FeatureRequest) -> Record:
    target = aliases.resolve(membership.team_id, req.model, req.type, req.provider)
    if target is None:
        raise ApiError(
            f"No provider offers the model {shown(req.model)}; GET /api/models?feature={req.type} "
            "lists what you can ask for.",
            "model",
        )

    stored: list[Asset] = []  # images fetched or copied for this call, kept only if used

    def image(url: str, field: str) -> Asset:
        return resolve_asset(request, membership, url, field, stored)

    try:
        source = image(req.image_url, "imageUrl") if req.image_url else None
        extras = [image(url, "imageUrls") for url in req.image_urls]
        mask = read_image(request, membership, req.mask_url, "maskUrl") if req.mask_url else None
        record = services.start_edit(
            membership,
            type=req.type,
            provider=target.provider,
            model=target.model,
            requested_model=req.model,
            prompt=req.prompt,
            params=req.params,
            source=source,
            mask=mask,
            extra_images=extras,
            mask_options=req.mask_options,
            paste_back=req.paste_back,
            parent=_parent(membership, req.conversation_id) if req.conversation_id else None,
        )
    except BaseException:
        discard_assets(stored)  # a refused edit keeps nothing
        raise
    used = {record.source_id, *record.extra_images.values_list("pk", flat=True)}
    discard_assets([asset for asset in stored if asset.pk not in used])
    return record


def _create(request: HttpRequest, membership: Membership) -> tuple[Record, bool]:
    """The new record, and whether the caller asked for an answer at once."""
    req = parse_feature(read_json(request))
    return _start(request, membership, req), req.answer_at_once


def _status(record_id: int) -> str:
    return Record.objects.filter(pk=record_id).values_list("status", flat=True).get()


def _serialize(request: HttpRequest, membership: Membership, record_id: int) -> dict[str, Any]:
    return {"aiRecord": ai_record(records_for(membership).get(pk=record_id), site_url(request))}


async def _wait(record: Record) -> None:
    """Until the record is done or API_WAIT_SECONDS pass, holding no thread. The process's live
    feed says when a record changes (pushed by PostgreSQL; on SQLite one read per tick serves
    every waiter at once); the status itself is always read from the database, and re-read
    every 2 s in case a change was missed."""
    deadline = time.monotonic() + float(getattr(settings, "API_WAIT_SECONDS", 600))
    hub = live_hub()
    changes = hub.subscribe(record.membership_id)
    code = str(record.code)
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            if await sync_to_async(_status)(record.pk) in _DONE:
                return
            try:
                async with asyncio.timeout(min(2.0, remaining)):
                    while not _finishes(await changes.get(), code):
                        pass
            except TimeoutError:
                pass
    finally:
        hub.unsubscribe(record.membership_id, changes)


def _finishes(change, code: str) -> bool:
    return (
        change.kind == "record"
        and change.data.get("code") == code
        and (change.data.get("status") in _DONE)
    )


def _answer(body: dict[str, Any], *, status_if_running: int) -> JsonResponse:
    record = body["aiRecord"]
    if record["status"] == Record.Status.SUCCESS:
        return JsonResponse(body)
    if record["status"] == Record.Status.FAILED:
        message = record["error"] or "The edit failed."
        return JsonResponse({**error_body(message, code=FEATURE_FAILED), **body}, status=400)
    return JsonResponse({"aiRecord": polled(record)}, status=status_if_running)


@csrf_exempt
async def features(request: HttpRequest) -> JsonResponse:
    """GET: the caller's records. POST: run an edit (see the module's docstring)."""
    if request.method not in ("GET", "POST"):
        return error_response(ApiError("Use GET or POST.", status=405))
    membership = await sync_to_async(caller)(request)
    if membership is None:
        return unauthorized()
    try:
        if request.method == "GET":
            return await sync_to_async(record_list)(request, membership)
        record, at_once = await sync_to_async(_create)(request, membership)
    except UserFacingError as exc:
        return error_response(exc)
    if at_once or request.GET.get("async", "").lower() in ("1", "true", "yes"):
        body = await sync_to_async(_serialize)(request, membership, record.pk)
        return JsonResponse({"aiRecord": polled(body["aiRecord"])}, status=200 if at_once else 202)
    await _wait(record)
    body = await sync_to_async(_serialize)(request, membership, record.pk)
    return _answer(body, status_if_running=202)
