"""The job cards: one edit's live card (polled or fetched on a live event) and "Run again".

The editor pages list their jobs through `visible_records` and `group_jobs` from here.
"""

from __future__ import annotations

import uuid
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling, reswap, retarget, trigger_client_event

from accounts.http import AuthenticatedHttpRequest as Request
from editor import services
from editor.canvas_context import jobs_around
from gallery import services as gallery_services
from gallery.models import Record


def stamp(records):
    """Seconds each job has been queued or running, for the card's 'running (12 s)'."""
    now = timezone.now()
    for record in records:
        end = record.finished or now
        record.elapsed = max(0, int((end - (record.started or record.created)).total_seconds()))
    return records


def group_jobs(records) -> list[list[Record]]:
    """Records grouped by `group` (sent together), keeping newest-first order."""
    records = stamp(list(records))
    return [list(g) for _key, g in groupby(records, key=lambda r: r.group or r.code)]


def visible_records(request: Request):
    return (
        gallery_services.records_visible_to(request.membership)
        .select_related("source")
        .prefetch_related("images__image", "images__thumbnail")
    )


def _refused(request: Request, exc: services.EditRejected, *, back: str) -> HttpResponse:
    """An action posted without JavaScript that was refused: the reason on a page, not a bare
    404 or a redirect that drops it."""
    context = {"message": exc.message, "field": exc.field, "back_url": back}
    return render(request, "editor/refused.html", context, status=422)


@require_GET
@login_required
def job_card(request: Request, code) -> HttpResponse:
    record = get_object_or_404(visible_records(request), code=code)
    around = request.GET.get("around")
    if around is not None and not _shown_on(request, record, around):
        return HttpResponse(status=204)  # another page's job: nothing to add to this one
    response = render(
        request,
        "editor/job_card.html#job-card",
        {"record": stamp([record])[0]},
    )
    if record.is_done and request.htmx:
        response.status_code = HttpResponseStopPolling.status_code
        if record.status == Record.Status.FAILED:  # refunded: the badge follows
            membership = request.membership
            membership.refresh_from_db(fields=["used_credit"])
            figures = {"used": membership.used_credit, "limit": membership.credit_limit}
            trigger_client_event(response, "creditsChanged", figures)
    return response


def _shown_on(request: Request, record: Record, page: str) -> bool:
    """Whether the jobs list of a page (a canvas: its image's code; "generate": text to image)
    shows this record, so a tab can add a job sent from another tab."""
    if page == "generate":
        return record.type == Record.Type.IMAGE_GENERATOR
    try:
        code = uuid.UUID(page)
    except ValueError:
        return False
    asset = gallery_services.assets_visible_to(request.membership).filter(code=code).first()
    if asset is None:
        return False
    return visible_records(request).filter(jobs_around(asset, None), pk=record.pk).exists()


@require_POST
@login_required
def rerun(request: Request, code) -> HttpResponse:
    record = get_object_or_404(visible_records(request), code=code)
    try:
        new = services.rerun(request.membership, record)
    except services.EditRejected as exc:
        if request.htmx:
            response = render(
                request,
                "editor/job_card.html#job-card",
                {"record": stamp([record])[0], "card_error": exc.message},
            )
            return reswap(retarget(response, f"#job-{record.code}"), "outerHTML")
        return _refused(request, exc, back=reverse("gallery:detail", args=[record.code]))
    if request.htmx:
        new = visible_records(request).get(pk=new.pk)
        return render(
            request,
            "editor/job_card.html#job-group",
            {"group": stamp([new])},
        )
    if new.source_id:
        return redirect("editor:edit", new.source.code)
    return redirect("editor:generate")
