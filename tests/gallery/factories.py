"""Records as the engine writes them, with real tiny PNGs stored through gallery.services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Membership
from gallery.models import Asset, Record, RecordImage
from gallery.services import store_asset
from tests.conftest import png_bytes


def make_asset(membership: Membership, kind: str = Asset.Kind.UPLOAD, color=(10, 120, 200)):
    return store_asset(
        membership, png_bytes(8, 6, color), kind=kind, extension="png", width=8, height=6
    )


def with_preview(membership: Membership, asset: Asset) -> Asset:
    """As the job stores a result: with a preview pages show instead."""
    asset.preview = make_asset(membership, Asset.Kind.PREVIEW)
    asset.save(update_fields=["preview"])
    return asset


def make_record(
    membership: Membership,
    *,
    results: int = 1,
    source: Asset | None = None,
    mask: bool = False,
    drift_share: float | None = None,
    created: datetime.datetime | None = None,
    **fields,
) -> Record:
    """A finished record with `results` stored images (each with raw output and thumbnail)."""
    defaults = {
        "type": Record.Type.IMAGE_INPAINTER,
        "provider": "local",
        "model": "telea",
        "status": Record.Status.SUCCESS,
        "prompt": "Replace the sky with a sunset",
        "prompt_object": {"prompt": "Replace the sky with a sunset", "n": results, "size": "auto"},
        "options": {"paste_back": True, "feather": 4},
        "response_object": {"provider_said": "ok", "id": "resp-123"},
        "cost": 0,
    }
    defaults |= fields
    if source is None and defaults["type"] != Record.Type.IMAGE_GENERATOR:
        source = make_asset(membership)
    record = Record.objects.create(
        team_id=membership.team_id,
        user_id=membership.user_id,
        membership=membership,
        source=source,
        mask=make_asset(membership, Asset.Kind.MASK, (255, 255, 255)) if mask else None,
        **defaults,
    )
    if created is not None or defaults["status"] in (Record.Status.SUCCESS, Record.Status.FAILED):
        created = created or record.created
        Record.objects.filter(pk=record.pk).update(
            created=created,
            started=created + datetime.timedelta(seconds=1),
            finished=created + datetime.timedelta(seconds=5),
            provider_ms=3500,
        )
        record.refresh_from_db()
    if defaults["status"] == Record.Status.SUCCESS:
        for position in range(results):
            RecordImage.objects.create(
                record=record,
                position=position,
                image=with_preview(
                    membership, make_asset(membership, Asset.Kind.RESULT, (200, 10 * position, 30))
                ),
                raw=make_asset(membership, Asset.Kind.RAW),
                thumbnail=make_asset(membership, Asset.Kind.THUMBNAIL),
                drift=make_asset(membership, Asset.Kind.DRIFT) if drift_share is not None else None,
                drift_share=drift_share,
            )
    return record


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)
