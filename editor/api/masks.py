"""POST /api/masks/select: smart selection for scripts (refine edges, magic wand, box select).

Body: {"imageUrl", "mode": "refine", "maskUrl", "band"?} | {"imageUrl", "mode": "wand",
"point": [x, y], "tolerance"?: 0..100} | {"imageUrl", "mode": "box", "box": [x0, y0, x1, y1]}.
The answer has /api/assets' shape (its fileContent.path works as a maskUrl) plus `coverage`,
the share of the image selected (0..1).
"""

from __future__ import annotations

import math
from typing import Any

from django.http import HttpRequest, JsonResponse

from accounts.models import Membership
from core.numbers import is_number
from editor.api.assets import read_image, resolve_asset, uploaded_asset
from editor.api.http import ApiError, api_view, read_json
from editor.engine import select as engine
from editor.services.params import shown
from editor.services.selection import MODES, SelectionRequest, select_mask
from gallery.models import Asset
from gallery.serializers import site_url
from gallery.services import discard_assets, signed_asset_url

DEFAULT_TOLERANCE = 20


def _coords(body: dict[str, Any], key: str, count: int, example: str) -> tuple[int, ...]:
    value = body.get(key)
    if not (isinstance(value, list) and len(value) == count and all(map(is_number, value))):
        raise ApiError(f"{key} must be {example}, in image pixels; got {shown(value)}.", key)
    return tuple(math.floor(v) for v in value)


def _band(body: dict[str, Any], default: int) -> int:
    band = body.get("band", default)
    if not is_number(band) or not engine.MIN_BAND <= band <= engine.MAX_BAND:
        raise ApiError(
            f"band is the width in pixels searched on each side of the mask's edge, "
            f"{engine.MIN_BAND}..{engine.MAX_BAND}; got {shown(band)}.",
            "band",
        )
    return round(band)


def _tolerance(body: dict[str, Any]) -> float:
    tolerance = body.get("tolerance", DEFAULT_TOLERANCE)
    if not is_number(tolerance) or not 0 <= tolerance <= engine.MAX_TOLERANCE:
        raise ApiError(
            f"tolerance must be a number from 0 to {engine.MAX_TOLERANCE}; got {shown(tolerance)}.",
            "tolerance",
        )
    return float(tolerance)


def _url(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(f"Send {key}: a path from POST /api/assets or a public image URL.", key)
    return value.strip()


def _request(
    request: HttpRequest, membership: Membership, body: Any, width: int, height: int
) -> SelectionRequest:
    mode = body.get("mode")
    if mode == "wand":
        return SelectionRequest(
            mode, point=_coords(body, "point", 2, "[x, y]"), tolerance=_tolerance(body)
        )
    if mode == "box":
        return SelectionRequest(mode, box=_coords(body, "box", 4, "[x0, y0, x1, y1]"))
    # refine. A script has no brush: by default look 2.5% of the longer side beyond the edge
    # (within the band the call takes, so a very long image is not refused for it).
    default = min(engine.MAX_BAND, max(engine.MIN_BAND, round(max(width, height) * 0.025)))
    mask = read_image(request, membership, _url(body, "maskUrl"), "maskUrl")
    return SelectionRequest(mode, mask=mask, band=_band(body, default))


@api_view(("POST",))
def select(request: HttpRequest, membership: Membership) -> JsonResponse:
    body = read_json(request)
    if not isinstance(body, dict):
        raise ApiError("The body must be a JSON object.", "body")
    if body.get("mode") not in MODES:
        raise ApiError(
            f"mode must be one of {', '.join(MODES)}; got {shown(body.get('mode'))}.", "mode"
        )
    stored: list[Asset] = []  # a fetched or copied image: discarded if the call is refused
    try:
        source = resolve_asset(request, membership, _url(body, "imageUrl"), "imageUrl", stored)
        selection = select_mask(
            membership, source, _request(request, membership, body, source.width, source.height)
        )
    except BaseException:
        discard_assets(stored)
        raise
    location = signed_asset_url(selection.asset, absolute_base=site_url(request))
    return JsonResponse(
        {**uploaded_asset(selection.asset, location), "coverage": selection.coverage}
    )
