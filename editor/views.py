"""Editor pages: start (upload), canvas and text to image (the job cards: editor/job_views.py).

Each view checks access, binds a form, calls one service and renders; htmx requests get the
partial named after the DOM id they replace.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.http import AuthenticatedHttpRequest as Request
from editor import canvas_context, services, uploads
from editor.forms import ContinueForm, EditForm, UploadForm
from editor.job_views import group_jobs, stamp, visible_records
from gallery import services as gallery_services
from gallery.models import Asset, Record, RecordImage

CANVAS_TYPES = [Record.Type.IMAGE_INPAINTER, Record.Type.IMAGE_EDITOR, Record.Type.IMAGE_GENERATOR]
GENERATE_TYPES = [Record.Type.IMAGE_GENERATOR]
RECENT = 12
JOBS_SHOWN = 24


def _wants_json(request: Request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


@require_GET
@login_required
def home(request: Request) -> HttpResponse:
    return _render_home(request, UploadForm())


def _render_home(request: Request, form: UploadForm, status: int = 200) -> HttpResponse:
    membership = request.membership
    uploads = (
        gallery_services.assets_visible_to(membership)
        .filter(owner_id=request.user.pk, kind=Asset.Kind.UPLOAD)
        .order_by("-created")[:RECENT]
    )
    results = (
        RecordImage.objects.filter(
            record__in=gallery_services.records_visible_to(membership),
            record__status=Record.Status.SUCCESS,
        )
        .select_related("record", "image", "thumbnail")
        .order_by("-record__created", "position")[:RECENT]
    )
    return render(
        request,
        "editor/home.html",
        {"form": form, "uploads": uploads, "results": results, "max_mb": _max_mb()},
        status=status,
    )


def _max_mb() -> int:
    return settings.MAX_UPLOAD_MB


@require_POST
@login_required
def upload(request: Request) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if uploads.refused_field(request):  # stopped at the limit while it arrived
        form.is_valid()
        form.errors["image"] = form.error_class([uploads.too_large_message()])
    elif form.is_valid():
        image = form.cleaned_data["image"]
        try:
            asset = services.upload_image(request.membership, image.read(), image.name)
        except services.EditRejected as exc:
            form.add_error("image", exc.message)
        else:
            url = reverse("editor:edit", args=[asset.code])
            if _wants_json(request):
                return JsonResponse({"url": url, "code": str(asset.code)})
            return redirect(url)
    status = 413 if uploads.refused_field(request) else 400
    if _wants_json(request):
        errors = form.errors.get("image") or form.non_field_errors()
        return JsonResponse({"error": " ".join(errors)}, status=status)
    return _render_home(request, form, status=status)


@require_GET
@login_required
def edit(request: Request, code) -> HttpResponse:
    asset = get_object_or_404(gallery_services.assets_visible_to(request.membership), code=code)
    if not gallery_services.file_exists(asset):
        raise Http404(
            "The file of this image is no longer stored, so it cannot be edited. "
            "Upload the image again to edit it."
        )
    cont = ContinueForm(request.GET)
    parent = None
    if not cont.is_valid():  # a mangled link: say so rather than quietly drop the parent
        raise Http404("This continue-editing link is broken; open the result from its record.")
    if cont.cleaned_data["from_"]:
        parent = get_object_or_404(visible_records(request), code=cont.cleaned_data["from_"])
        position = (cont.cleaned_data["result"] or 1) - 1
        image = parent.images.filter(position=position).first()
        if image is None or image.image_id != asset.pk:
            raise Http404("That result is not this image.")
    catalogue = services.provider_catalogue(request.membership)
    form = EditForm(
        catalogue,
        CANVAS_TYPES,
        refresh_url=reverse("editor:submit"),
        initial={"source": asset.code, **canvas_context.continued_settings(parent)},
    )
    context = {"form": form, **_form_context(request, form), **_canvas(request, asset, parent)}
    return render(request, "editor/edit.html", context)


def _canvas(request: Request, asset: Asset, parent: Record | None) -> dict:
    """What the canvas page shows around its form: the jobs around this image and the masks
    painted before on it (or on the edit this result came from)."""
    jobs = visible_records(request).filter(canvas_context.jobs_around(asset, parent))[:JOBS_SHOWN]
    earlier = Q(source=asset) | Q(pk=parent.pk) if parent else Q(source=asset)
    previous_masks = (
        gallery_services.records_visible_to(request.membership)
        .filter(earlier, mask__isnull=False)
        .select_related("mask")[:12]
    )
    return {
        "asset": asset,
        "parent": parent,
        "previous_masks": previous_masks,
        "groups": group_jobs(jobs),
    }


@require_GET
@login_required
def generate(request: Request) -> HttpResponse:
    catalogue = services.provider_catalogue(request.membership)
    form = EditForm(
        catalogue,
        GENERATE_TYPES,
        refresh_url=reverse("editor:submit"),
        initial={"type": Record.Type.IMAGE_GENERATOR},
    )
    jobs = visible_records(request).filter(type=Record.Type.IMAGE_GENERATOR)[:JOBS_SHOWN]
    return render(
        request,
        "editor/generate.html",
        {"form": form, **_form_context(request, form), "groups": group_jobs(jobs)},
    )


def _form_context(request: Request, form: EditForm) -> dict:
    """The credit estimate, the catalogue note for the chosen model and the prompt history."""
    cost = 0
    try:
        for provider, model in form.targets():
            if provider and model:
                cost += services.estimate_cost(
                    provider, model, form.values(), team_id=request.membership.team_id
                )
    except (KeyError, ValueError):
        cost = None
    return {
        "cost": cost,
        "provider_note": form.provider_info.get("note", ""),
        "recent_prompts": gallery_services.recent_prompts(request.membership),
        "error_summary": canvas_context.error_summary(form),
    }


def _edit_form(request: Request, data, files=None, refresh: bool = False) -> EditForm:
    types = CANVAS_TYPES if data.get("source") else GENERATE_TYPES
    catalogue = services.provider_catalogue(request.membership)
    return EditForm(
        catalogue, types, data, files, refresh=refresh, refresh_url=reverse("editor:submit")
    )


def _render_form(request: Request, form: EditForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "editor/edit_form.html#edit-form",
        {"form": form, **_form_context(request, form)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def submit(request: Request) -> HttpResponse:
    """GET: the form re-rendered for a new mode, provider, model or parameter (htmx), with the
    cost. POST: start the edit(s) and answer with their job cards."""
    if request.method == "GET":
        form = _edit_form(request, request.GET, refresh=True)
        if request.htmx:
            return _render_form(request, form)
        return _page(request, form)
    form = _edit_form(request, request.POST, request.FILES)
    if uploads.refused_field(request):
        return _rejected(request, _with_upload_error(request, form))
    if not form.is_valid():
        return _rejected_with_service_problems(request, form)
    source, kwargs = _submission(request, form)
    targets = form.targets()
    try:
        if len(targets) > 1:
            records = services.start_edits_on_providers(request.membership, targets, **kwargs)
        else:
            provider, model = targets[0]
            records = [
                services.start_edit(request.membership, provider=provider, model=model, **kwargs)
            ]
    except services.EditRejected as exc:
        return _rejected_by_service(request, form, exc)
    if not request.htmx:
        if source is not None:
            return redirect("editor:edit", source.code)
        return redirect("editor:generate")
    records = visible_records(request).filter(pk__in=[r.pk for r in records])
    response = render(
        request,
        "editor/job_card.html#job-group",
        {"group": stamp(list(records.order_by("id")))},
    )
    request.membership.refresh_from_db(fields=["used_credit"])
    return trigger_client_event(
        response,
        "creditsChanged",
        {
            "used": request.membership.used_credit,
            "limit": request.membership.credit_limit,
        },
    )


@require_POST
@login_required
def preflight(request: Request) -> HttpResponse:
    """What each chosen provider would receive (image size, mask file, parameters, cost), with
    the same validation as submitting; nothing is written and no credit is spent."""
    form = _edit_form(request, request.POST, request.FILES)
    if uploads.refused_field(request) or not form.is_valid():
        return _rejected(request, _with_upload_error(request, form))
    _source, kwargs = _submission(request, form)
    try:
        items = services.preflight(request.membership, form.targets(), **kwargs)
    except services.EditRejected as exc:
        return _rejected_by_service(request, form, exc)
    return render(request, "editor/preflight.html", {"items": items})


def _submission(request: Request, form: EditForm) -> tuple[Asset | None, dict]:
    """The source image and start_edit's keyword arguments from a validated form (a field it
    refused counts as empty, a parameter as its default)."""
    data = form.cleaned_data
    source = parent = None
    if data.get("source"):
        source = gallery_services.assets_visible_to(request.membership).filter(code=data["source"])
        source = source.first()
        if source is None:
            raise Http404("No such image.")
    if data.get("parent"):
        parent = get_object_or_404(visible_records(request), code=data["parent"])
    mask = request.FILES.get("mask")
    kwargs = {
        "type": form.record_type,
        "prompt": data.get("prompt") or "",
        "params": form.values(),
        "source": source if form.record_type != Record.Type.IMAGE_GENERATOR else None,
        "mask": mask.read() if mask is not None and form.is_inpaint else None,
        "mask_options": {
            "grow": data.get("grow") or 0,
            "feather": data.get("feather") or 0,
            "invert": data.get("invert", False),
        }
        if form.is_inpaint
        else None,
        "paste_back": data.get("paste_back", True) and form.is_inpaint,
        "parent": parent,
    }
    return source, kwargs


def _rejected_by_service(
    request: Request, form: EditForm, exc: services.EditRejected
) -> HttpResponse:
    for problem in (exc, *exc.also):
        field = form.field_for(problem.field)
        if field in form.errors:
            continue  # the form already says what is wrong with it
        if problem.field == "mask":
            form.mask_error = problem.message
        form.add_error(field, problem.message)
    return _rejected(request, form)


def _rejected_with_service_problems(request: Request, form: EditForm) -> HttpResponse:
    """A form with errors, plus what the service finds in the rest (an empty mask, a missing
    prompt): every error of the submit at once, not one per try."""
    provider, model = form.targets()[0]
    if provider and model and "source" not in form.errors:
        _source, kwargs = _submission(request, form)
        try:
            services.plan_edit(request.membership, provider=provider, model=model, **kwargs)
        except services.EditRejected as exc:
            return _rejected_by_service(request, form, exc)
    return _rejected(request, form)


def _with_upload_error(request: Request, form: EditForm) -> EditForm:
    """The form with the upload limit's message where a file was stopped at the limit."""
    field = uploads.refused_field(request)
    if field:
        form.is_valid()
        form.mask_error = uploads.too_large_message()
        form.add_error(field if field in form.fields else None, form.mask_error)
    return form


def _rejected(request: Request, form: EditForm) -> HttpResponse:
    if request.htmx:
        return _render_form(request, form, status=422)
    return _page(request, form, status=422)


def _page(request: Request, form: EditForm, status: int = 200) -> HttpResponse:
    """The whole page around a bound form (no JavaScript: a refresh or a rejected submit)."""
    context = {"form": form, **_form_context(request, form)}
    code = form.data.get("source")
    if not code:
        jobs = visible_records(request).filter(type=Record.Type.IMAGE_GENERATOR)[:JOBS_SHOWN]
        context["groups"] = group_jobs(jobs)
        return render(request, "editor/generate.html", context, status=status)
    try:
        asset = gallery_services.assets_visible_to(request.membership).get(code=code)
    except (Asset.DoesNotExist, ValidationError):
        raise Http404("No such image.") from None
    try:
        parent = visible_records(request).filter(code=form.data.get("parent") or None).first()
    except ValidationError:  # a mangled parent code: the page without it
        parent = None
    context.update(_canvas(request, asset, parent))
    return render(request, "editor/edit.html", context, status=status)
