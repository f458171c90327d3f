"""The one map of an edit's input names: the service's, the JSON API's and the edit form's.

A service reports a problem with `EditRejected(<service name>, message)`; the API answers it
under the API's name and the edit page shows it on the form's field. A model parameter `size`
is `size` in the API's promptObject and the form field `p_size`; names not listed here (prompt,
type, provider, model) are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

PARAM_PREFIX = "p_"


@dataclass(frozen=True)
class Input:
    service: str
    api: str
    form: str | None  # None: the edit page shows it above the form (no field holds it)


INPUTS = (
    Input("image", "imageUrl", None),
    Input("mask", "maskUrl", None),
    Input("extra_images", "imageUrls", None),
    Input("invert", "invertMask", "invert"),
    Input("grow", "growMask", "grow"),
    Input("feather", "featherMask", "feather"),
    Input("paste_back", "pasteBack", "paste_back"),
    Input("tags", "reviewTags", "tags"),  # the gallery's rating form (PATCH /api/features/<uuid>)
)
_BY_SERVICE = {item.service: item for item in INPUTS}
# The mask options as the API spells them, for reading a promptObject.
MASK_OPTIONS_BY_API = {item.api: item.service for item in INPUTS[3:6]}


def api_field(name: str | None) -> str | None:
    """The API's name for a service input."""
    item = _BY_SERVICE.get(name or "")
    return item.api if item else name


def form_field(name: str | None, fields: Container[str]) -> str | None:
    """The edit form's field for a service input, or None to show the error above the form."""
    name = name or ""
    if name in _BY_SERVICE:
        return _BY_SERVICE[name].form
    if name in fields and name not in ("source", "parent"):
        return name
    if PARAM_PREFIX + name in fields:
        return PARAM_PREFIX + name
    return None
