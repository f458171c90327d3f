"""Business steps for stored images and edit records."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse

from accounts.models import Membership
from core.errors import UserFacingError
from gallery.models import Asset, Record, ReviewTag

CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "webp": "image/webp",
}
_SIGNER_SALT = "gallery.asset"


class StorageUnavailable(Exception):
    """The media storage (local disk or S3) could not take or give a file."""

    message = "The file storage could not be reached, so nothing was saved. Try again shortly."

    def __str__(self) -> str:
        return self.message


def store_asset(
    membership: Membership,
    data: bytes,
    *,
    kind: str,
    extension: str,
    name: str = "",
    width: int = 0,
    height: int = 0,
    save_row: bool = True,
) -> Asset:
    """Save bytes through the default storage (local files or S3 alike) as a team asset.

    With save_row=False only the file is written: the caller saves the row later, so several
    assets go into the database in one transaction."""
    extension = "jpeg" if extension == "jpg" else extension
    asset = Asset(
        team_id=membership.team_id,
        owner_id=membership.user_id,
        kind=kind,
        name=name[:255],
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        size=len(data),
        width=width,
        height=height,
    )
    asset.team = membership.team
    try:
        asset.file.save(f"upload.{extension}", ContentFile(data), save=False)
    except Exception as exc:
        # OSError from a full or read-only disk, botocore's errors from S3: the caller needs
        # one plain reason, never the storage's endpoint or bucket layout.
        raise StorageUnavailable from exc
    if save_row:
        asset.save()
    return asset


class FileGone(UserFacingError):
    """An asset whose row is here but whose file is not: deleted from the disk by an operator,
    or an object lost from the bucket. `field` names the input that pointed at it."""

    MESSAGE = "The file of this image is no longer stored; upload the image again."

    def __init__(self, field: str | None = None, message: str = MESSAGE) -> None:
        super().__init__(field, message)


def read_asset(asset: Asset, field: str | None = None) -> bytes:
    """A stored asset's bytes, from local files or S3 alike; FileGone (naming `field`) when the
    file is missing from storage."""
    try:
        with asset.file.open("rb") as fh:
            return fh.read()
    except FileNotFoundError:  # django-storages' S3 backend raises it for a missing key too
        raise FileGone(field) from None


def file_exists(asset: Asset) -> bool:
    """Whether the asset's file is still in storage (one stat, or one HEAD on S3)."""
    return asset.file.storage.exists(asset.file.name)


def assets_visible_to(membership: Membership):
    """Assets a member may see: their own, or the whole team's for a team admin."""
    qs = Asset.objects.filter(team_id=membership.team_id)
    return qs if membership.is_admin else qs.filter(owner_id=membership.user_id)


def records_visible_to(membership: Membership, *, whole_team: bool = False):
    qs = Record.objects.filter(team_id=membership.team_id)
    if whole_team and membership.is_admin:
        return qs
    return qs.filter(user_id=membership.user_id)


def asset_from_path(membership: Membership, path: str) -> Asset | None:
    """Resolve an API imageUrl/maskUrl that names one of our assets: `assets/<uuid>.<ext>`
    as handed out by POST /api/assets, or the bare uuid."""
    stem = path.strip().removeprefix("/").removeprefix("assets/").rsplit(".", 1)[0]
    try:
        code = uuid.UUID(stem)
    except ValueError:
        return None
    return assets_visible_to(membership).filter(code=code).first()


# What GET /<key> serves without credentials: results and the provider's raw output, never
# uploads, masks, thumbnails or drift maps.
PUBLIC_KINDS = (Asset.Kind.RESULT, Asset.Kind.RAW)


_KEY_NAME = re.compile(r"^([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})\.([a-z0-9]+)$")


def asset_from_result_key(name: str) -> Asset | None:
    """The result whose key is `assets/<name>`, `<name>` being `<uuid>.<ext>` exactly as
    resultObject spells it; None for any other kind, spelling, extension, a deleted or a
    made-up key alike."""
    match = _KEY_NAME.match(name)
    if match is None:
        return None
    asset = Asset.objects.filter(code=match[1], kind__in=PUBLIC_KINDS).first()
    return asset if asset is not None and asset.extension == match[2] else None


def signed_asset_url(asset: Asset, *, absolute_base: str = "") -> str:
    """A link that works without signing in, for SIGNED_URL_MAX_AGE seconds."""
    token = signing.TimestampSigner(salt=_SIGNER_SALT).sign(str(asset.code))
    path = reverse("gallery:signed_file", args=[token])
    return f"{absolute_base}{path}"


def asset_from_signature(token: str) -> Asset | None:
    try:
        code = signing.TimestampSigner(salt=_SIGNER_SALT).unsign(
            token, max_age=settings.SIGNED_URL_MAX_AGE
        )
    except signing.BadSignature:
        return None
    return Asset.objects.filter(code=code).first()


@transaction.atomic
def delete_record(record: Record) -> None:
    """Delete a record with every file it owns (source and mask stay if other records use them)."""
    assets = []
    related = ("image", "image__preview", "raw", "thumbnail", "drift")
    for image in record.images.select_related(*related):
        owned = (image.image, image.image.preview, image.raw, image.thumbnail, image.drift)
        assets += [a for a in owned if a]
    record.delete()
    for asset in assets:
        _delete_asset(asset)


def discard_assets(assets: list[Asset]) -> None:
    """Delete assets a call stored and then did not use (it was refused), with their previews
    and files, at once: nothing of a refused call is kept."""
    for asset in assets:
        for stored in (asset, asset.preview):
            if stored is not None and stored.pk is not None:
                stored.file.delete(save=False)
                stored.delete()


def _delete_asset(asset: Asset) -> None:
    name = asset.file.name
    storage = asset.file.storage
    asset.delete()
    transaction.on_commit(lambda: storage.delete(name))


# A rating change leaves out what it does not change; None is a value (no rating).
UNCHANGED: Any = object()


def record_rating(
    record: Record, *, rating: Any = UNCHANGED, feedback: Any = UNCHANGED, tags: Any = UNCHANGED
) -> Record:
    """Rate a record 1-5 (None clears the rating), keep the feedback text and the review tags.
    Only what is passed changes. Every page and the API save ratings through here."""
    fields = []
    if rating is not UNCHANGED:
        if rating is not None and not 1 <= rating <= 5:
            raise UserFacingError("rating", "A rating is a whole number from 1 to 5.")
        record.rating = rating
        fields.append("rating")
    if feedback is not UNCHANGED:
        record.feedback = feedback.strip()
        fields.append("feedback")
    if tags is not UNCHANGED:
        unknown = set(tags) - set(ReviewTag.values)
        if unknown:
            raise UserFacingError("tags", f"Unknown review tag(s): {', '.join(sorted(unknown))}.")
        record.review_tags = [tag for tag in ReviewTag.values if tag in tags]  # canonical order
        fields.append("review_tags")
    if fields:
        record.save(update_fields=fields)
    return record


def recent_prompts(membership: Membership, *, limit: int = 8) -> list[dict]:
    """The member's latest distinct prompts, newest first, each with the best rating its
    results earned and how often it was used: a prompt history to pick from."""
    rows = (
        Record.objects.filter(team_id=membership.team_id, user_id=membership.user_id)
        .exclude(prompt="")
        .values("prompt")
        .annotate(last_used=Max("created"), best_rating=Max("rating"), uses=Count("id"))
        .order_by("-last_used")[:limit]
    )
    return list(rows)
