"""What the canvas page shows around its form: the settings a continued edit starts with, the
jobs in its filmstrip, and the summary of a rejected submit's errors."""

from __future__ import annotations

from django.db.models import Q

from editor.forms import PARAM_PREFIX, EditForm
from gallery.models import Asset, Record

CONTINUED_TYPES = (Record.Type.IMAGE_INPAINTER, Record.Type.IMAGE_EDITOR)


def continued_settings(parent: Record | None) -> dict:
    """Continuing from a result keeps what made it: mode, provider, model, its parameters,
    prompt and mask options (the form falls back to defaults for what no longer applies)."""
    if parent is None:
        return {}
    initial = {
        "parent": parent.code,
        "prompt": parent.prompt,
        "type": parent.type if parent.type in CONTINUED_TYPES else None,
        "provider": parent.provider,
        "model": parent.model,
    }
    # Only the keys that are parameters of the chosen model become fields; the rest is ignored.
    initial.update({PARAM_PREFIX + k: v for k, v in (parent.prompt_object or {}).items()})
    options = parent.options or {}
    for name in ("grow", "feather", "invert", "paste_back"):
        if name in options:
            initial[name] = options[name]
    return initial


def jobs_around(asset: Asset, parent: Record | None) -> Q:
    """The jobs a canvas shows: those on this image, those that edited its results, and, when
    this image is a result, its siblings (the other variants and providers of that round)."""
    around = Q(source=asset) | Q(parent__source=asset)
    made_by = parent or Record.objects.filter(images__image=asset).only("source_id").first()
    if made_by is not None and made_by.source_id is not None:
        around |= Q(source_id=made_by.source_id)
    return around


def error_summary(form: EditForm) -> list[dict]:
    """Every error of a rejected submit, each linking to its field, shown together."""
    if not form.is_bound:
        return []
    mask_error = getattr(form, "mask_error", "")
    items = []
    for name, errors in form.errors.items():
        if name == "__all__":
            for e in errors:
                anchor, label = ("field-mask", "Mask") if e == mask_error else ("edit-form", "Edit")
                items.append({"anchor": anchor, "label": label, "message": e})
            continue
        label = form.fields[name].label if name in form.fields else name
        items += [{"anchor": f"field-{name}", "label": label, "message": e} for e in errors]
    if mask_error and not any(i["message"] == mask_error for i in items):
        items.append({"anchor": "field-mask", "label": "Mask", "message": mask_error})
    return items
