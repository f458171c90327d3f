"""GET /api/providers: every provider with its models and parameters, usable ones first."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from accounts.models import Membership
from editor import services
from editor.api.http import api_view


@api_view(("GET",))
def providers(request: HttpRequest, membership: Membership) -> JsonResponse:
    return JsonResponse({"providers": services.provider_catalogue(membership)})
