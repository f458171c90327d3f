from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from gallery import services
from gallery.models import Asset


def _file_response(asset: Asset, *, download: bool) -> FileResponse:
    try:
        handle = asset.file.open("rb")
    except FileNotFoundError:
        raise Http404("This file is no longer stored.") from None
    response = FileResponse(
        handle,
        content_type=asset.content_type,
        as_attachment=download,
        filename=f"promptbrush-{asset.code}.{asset.extension}",
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def asset_file(request, code):
    asset = get_object_or_404(services.assets_visible_to(request.membership), code=code)
    return _file_response(asset, download="download" in request.GET)


@require_GET
def signed_file(request, token):
    asset = services.asset_from_signature(token)
    if asset is None:
        raise Http404("This link has expired or is not valid.")
    return _file_response(asset, download="download" in request.GET)
