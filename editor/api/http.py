"""What every API view shares: the API key, the JSON body, and errors as JSON 4xx.

Errors follow 1min.ai's contract, which clients test with raise_for_status() and then read:
`{"errorCode": "UNSUPPORTED_MODEL", "message": "..."}` (shared/providers.md 1.5), and keep
ours, `{"error": {"message", "field"}}`, in the same body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Membership
from accounts.services import authenticate_token
from core.errors import UserFacingError
from editor.field_names import api_field
from gallery.models import Record
from gallery.serializers import with_ai_record_data
from gallery.services import records_visible_to

_TRAILING_COMMA = re.compile(r'("(?:[^"\\]|\\.)*")|,(\s*[}\]])')


class ApiError(UserFacingError):
    """A request the API answers with a 4xx: {"errorCode", "message", "error": {...}}.
    `code` overrides the errorCode read from the status and field (see error_code)."""

    def __init__(
        self, message: str, field: str | None = None, status: int = 400, code: str = ""
    ) -> None:
        super().__init__(field, message)
        self.status = status
        self.code = code


# errorCode by HTTP status, then by the input at fault; 1min.ai's own names where it has one.
_CODE_BY_STATUS = {
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",  # ours, not the request's: retrying the same request is fair
}
_CODE_BY_FIELD = {
    "model": "UNSUPPORTED_MODEL",
    "type": "UNSUPPORTED_FEATURE_TYPE",
    "credits": "INSUFFICIENT_CREDITS",
    "provider": "PROVIDER_UNAVAILABLE",
}
# A feature that ran and failed (1min.ai's code when the upstream model refused or broke).
FEATURE_FAILED = "EXTERNAL_API_RESPONSE_WITH_ERROR"


def error_code(status: int, field: str | None) -> str:
    return _CODE_BY_STATUS.get(status) or _CODE_BY_FIELD.get(field or "", "INVALID_REQUEST")


def error_body(
    message: str, field: str | None = None, *, status: int = 400, code: str = ""
) -> dict[str, Any]:
    """1min.ai's error keys and ours, as every error on /api/* carries them."""
    error: dict[str, Any] = {"message": message}
    if field:
        error["field"] = field
    return {"errorCode": code or error_code(status, field), "message": message, "error": error}


def error_response(exc: UserFacingError) -> JsonResponse:
    """Any user-fixable error as the API's JSON 4xx; a service's input name becomes the API's."""
    status = getattr(exc, "status", 400)
    body = error_body(
        exc.message, api_field(exc.field), status=status, code=getattr(exc, "code", "")
    )
    return JsonResponse(body, status=status)


@csrf_exempt
def unknown_path(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any /api/ path no view serves: a JSON 404 (not the site's HTML page), whatever the
    method; exempt from CSRF so a POST is told the same thing."""
    return error_response(ApiError(f"No API call at {request.path}.", status=404))


def not_found(what: str = "record") -> ApiError:
    return ApiError(f"No such {what}.", status=404)


def caller(request: HttpRequest) -> Membership | None:
    token = authenticate_token(request.headers.get("API-KEY", "").strip())
    return token.membership if token is not None else None


def unauthorized() -> JsonResponse:
    return error_response(ApiError("Send a valid API key in the API-KEY header.", "API-KEY", 401))


def read_json(request: HttpRequest) -> Any:
    """The body as JSON. Trailing commas (as in some of 1min.ai's own examples) are forgiven."""
    try:
        text = request.body.decode("utf-8")
    except RequestDataTooBig:
        raise ApiError(
            f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)} "
            "MB; upload images with POST /api/assets and send their paths.",
            "body",
            413,
        ) from None
    except UnicodeDecodeError:
        raise ApiError("The request body must be UTF-8 JSON.", "body") from None
    try:
        return _loads(text)
    except ValueError:
        pass
    try:
        return _loads(_TRAILING_COMMA.sub(lambda m: m[1] or m[2], text))
    except ValueError:
        raise ApiError("The request body is not valid JSON.", "body") from None


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:  # [[[[... thousands deep: Python's parser gives up, not us
        raise ApiError("The request body is nested too deeply.", "body") from None


def api_view(methods: tuple[str, ...]) -> Callable:
    """Method check, API-key auth and user-fixable errors -> JSON for sync views."""

    def decorate(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            membership = caller(request)
            if membership is None:
                return unauthorized()
            if request.method not in methods:
                return error_response(ApiError(f"Use {' or '.join(methods)}.", status=405))
            try:
                return view(request, membership, *args, **kwargs)
            except UserFacingError as exc:
                return error_response(exc)

        return wrapper

    return decorate


def records_for(membership: Membership) -> QuerySet[Record]:
    """The caller's own records with what an aiRecord shows loaded."""
    return with_ai_record_data(records_visible_to(membership))


def form_error(form: Form) -> ApiError:
    """A bound form's first error as an ApiError naming the field the caller sent."""
    name, errors = next(iter(form.errors.items()))
    field = None if name == NON_FIELD_ERRORS else api_field(name)
    return ApiError(f"{field}: {' '.join(errors)}" if field else " ".join(errors), field)
