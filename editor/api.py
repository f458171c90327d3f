"""The 1min.ai-compatible JSON API (design.md "JSON API").

Auth: header `API-KEY: <token>`. No cookies are read, so the views are CSRF-exempt. Anything
not the caller's is a 404. POST /api/features waits for the job without holding a thread: the
view is async and polls the record with asyncio.sleep between short database reads.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from asgiref.sync import sync_to_async
from django import forms
from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Membership
from accounts.services import authenticate_token
from editor import services, ssrf
from editor.catalogue import provider_for_model
from editor.serializers import (
    ApiError,
    FeatureRequest,
    ai_record,
    parse_feature,
    parse_rating,
    uploaded_asset,
)
from gallery.models import Asset, Record, RecordImage
from gallery.services import asset_from_path, record_rating, records_visible_to, signed_asset_url

_FIELD_NAMES = {"image": "imageUrl", "mask": "maskUrl", "extra_images": "imageUrls"}
_FIELD_NAMES |= {"invert": "invertMask", "grow": "growMask", "feather": "featherMask"}
_TRAILING_COMMA = re.compile(r'("(?:[^"\\]|\\.)*")|,(\s*[}\]])')


def _error(exc: ApiError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status)


def _not_found(what: str = "record") -> ApiError:
    return ApiError(f"No such {what}.", status=404)


def _base_url(request: HttpRequest) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


def _membership(request: HttpRequest) -> Membership | None:
    token = authenticate_token(request.headers.get("API-KEY", "").strip())
    return token.membership if token is not None else None


def _unauthorized() -> JsonResponse:
    return _error(ApiError("Send a valid API key in the API-KEY header.", "API-KEY", 401))


def _json(request: HttpRequest) -> Any:
    """The body as JSON. Trailing commas (as in some of 1min.ai's own examples) are forgiven."""
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError("The request body must be UTF-8 JSON.", "body") from None
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return json.loads(_TRAILING_COMMA.sub(lambda m: m[1] or m[2], text))
    except ValueError:
        raise ApiError("The request body is not valid JSON.", "body") from None


def api_view(methods: tuple[str, ...]) -> Callable:
    """Method check, API-key auth and ApiError -> JSON for sync views."""

    def decorate(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            membership = _membership(request)
            if membership is None:
                return _unauthorized()
            if request.method not in methods:
                return _error(ApiError(f"Use {' or '.join(methods)}.", status=405))
            try:
                return view(request, membership, *args, **kwargs)
            except ApiError as exc:
                return _error(exc)
            except services.EditRejected as exc:
                return _error(ApiError(exc.message, _FIELD_NAMES.get(exc.field, exc.field)))

        return wrapper

    return decorate


def records_for(membership: Membership) -> QuerySet[Record]:
    images = RecordImage.objects.select_related("image").order_by("position")
    return (
        records_visible_to(membership)
        .select_related("user", "team", "membership")
        .prefetch_related(Prefetch("images", queryset=images))
    )


# --- assets ----------------------------------------------------------------------------------


@api_view(("POST",))
def assets(request: HttpRequest, membership: Membership) -> JsonResponse:
    upload = request.FILES.get("asset")
    if upload is None:
        raise ApiError("Send the image as the multipart field 'asset'.", "asset")
    if upload.size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 5:
        raise ApiError("The image is too large to upload.", "asset", 413)
    asset = services.upload_image(membership, upload.read(), upload.name or "image")
    location = signed_asset_url(asset, absolute_base=_base_url(request))
    return JsonResponse(uploaded_asset(asset, location), status=200)


# --- providers -------------------------------------------------------------------------------


@api_view(("GET",))
def providers(request: HttpRequest, membership: Membership) -> JsonResponse:
    return JsonResponse({"providers": services.provider_catalogue(membership)})


# --- features --------------------------------------------------------------------------------


class RecordFilterForm(forms.Form):
    type = forms.ChoiceField(choices=Record.Type.choices, required=False)
    provider = forms.CharField(max_length=20, required=False)
    model = forms.CharField(max_length=100, required=False)
    status = forms.ChoiceField(choices=Record.Status.choices, required=False)
    min_rating = forms.IntegerField(min_value=1, max_value=5, required=False)
    q = forms.CharField(max_length=200, required=False)
    limit = forms.IntegerField(min_value=1, max_value=100, required=False)
    offset = forms.IntegerField(min_value=0, required=False)


def _list(request: HttpRequest, membership: Membership) -> JsonResponse:
    form = RecordFilterForm(request.GET)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(f"{field}: {' '.join(errors)}", field)
    data = form.cleaned_data
    qs = records_for(membership)
    for name in ("type", "provider", "model", "status"):
        if data[name]:
            qs = qs.filter(**{name: data[name]})
    if data["min_rating"]:
        qs = qs.filter(rating__gte=data["min_rating"])
    if data["q"]:
        qs = qs.filter(Q(prompt__icontains=data["q"]) | Q(feedback__icontains=data["q"]))
    limit, offset = data["limit"] or 20, data["offset"] or 0
    page = list(qs.order_by("-created", "-id")[offset : offset + limit + 1])
    next_url = None
    if len(page) > limit:
        query = request.GET.copy()
        query["limit"], query["offset"] = str(limit), str(offset + limit)
        next_url = f"{_base_url(request)}{request.path}?{query.urlencode()}"
    base = _base_url(request)
    return JsonResponse({"aiRecords": [ai_record(r, base) for r in page[:limit]], "next": next_url})


def _resolve_asset(membership: Membership, url: str, field: str) -> Asset:
    """Our asset path or uuid, or a public http(s) URL fetched and stored as an upload."""
    if "://" in url:
        try:
            data = ssrf.fetch_public(url)
        except ssrf.FetchRefused as exc:
            raise ApiError(exc.message, field) from exc
        try:
            return services.upload_image(membership, data, url.rsplit("/", 1)[-1][:100])
        except services.EditRejected as exc:
            raise ApiError(exc.message, field) from exc
    asset = asset_from_path(membership, url)
    if asset is None:
        raise ApiError(
            f"{field} names no image of yours; upload it with POST /api/assets first.", field, 404
        )
    return asset


def _start(request: HttpRequest, membership: Membership, req: FeatureRequest) -> Record:
    provider = req.provider or provider_for_model(membership.team_id, req.model, req.type)
    if provider is None:
        raise ApiError(f"No provider offers the model {req.model!r}.", "model")
    source = _resolve_asset(membership, req.image_url, "imageUrl") if req.image_url else None
    extras = [_resolve_asset(membership, u, "imageUrls") for u in req.image_urls]
    mask = None
    if req.mask_url:
        mask_asset = _resolve_asset(membership, req.mask_url, "maskUrl")
        mask = services.submit.read_asset(mask_asset)
    parent = None
    if req.conversation_id:
        try:
            cid = uuid.UUID(req.conversation_id)
        except ValueError:
            raise ApiError("conversationId must be a record uuid.", "conversationId") from None
        parent = (
            records_visible_to(membership)
            .filter(Q(code=cid) | Q(conversation_id=cid))
            .order_by("-created")
            .first()
        )
        if parent is None:
            raise ApiError("conversationId names no record of yours.", "conversationId", 404)
    return services.start_edit(
        membership,
        type=req.type,
        provider=provider,
        model=req.model,
        prompt=req.prompt,
        params=req.params,
        source=source,
        mask=mask,
        extra_images=extras,
        mask_options=req.mask_options,
        paste_back=req.paste_back,
        parent=parent,
    )


def _create(request: HttpRequest, membership: Membership) -> Record:
    try:
        return _start(request, membership, parse_feature(_json(request)))
    except services.EditRejected as exc:
        raise ApiError(exc.message, _FIELD_NAMES.get(exc.field, exc.field)) from exc


def _status(record_id: int) -> str:
    return Record.objects.filter(pk=record_id).values_list("status", flat=True).get()


def _serialize(request: HttpRequest, membership: Membership, record_id: int) -> dict[str, Any]:
    return {"aiRecord": ai_record(records_for(membership).get(pk=record_id), _base_url(request))}


async def _wait(record_id: int) -> None:
    """Poll until the record is done or API_WAIT_SECONDS pass; sleeps hold no thread."""
    deadline = time.monotonic() + float(getattr(settings, "API_WAIT_SECONDS", 600))
    delay = 0.02
    while time.monotonic() < deadline:
        if await sync_to_async(_status)(record_id) in (Record.Status.SUCCESS, Record.Status.FAILED):
            return
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.25)  # a finished edit is answered within 0.25 s


@csrf_exempt
async def features(request: HttpRequest) -> JsonResponse:
    """GET: the caller's records. POST: run an edit (waits; `?async=true` answers 202 at once)."""
    if request.method not in ("GET", "POST"):
        return _error(ApiError("Use GET or POST.", status=405))
    membership = await sync_to_async(_membership)(request)
    if membership is None:
        return _unauthorized()
    try:
        if request.method == "GET":
            return await sync_to_async(_list)(request, membership)
        record = await sync_to_async(_create)(request, membership)
    except ApiError as exc:
        return _error(exc)
    if request.GET.get("async", "").lower() in ("1", "true", "yes"):
        body = await sync_to_async(_serialize)(request, membership, record.pk)
        return JsonResponse(body, status=202)
    await _wait(record.pk)
    body = await sync_to_async(_serialize)(request, membership, record.pk)
    done = body["aiRecord"]["status"] in (Record.Status.SUCCESS, Record.Status.FAILED)
    return JsonResponse(body, status=200 if done else 202)


@api_view(("GET", "PATCH"))
def feature(request: HttpRequest, membership: Membership, code: uuid.UUID) -> JsonResponse:
    record = records_for(membership).filter(code=code).first()
    if record is None:
        raise _not_found()
    if request.method == "PATCH":
        has_rating, rating, feedback, tags = parse_rating(_json(request))
        record_rating(
            record,
            rating if has_rating else record.rating,
            feedback if feedback is not None else record.feedback,
            tags,
        )
        record = records_for(membership).get(pk=record.pk)
    return JsonResponse({"aiRecord": ai_record(record, _base_url(request))})
