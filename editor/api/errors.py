"""Django's error pages for the whole site, JSON on /api/: a 400 (an oversized body, too many
fields), 403 or 500 that happens outside the API's own views is still the API's error body."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from editor.api.http import error_body

_MESSAGES = {
    400: "The request could not be read (too large, too many fields or malformed).",
    403: "This request is not allowed.",
    404: "No API call at this address.",
    500: "Promptbrush failed while answering; the error was logged.",
}


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(status: int) -> JsonResponse:
    return JsonResponse(error_body(_MESSAGES[status], status=status), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _json(400) if _api(request) else defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _json(403) if _api(request) else defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _json(404) if _api(request) else defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return _json(500) if _api(request) else defaults.server_error(request)
