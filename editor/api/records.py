"""Reading and rating records: GET /api/features (the list) and GET/PATCH /api/features/<uuid>.

The list binds the gallery's filter form and pages as the history page does (page N of `limit`
records, newest first, `next` linking the following page); the rating goes through the
gallery's rating form and service, as the record page and the job-card stars do.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, JsonResponse

from accounts.models import Membership
from editor.api.http import ApiError, api_view, form_error, not_found, read_json, records_for
from editor.api.requests import parse_rating
from editor.catalogue import models_for
from editor.providers import provider_ids
from gallery import queries
from gallery.forms import RatingForm, RecordFilterForm
from gallery.serializers import ai_record, site_url
from gallery.services import record_rating, records_visible_to


def _filter_form(request: HttpRequest, membership: Membership) -> RecordFilterForm:
    """The gallery's filter form over the caller's own records. Any provider or model we know
    may be asked for (an empty list, not an error, when none of the records used it)."""
    used_providers, used_models = queries.providers_and_models(records_visible_to(membership))
    known = provider_ids()
    models = {spec.id for provider in known for spec in models_for(provider)}
    return RecordFilterForm(
        request.GET,
        can_see_team=False,
        providers=used_providers | set(known),
        models=used_models | models,
    )


def record_list(request: HttpRequest, membership: Membership) -> JsonResponse:
    if "offset" in request.GET:
        raise ApiError(
            "offset is not supported: follow `next`, or ask for page=N (of `limit` records).",
            "offset",
        )
    form = _filter_form(request, membership)
    if not form.is_valid():
        raise form_error(form)
    records = queries.filter_records(records_for(membership), form.filters)
    page = queries.page_of(records, form.page_number, form.page_size)
    base = site_url(request)
    next_url = None
    if page.has_next:
        query = request.GET.copy()
        query["page"] = str(page.next_number)
        next_url = f"{base}{request.path}?{query.urlencode()}"
    return JsonResponse({"aiRecords": [ai_record(r, base) for r in page.records], "next": next_url})


@api_view(("GET", "PATCH"))
def feature(request: HttpRequest, membership: Membership, code: uuid.UUID) -> JsonResponse:
    record = records_for(membership).filter(code=code).first()
    if record is None:
        raise not_found()
    if request.method == "PATCH":
        form = RatingForm(parse_rating(read_json(request)))
        if not form.is_valid():
            raise form_error(form)
        record_rating(record, **form.changes())
        record = records_for(membership).get(pk=record.pk)
    return JsonResponse({"aiRecord": ai_record(record, site_url(request))})
