"""GET /api/models?feature=TYPE: every model id the caller may ask for, aliases included, with
the provider and model that run when they do (editor.aliases decides)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from accounts.models import Membership
from editor import aliases
from editor.api.http import ApiError, api_view
from editor.providers.base import RECORD_TYPES


@api_view(("GET",))
def models(request: HttpRequest, membership: Membership) -> JsonResponse:
    feature = request.GET.get("feature", "")
    if feature not in RECORD_TYPES:
        raise ApiError(f"feature must be one of {', '.join(RECORD_TYPES)}.", "feature")
    return JsonResponse(
        {"feature": feature, "models": aliases.askable(membership.team_id, feature)}
    )
