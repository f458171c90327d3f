"""Planning an edit: every check a submission must pass, before anything is written.

plan_edit() either raises EditRejected or returns a Plan that submit writes and preflight shows.
Field names in EditRejected.field are the service's keywords ("type", "provider", "model",
"prompt", "image", "mask", "extra_images", "invert", "grow", "feather", "parent", "credits") or a
parameter name ("size", "n", "quality", ...); the JSON API renames "image"/"mask"/"extra_images"
to imageUrl/maskUrl/imageUrls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Membership
from core.text import has_words, text_problem
from editor import catalogue
from editor.engine import images, masks
from editor.providers import PROVIDERS
from editor.providers.base import IMAGE_GENERATOR, IMAGE_INPAINTER, IMAGE_VARIATOR, RECORD_TYPES
from editor.providers.spec import RETIRED
from editor.services.params import (
    EditRejected,
    clean_mask_options,
    clean_params,
    estimate_cost,
    shown,
)
from gallery.models import Asset, Record
from gallery.services import FileGone, assets_visible_to, read_asset

__all__ = ["EditRejected", "Plan", "plan_edit"]


@dataclass
class Plan:
    """A fully validated submission, ready to be written."""

    type: str
    provider: str
    model: str
    prompt: str
    params: dict[str, Any]
    cost: int
    source: Asset | None
    extra_images: list[Asset]
    mask_png: bytes | None
    mask_size: tuple[int, int] | None
    options: dict[str, Any] = field(default_factory=dict)
    parent: Record | None = None
    requested_model: str = ""  # the id asked for, when an alias ran `model` instead


def _check_asset(membership: Membership, asset: Any, field_name: str) -> Asset:
    if (
        not isinstance(asset, Asset)
        or not assets_visible_to(membership).filter(pk=asset.pk).exists()
    ):
        raise EditRejected(field_name, "That image was not found among your images.")
    return asset


def _asset_size(asset: Asset, field_name: str) -> tuple[int, int]:
    """The stored image's size from its header: assets were fully checked when stored."""
    try:
        width, height, _fmt = images.image_info(read_asset(asset))
        return width, height
    except (images.ImageError, FileGone) as exc:
        raise EditRejected(field_name, exc.message) from exc
    except OSError as exc:
        raise EditRejected(field_name, "That image could not be read from storage.") from exc


NOTHING_LEFT = (
    "The mask covers the whole image (after growing it): the local fill copies from the "
    "unpainted part, so leave some of the image unpainted."
)


def _nothing_left(canonical: Any, options: dict[str, Any]) -> bool:
    """Whether the mask, with the options the job applies, leaves no pixel unpainted."""
    hole = masks.prepare(
        canonical, invert=options["invert"], grow=options["grow"], feather=options["feather"]
    )
    return bool((hole != 0).all())


def plan_edit(
    membership: Membership,
    *,
    type: str,
    provider: str,
    model: str,
    prompt: str,
    params: dict,
    source: Asset | None = None,
    mask: bytes | None = None,
    extra_images: Iterable[Asset] = (),
    mask_options: dict | None = None,
    paste_back: bool = True,
    parent: Record | None = None,
) -> Plan:
    """Check a submission completely; raises EditRejected naming the field to fix."""
    if type not in RECORD_TYPES:
        raise EditRejected("type", f"type must be one of {', '.join(RECORD_TYPES)}.")
    if provider not in PROVIDERS:
        raise EditRejected("provider", f"provider must be one of {', '.join(PROVIDERS)}.")
    label = PROVIDERS[provider].name
    team_id = membership.team_id
    spec = catalogue.model_spec(provider, model, team_id) if isinstance(model, str) else None
    if spec is None:
        known = ", ".join(m.id for m in catalogue.models_for(provider, team_id))
        raise EditRejected("model", f"{label} has no model {shown(model)}; choose one of {known}.")
    if spec.life(catalogue.today()) == RETIRED:
        raise EditRejected("model", f"{label}: {spec.life_words(catalogue.today())}")
    if not spec.serves(type):
        raise EditRejected(
            "type", f"{label} {model} does not do {type}; it does {', '.join(spec.types)}."
        )
    if provider not in catalogue.usable_providers(membership.team_id):
        raise EditRejected(
            "provider",
            f"No API key for {label} is set for your team. A team admin can add one on the "
            "team page, or choose another provider.",
        )
    if not isinstance(prompt, str):
        raise EditRejected("prompt", "The prompt must be text.")
    problem = text_problem(prompt)
    if problem:
        raise EditRejected("prompt", f"The prompt cannot be sent: {problem}")
    if len(prompt) > spec.max_prompt:
        raise EditRejected(
            "prompt",
            f"The prompt is {len(prompt):,} characters; {model} takes {spec.max_prompt:,}.",
        )
    # From here on, problems that do not depend on each other are all reported together.
    problems: list[EditRejected] = []
    if not has_words(prompt) and PROVIDERS[provider].reads_prompt and type != IMAGE_VARIATOR:
        problems.append(EditRejected("prompt", "Describe the change you want in the prompt."))

    source_size = None
    if type != IMAGE_GENERATOR:
        if source is None:
            raise EditRejected("image", "Choose the image to edit.")
        source = _check_asset(membership, source, "image")
        source_size = _asset_size(source, "image")
    else:
        source = None
    extras = [_check_asset(membership, a, "extra_images") for a in extra_images]
    if extras and type == IMAGE_GENERATOR:
        raise EditRejected("extra_images", "Text to image takes no input images.")
    if 1 + len(extras) > spec.max_images and extras:
        raise EditRejected(
            "extra_images", f"{model} takes at most {spec.max_images} images in one edit."
        )
    for asset in extras:
        _asset_size(asset, "extra_images")

    options = clean_mask_options(mask_options) if type == IMAGE_INPAINTER else {}
    mask_png = None
    if type == IMAGE_INPAINTER:
        assert source_size is not None
        if not mask:
            problems.append(EditRejected("mask", "Paint the area to change: the mask is missing."))
        else:
            try:
                canonical = masks.load_mask(mask, source_size)
                masks.prepare(canonical, invert=options["invert"])  # raises: nothing painted
                mask_png = masks.to_white_on_black_png(canonical)
                if PROVIDERS[provider].fills_from_rest and _nothing_left(canonical, options):
                    problems.append(EditRejected("mask", NOTHING_LEFT))
            except ValueError as exc:  # MaskError and its ImageError cousins
                message = getattr(exc, "message", None) or str(exc)
                problems.append(EditRejected("mask", message))
        options["paste_back"] = bool(paste_back)

    try:
        # Checked as the provider receives them: a variation run as an edit takes the edit's.
        cleaned = clean_params(spec, spec.runs_as(type) or type, params, source_size)
    except EditRejected as exc:
        problems.append(exc)
    if problems:
        problems[0].also = tuple(problems[1:])
        raise problems[0]
    if parent is not None and parent.team_id != membership.team_id:
        raise EditRejected("parent", "The earlier edit was not found.")
    return Plan(
        type=type,
        provider=provider,
        model=model,
        prompt=prompt,
        params=cleaned,
        cost=estimate_cost(provider, model, cleaned, team_id=team_id),
        source=source,
        extra_images=extras,
        mask_png=mask_png,
        mask_size=source_size if mask_png else None,
        options=options,
        parent=parent,
    )
