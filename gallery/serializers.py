"""The one aiRecord serialiser: the JSON API, the JSON export and the zip manifest all call it.

aiRecord keeps 1min.ai's fields and adds provider, error, reviewTags, durations, cost and
resultUrls. Where our two old serialisers disagreed, 1min.ai's published examples decide
(shared seeds, "Response Format"): `createdAt` is JavaScript's toISOString() form,
"2025-01-15T16:00:00.000Z" (UTC, milliseconds, `Z`), and an empty `feedback` is null, as are
empty `metadata`, `additionalData` and `error`. `status` is ours: PENDING, RUNNING, SUCCESS or
FAILED (a FAILED record carries `error` in plain words); `polled` gives the same aiRecord with
1min.ai's polling statuses (PROCESSING, SUCCESS, FAILURE), as its clients wait for them.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from gallery.models import Record, RecordImage
from gallery.services import signed_asset_url


def site_url(request: HttpRequest) -> str:
    """The absolute base that links in an aiRecord start with (SITE_URL wins when set)."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def with_ai_record_data(records: QuerySet[Record]) -> QuerySet[Record]:
    """What ai_record reads, loaded in a constant number of queries."""
    images = RecordImage.objects.select_related("image", "raw").order_by("position")
    return records.select_related("user", "team", "membership").prefetch_related(
        Prefetch("images", queryset=images)
    )


def iso_utc(value: datetime.datetime | None) -> str | None:
    """1min.ai's timestamp form: UTC with milliseconds and a `Z`."""
    if value is None:
        return None
    utc = value.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _ms(start: datetime.datetime | None, end: datetime.datetime | None) -> int | None:
    if not start or not end:
        return None
    return int((end - start).total_seconds() * 1000)


# Our statuses as 1min.ai's GET /api/results/<uuid> names them (shared/providers.md 1.4).
POLLING_STATUS = {
    Record.Status.PENDING: "PROCESSING",
    Record.Status.RUNNING: "PROCESSING",
    Record.Status.SUCCESS: "SUCCESS",
    Record.Status.FAILED: "FAILURE",
}


def polled(ai_record_data: dict[str, Any]) -> dict[str, Any]:
    """An aiRecord in 1min.ai's polling form: only `status` differs."""
    return {**ai_record_data, "status": POLLING_STATUS[ai_record_data["status"]]}


def ai_record(record: Record, base_url: str) -> dict[str, Any]:
    """The record in 1min.ai's aiRecord shape; `base_url` starts the signed links. Expects the
    relations of with_ai_record_data loaded."""
    membership = record.membership
    user = record.user
    items = list(record.images.all())
    results = [item.image for item in items]
    urls = [signed_asset_url(asset, absolute_base=base_url) for asset in results]
    return {
        "uuid": str(record.code),
        "userId": str(user.code),
        "teamId": str(record.team.code),
        "teamUser": {
            "teamId": str(record.team.code),
            "userId": str(user.code),
            "userName": user.get_full_name() or user.username,
            "userAvatar": None,
            "status": membership.status,
            "role": membership.role,
            "creditLimit": membership.credit_limit,
            "usedCredit": membership.used_credit,
        },
        # What the caller asked for (1min.ai echoes it); providerModel is what ran at provider.
        "model": record.requested_model or record.model,
        "providerModel": record.model,
        "type": record.type,
        "metadata": record.metadata or None,
        "rating": record.rating,
        "feedback": record.feedback or None,
        "reviewTags": record.review_tags or [],
        "conversationId": str(record.conversation_id) if record.conversation_id else None,
        "status": record.status,
        "createdAt": iso_utc(record.created),
        "aiRecordDetail": {
            "promptObject": record.prompt_object,
            "resultObject": [asset.path for asset in results],
            "responseObject": record.response_object or {},
        },
        "additionalData": record.additional_data or None,
        "temporaryUrl": urls[0] if urls else None,
        "provider": record.provider,
        "error": record.error or None,
        "durations": {
            "queueMs": _ms(record.created, record.started),
            "providerMs": record.provider_ms,
            "totalMs": record.total_ms,
        },
        "cost": {"estimate": record.cost, "actual": record.actual_cost},
        "requestIds": record.request_ids or [],
        "missingResults": record.missing_results or [],
        "resultUrls": urls,
        # The provider's own output before paste-back, downloadable by key like the results.
        "rawResultObject": [item.raw.path for item in items if item.raw is not None],
    }
