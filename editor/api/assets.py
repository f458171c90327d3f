"""POST /api/assets: store an image, answered in the shape of 1min.ai's Asset API; and how every
API call reads an imageUrl or maskUrl (`resolve_asset`): any URL Promptbrush issued is read
from storage (gallery.links), any other is fetched from public addresses only (editor.ssrf)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from accounts.models import Membership
from core.errors import UserFacingError
from editor import services, ssrf, uploads
from editor.api.http import ApiError, api_view
from gallery.links import NamedAsset, asset_for_path, own_path
from gallery.models import Asset
from gallery.serializers import site_url
from gallery.services import FileGone, read_asset, signed_asset_url


def uploaded_asset(asset: Asset, location: str) -> dict[str, Any]:
    return {
        "asset": {
            "fieldname": "asset",
            "originalname": asset.name,
            "encoding": "7bit",
            "mimetype": asset.content_type,
            "size": asset.size,
            "key": asset.path,
            "location": location,
            "width": asset.width,
            "height": asset.height,
        },
        "fileContent": {
            "uuid": str(asset.code),
            "path": asset.path,
            "type": asset.content_type,
            "name": asset.name,
        },
    }


@api_view(("POST",))
def assets(request: HttpRequest, membership: Membership) -> JsonResponse:
    if uploads.declared_too_large(request):  # refused before a byte of the body is read
        raise ApiError(uploads.too_large_message(), "asset", 413)
    upload = request.FILES.get("asset")
    if uploads.refused_field(request) or (upload and upload.size > uploads.limit_bytes()):
        raise ApiError(uploads.too_large_message(upload.size if upload else None), "asset", 413)
    if upload is None:
        raise ApiError("Send the image as the multipart field 'asset'.", "asset")
    asset = services.upload_image(membership, upload.read(), upload.name or "image")
    location = signed_asset_url(asset, absolute_base=site_url(request))
    return JsonResponse(uploaded_asset(asset, location), status=200)


def own_hosts(request: HttpRequest) -> set[str]:
    """The host[:port] names under which this instance issued its links."""
    hosts = {request.get_host().lower()}
    if settings.SITE_URL:
        hosts.add(urlsplit(settings.SITE_URL).netloc.lower())
    return hosts


def _named(request: HttpRequest, membership: Membership, url: str, field: str) -> NamedAsset | None:
    """The stored image one of our own URLs names; None for a foreign URL (to be fetched)."""
    path = own_path(url, own_hosts(request))
    if path is None:
        return None
    named = asset_for_path(membership, path)
    if named is None:
        raise ApiError(
            f"{field} names no image of yours; upload it with POST /api/assets first.", field, 404
        )
    return named


def _read(named: NamedAsset, field: str) -> bytes:
    try:
        return read_asset(named.asset, field)
    except FileGone:
        raise ApiError(
            f"{field} names an image whose file is no longer stored; upload it again with "
            "POST /api/assets and send the new path.",
            field,
        ) from None


def _fetch(url: str, field: str) -> bytes:
    try:
        return ssrf.fetch_public(url)
    except UserFacingError as exc:
        raise ApiError(exc.message, field) from exc


def resolve_asset(
    request: HttpRequest,
    membership: Membership,
    url: str,
    field: str,
    stored: list[Asset] | None = None,
) -> Asset:
    """The image `url` names: one of our own URLs read from storage, or a public http(s) URL
    fetched and stored as an upload. An asset stored here is added to `stored`, so a call that
    is then refused can discard it (gallery.services.discard_assets)."""
    named = _named(request, membership, url, field)
    if named is not None and named.mine:
        return named.asset
    if named is None:
        data, name = _fetch(url, field), url.rsplit("/", 1)[-1][:100]
    else:
        # Someone's result shared by its key or a signed link: the link is the permission. Copy
        # it into the caller's uploads, so their record never points at another team's file.
        data, name = _read(named, field), named.asset.name
    try:
        asset = services.upload_image(membership, data, name)
    except UserFacingError as exc:
        raise ApiError(exc.message, field) from exc
    if stored is not None:
        stored.append(asset)
    return asset


def read_image(request: HttpRequest, membership: Membership, url: str, field: str) -> bytes:
    """The bytes `url` names, stored nowhere: a mask is read, checked and rewritten by the
    service that uses it, so no copy of it is kept."""
    named = _named(request, membership, url, field)
    return _fetch(url, field) if named is None else _read(named, field)
