"""Which stored image one of Promptbrush's own URLs names, read without a network fetch.

Scripts hand back what we gave them as `imageUrl`: a `fileContent.path`, an asset uuid, a
result key (`/assets/<uuid>.<ext>`), a signed link (`temporaryUrl`, `resultUrls`, an upload's
`location`) or a page's file link, relative or absolute. Each grants what it grants when
downloaded: a key or a signed link opens that one file to anyone holding it; a path, uuid or
file link only the caller's own images.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

from accounts.models import Membership
from gallery.models import Asset
from gallery.services import (
    asset_from_path,
    asset_from_result_key,
    asset_from_signature,
    assets_visible_to,
)


@dataclass(frozen=True)
class NamedAsset:
    asset: Asset
    mine: bool  # visible to the caller; else only the link's holder may read it (copy it)


def own_path(url: str, own_hosts: Collection[str]) -> str | None:
    """The path of `url` when it points at this instance (relative, or absolute on one of
    `own_hosts`, lower-case host[:port]); None for anything else (a URL that cannot even be
    split, such as "http://[::1", is not ours either)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    foreign = parts.scheme not in ("http", "https") or parts.netloc.lower() not in own_hosts
    if (parts.scheme or parts.netloc) and foreign:
        return None
    return parts.path


def _linked(membership: Membership, path: str) -> Asset | None:
    try:
        match = resolve("/" + path.lstrip("/"))
    except Resolver404:
        return None
    if match.view_name == "gallery:signed_file":
        return asset_from_signature(match.kwargs["token"])
    if match.view_name == "result_key" and settings.RESULT_KEYS_PUBLIC:
        return asset_from_result_key(match.kwargs["name"])
    if match.view_name == "gallery:file":
        return assets_visible_to(membership).filter(code=match.kwargs["code"]).first()
    return None


def asset_for_path(membership: Membership, path: str) -> NamedAsset | None:
    """The image one of our paths names, or None when it names none the caller may read."""
    asset = asset_from_path(membership, path)
    if asset is not None:
        return NamedAsset(asset, mine=True)
    asset = _linked(membership, path)
    if asset is None:
        return None
    return NamedAsset(asset, mine=assets_visible_to(membership).filter(pk=asset.pk).exists())
