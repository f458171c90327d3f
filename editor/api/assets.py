"""POST /api/assets: store an image, answered in the shape of 1min.ai's Asset API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from accounts.models import Membership
from editor import services
from editor.api.http import ApiError, api_view
from gallery.models import Asset
from gallery.serializers import site_url
from gallery.services import signed_asset_url


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
    upload = request.FILES.get("asset")
    if upload is None:
        raise ApiError("Send the image as the multipart field 'asset'.", "asset")
    if upload.size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 5:
        raise ApiError("The image is too large to upload.", "asset", 413)
    asset = services.upload_image(membership, upload.read(), upload.name or "image")
    location = signed_asset_url(asset, absolute_base=site_url(request))
    return JsonResponse(uploaded_asset(asset, location), status=200)
