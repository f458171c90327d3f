"""The canvas's smart selection: refine edges, magic wand and box select on the image being edited.

POST /edit/<code>/select/ (session and CSRF, like every page form) answers JSON: the stored
mask's URL, which the canvas adds to its stroke history as one step, and the share selected.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest as Request
from editor.engine import select
from editor.services import EditRejected
from editor.services.selection import MODES, SelectionRequest, select_mask
from gallery.services import assets_visible_to

MAX_MASK_BYTES = 20 * 1024 * 1024
_COORD = {"min_value": -100_000, "max_value": 100_000, "required": False}


class SelectForm(forms.Form):
    mode = forms.ChoiceField(choices=[(m, m) for m in MODES])
    mask = forms.FileField(required=False)
    size = forms.IntegerField(min_value=1, max_value=select.MAX_BAND, required=False)
    x = forms.IntegerField(**_COORD)
    y = forms.IntegerField(**_COORD)
    tolerance = forms.FloatField(min_value=0, max_value=select.MAX_TOLERANCE, required=False)
    x0 = forms.IntegerField(**_COORD)
    y0 = forms.IntegerField(**_COORD)
    x1 = forms.IntegerField(**_COORD)
    y1 = forms.IntegerField(**_COORD)

    def clean_mask(self):
        mask = self.cleaned_data["mask"]
        if mask is not None and mask.size > MAX_MASK_BYTES:
            raise forms.ValidationError("The mask file is over 20 MB.")
        return mask

    def request(self) -> SelectionRequest:
        data = self.cleaned_data
        mode = data["mode"]
        if mode == "wand":
            if data["x"] is None or data["y"] is None:
                raise EditRejected("point", "Click a point of the image.")
            tolerance = 20 if data["tolerance"] is None else data["tolerance"]
            return SelectionRequest(mode, point=(data["x"], data["y"]), tolerance=tolerance)
        if mode == "box":
            corners = [data[k] for k in ("x0", "y0", "x1", "y1")]
            if None in corners:
                raise EditRejected("box", "Drag a box around the object.")
            return SelectionRequest(mode, box=tuple(corners))
        mask = data["mask"]
        return SelectionRequest(
            mode, mask=mask.read() if mask is not None else None, band=data["size"] or 40
        )


def _error(field: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message, "field": field}, status=status)


@require_POST
@login_required
def select_area(request: Request, code) -> JsonResponse:
    source = get_object_or_404(assets_visible_to(request.membership), code=code)
    form = SelectForm(request.POST, request.FILES)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return _error(field, f"{field}: {' '.join(errors)}")
    try:
        selection = select_mask(request.membership, source, form.request())
    except EditRejected as exc:
        return _error(exc.field, exc.message)
    return JsonResponse(
        {
            "url": reverse("gallery:file", args=[selection.asset.code]),
            "coverage": selection.coverage,
        }
    )
