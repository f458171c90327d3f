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
from gallery.links import asset_for_path, own_path
from gallery.models import Asset
from gallery.serializers import site_url
from gallery.services import read_asset, signed_asset_url


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


def resolve_asset(request: HttpRequest, membership: Membership, url: str, field: str) -> Asset:
    """The image `url` names: one of our own URLs read from storage, or a public http(s) URL
    fetched and stored as an upload."""
    path = own_path(url, own_hosts(request))
    if path is None:
        try:
            data = ssrf.fetch_public(url)
            return services.upload_image(membership, data, url.rsplit("/", 1)[-1][:100])
        except UserFacingError as exc:
            raise ApiError(exc.message, field) from exc
    named = asset_for_path(membership, path)
    if named is None:
        raise ApiError(
            f"{field} names no image of yours; upload it with POST /api/assets first.", field, 404
        )
    if named.mine:
        return named.asset
    # Someone's result shared by its key or a signed link: the link is the permission. Copy it
    # into the caller's uploads, so their record never points at another team's file.
    return services.upload_image(membership, read_asset(named.asset), named.asset.name)
