from __future__ import annotations

import json

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotFound,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthenticatedHttpRequest
from gallery import exports, queries, services
from gallery.forms import RatingForm, RecordFilterForm
from gallery.models import Asset, Record
from gallery.serializers import site_url

CHUNK = 256 * 1024


async def _read_async(handle):
    """The file in chunks for an ASGI server, read off the event loop."""
    try:
        while chunk := await sync_to_async(handle.read, thread_sensitive=False)(CHUNK):
            yield chunk
    finally:
        await sync_to_async(handle.close, thread_sensitive=False)()


def _file_response(request, asset: Asset, *, download: bool) -> FileResponse:
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
    if isinstance(request, ASGIRequest):
        # Under uvicorn a plain file would be read whole into memory (Django warns); stream it.
        response.streaming_content = _read_async(handle)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def asset_file(request, code):
    """The file; with ?preview its lighter copy when it has one (pages ask for that and load
    the full file only to zoom past it or to download)."""
    visible = services.assets_visible_to(request.membership)
    asset = get_object_or_404(visible, code=code)
    download = "download" in request.GET
    if "preview" in request.GET and asset.preview_id:
        preview = Asset.objects.filter(team_id=asset.team_id, pk=asset.preview_id).first()
        if preview is not None:
            try:
                return _file_response(request, preview, download=download)
            except Http404:
                pass  # the preview's file is gone: the full file still serves
    return _file_response(request, asset, download=download)


@require_GET
def signed_file(request, token):
    asset = services.asset_from_signature(token)
    if asset is None:
        raise Http404("This link has expired or is not valid.")
    return _file_response(request, asset, download="download" in request.GET)


@require_safe
def result_key_file(request, name):
    """GET /assets/<uuid>.<ext>: a result by its key with no credentials, as 1min.ai's asset host
    serves resultObject keys (RESULT_KEYS_PUBLIC). The uuid4 in the key is the secret: nothing
    lists keys, and a wrong, deleted or private key gets the same plain 404, byte for byte."""
    asset = services.asset_from_result_key(name) if settings.RESULT_KEYS_PUBLIC else None
    try:
        if asset is None:
            raise Http404
        response = _file_response(request, asset, download="download" in request.GET)
    except Http404:
        return HttpResponseNotFound(b"Not found.\n", content_type="text/plain")
    response["Referrer-Policy"] = "no-referrer"  # the key is the secret: never send it on
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- History pages -------------------------------------------------------------------------


def _visible(request: AuthenticatedHttpRequest) -> QuerySet[Record]:
    """Records the caller may open: their own, or the whole team's for a team admin."""
    return services.records_visible_to(request.membership, whole_team=True)


def _filtered(request: AuthenticatedHttpRequest) -> tuple[RecordFilterForm, QuerySet[Record]]:
    """Bind the query string and return the records in scope that match it."""
    membership = request.membership
    providers, models = queries.providers_and_models(_visible(request))
    form = RecordFilterForm(
        request.GET, can_see_team=membership.is_admin, providers=providers, models=models
    )
    records = services.records_visible_to(membership, whole_team=form.whole_team)
    return form, queries.filter_records(records, form.filters)


def _query_without(request: AuthenticatedHttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@require_GET
@login_required
@vary_on_headers("HX-Request")
def record_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, records = _filtered(request)
    page = queries.page_of(queries.with_cards(records), form.page_number, form.page_size)
    query = _query_without(request, "page")
    template = "gallery/record_list.html"
    if request.htmx:
        template += "#record-items" if page.number > 1 else "#record-grid"
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query, "team_scope": form.whole_team},
    )


def _optional_url(name: str, *args: object) -> str | None:
    """A link into the editor when the editor offers it (this app must not depend on it)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _durations(record: Record) -> dict[str, float | None]:
    queue = (record.started - record.created).total_seconds() if record.started else None
    provider = record.provider_ms / 1000 if record.provider_ms is not None else None
    total = record.total_ms / 1000 if record.total_ms is not None else None
    return {"queue": queue, "provider": provider, "total": total}


def _display(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _rows(value: object) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [(str(k), _display(v)) for k, v in value.items()]
    return [("value", _display(value))] if value else []


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True)


def _drift_sentence(image) -> str:
    """The job stores the drift in words; records made before that only have the share."""
    if image.drift_report.get("sentence"):
        return image.drift_report["sentence"]
    if image.drift_share is None:
        return ""
    return f"The provider changed {image.drift_share * 100:.1f} % of the pixels outside your mask."


def _detail_context(request: AuthenticatedHttpRequest, record: Record) -> dict:
    visible = _visible(request)
    images = list(
        record.images.select_related("image", "raw", "thumbnail", "drift").order_by("position")
    )
    for image in images:
        # The editor opens the result image itself, linked to this record; `result` counts from 1.
        edit_url = _optional_url("editor:edit", image.image.code)
        image.continue_url = (
            f"{edit_url}?from={record.code}&result={image.position + 1}" if edit_url else None
        )
        image.drift_sentence = _drift_sentence(image)
    return {
        "record": record,
        "images": images,
        "ancestors": queries.ancestors(record, visible),
        "descendants": queries.descendants(record, visible),
        "durations": _durations(record),
        "is_owner": record.user_id == request.user.pk,
        "show_response": request.membership.is_admin,
        "raw_response": _pretty(record.response_object) if record.response_object else "",
        "params": _rows(record.prompt_object),
        "options": _rows(record.options),
        "rerun_available": _optional_url("editor:rerun", record.code) is not None,
        "extra_images": list(record.extra_images.all()),
    }


@require_GET
@login_required
def record_detail(request: AuthenticatedHttpRequest, code) -> HttpResponse:
    record = get_object_or_404(
        _visible(request).select_related("user", "source", "mask", "parent"), code=code
    )
    context = _detail_context(request, record)
    context["rating_form"] = _rating_form(record)
    return render(request, "gallery/record_detail.html", context)


def _rating_form(record: Record) -> RatingForm:
    return RatingForm(
        initial={"rating": record.rating, "feedback": record.feedback, "tags": record.review_tags}
    )


def _own_record(request: AuthenticatedHttpRequest, code) -> Record:
    """The caller's own record: 404 when they cannot see it, 403 when they only may look."""
    record = get_object_or_404(
        _visible(request).select_related("user", "source", "mask"), code=code
    )
    if record.user_id != request.user.pk:
        raise PermissionDenied("Only the person who made this edit can change it.")
    return record


def _back(request: AuthenticatedHttpRequest) -> str | None:
    """The page a rating form came from (the editor's job cards send it), when it is a path
    of ours: anything else ("0", "gallery:list") redirect() would take for a view's name."""
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return back if back.startswith("/") and safe else None


@require_POST
@login_required
def record_rate(request: AuthenticatedHttpRequest, code) -> HttpResponse:
    """The one rating endpoint: the record page's form and the job cards' stars post here."""
    record = _own_record(request, code)
    form = RatingForm(request.POST)
    saved = form.is_valid()
    if saved:
        services.record_rating(record, **form.changes())
    status = 200 if saved else 400
    if request.htmx and request.htmx.target == f"stars-{record.code}":
        context = {"record": record, "rating_form": form, "back": _back(request)}
        return render(request, "gallery/rating_stars.html", context, status=status)
    if request.htmx:
        form = _rating_form(record) if saved else form
        context = {"record": record, "rating_form": form, "is_owner": True, "saved": saved}
        return render(request, "gallery/record_detail.html#record-rating", context, status=status)
    if saved:
        messages.success(request, "Rating saved.")
        return redirect(_back(request) or reverse("gallery:detail", args=[record.code]))
    context = _detail_context(request, record) | {"rating_form": form}
    return render(request, "gallery/record_detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def record_delete(request: AuthenticatedHttpRequest, code) -> HttpResponse:
    record = _own_record(request, code)
    if request.method == "POST":
        services.delete_record(record)
        messages.success(request, "The edit and its images were deleted.")
        return redirect("gallery:list")
    images = record.images.count()
    return render(request, "gallery/record_delete.html", {"record": record, "image_count": images})


@require_GET
@login_required
def source_compare(request: AuthenticatedHttpRequest, code) -> HttpResponse:
    asset = get_object_or_404(services.assets_visible_to(request.membership), code=code)
    groups = queries.edits_of_source(_visible(request), asset.pk)
    return render(request, "gallery/source_compare.html", {"asset": asset, "groups": groups})


@require_GET
@login_required
def provider_stats(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, records = _filtered(request)
    rows = queries.provider_stats(records)
    return render(
        request,
        "gallery/provider_stats.html",
        {"form": form, "rows": rows, "team_scope": form.whole_team},
    )


@require_GET
@login_required
def export_json(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    _form, records = _filtered(request)
    response = StreamingHttpResponse(
        exports.iter_json(records.order_by("-created", "-id"), site_url(request)),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'attachment; filename="promptbrush-records.json"'
    return response


@require_GET
@login_required
def export_zip(request: AuthenticatedHttpRequest) -> FileResponse:
    _form, records = _filtered(request)
    archive = exports.build_zip(records.order_by("-created", "-id"), site_url(request))
    return FileResponse(
        archive,
        as_attachment=True,
        filename="promptbrush-results.zip",
        content_type="application/zip",
    )
