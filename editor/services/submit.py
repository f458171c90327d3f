"""Submitting edits: validate everything, reserve credits, create the record, enqueue the job.

Every rejection is an EditRejected raised before anything is written (no record, no credits
reserved, no provider called). Field names in EditRejected.field are the service's keywords
("type", "provider", "model", "prompt", "image", "mask", "extra_images", "invert", "grow",
"feather", "parent", "credits") or a parameter name ("size", "n", "quality", ...); the JSON API
renames "image"/"mask"/"extra_images" to imageUrl/maskUrl/imageUrls.
"""

from __future__ import annotations

import io
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from PIL import Image

from accounts.models import Membership
from accounts.services import InsufficientCredits, price_for, reserve_credits
from core.errors import UserFacingError
from editor import catalogue, tasks
from editor.engine import images, masks
from editor.providers import PROVIDERS
from editor.providers.base import IMAGE_GENERATOR, IMAGE_INPAINTER, RECORD_TYPES, ModelSpec, Param
from gallery.models import Asset, Record
from gallery.services import assets_visible_to, store_asset

MAX_PROMPT_CHARS = 4000
MAX_N = 10
MAX_MASK_OPTION_PX = 256
_SIZE_RE = re.compile(r"^(\d{2,5})x(\d{2,5})$")
# Parameters whose range holds whatever the model declares (design.md "The edit job" step 1).
_FIXED_RANGES = {"n": (1, MAX_N), "output_compression": (0, 100)}


class EditRejected(UserFacingError):
    """A submission we will not run. `field` names the input, `message` says how to fix it."""


# --- uploads ---------------------------------------------------------------------------------


def _max_pixels() -> int:
    return int(settings.MAX_IMAGE_MEGAPIXELS * 1_000_000)


def upload_image(membership: Membership, data: bytes, name: str) -> Asset:
    """Store an uploaded image as an UPLOAD asset: the original bytes when they are already a
    plain RGB/RGBA PNG, JPEG or WebP with no rotation to apply, else a normalised PNG."""
    try:
        img = images.open_image(data, max_pixels=_max_pixels())
        _w, _h, fmt = images.image_info(data)
    except images.ImageError as exc:
        raise EditRejected("asset", exc.message) from exc
    with Image.open(io.BytesIO(data)) as raw:
        plain = raw.mode in ("RGB", "RGBA") and raw.getexif().get(0x0112, 1) == 1
    if plain and raw.mode == img.mode:
        payload, extension = data, fmt
    else:
        payload, extension = images.encode_png(img), "png"
    return store_asset(
        membership,
        payload,
        kind=Asset.Kind.UPLOAD,
        extension=extension,
        name=name,
        width=img.width,
        height=img.height,
    )


def read_asset(asset: Asset) -> bytes:
    with asset.file.open("rb") as fh:
        return fh.read()


# --- validation ------------------------------------------------------------------------------


@dataclass
class _Plan:
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


def _choice(param: Param, value: Any) -> Any:
    assert param.choices is not None
    if value in param.choices and type(value) is type(param.choices[param.choices.index(value)]):
        return value
    for choice in param.choices:
        if str(choice).lower() == str(value).strip().lower():
            return choice
    allowed = ", ".join(str(c) for c in param.choices)
    raise EditRejected(param.name, f"{param.name} must be one of {allowed}; got {value!r}.")


def _number(name: str, value: Any, low: float | None, high: float | None, integer: bool) -> Any:
    if isinstance(value, bool):
        raise EditRejected(name, f"{name} must be a number, not true/false.")
    if isinstance(value, str):
        try:
            value = float(value.strip()) if value.strip() else None
        except ValueError:
            value = None
        if value is None:
            raise EditRejected(name, f"{name} must be a number.")
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise EditRejected(name, f"{name} must be a number.")
    if integer:
        if float(value) != int(value):
            raise EditRejected(name, f"{name} must be a whole number.")
        value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise EditRejected(name, f"{name} must be between {low:g} and {high:g}; got {value:g}.")
    return value


def _free_size(spec: ModelSpec, value: str) -> str:
    match = _SIZE_RE.match(value)
    if not match:
        raise EditRejected("size", "size must be auto or WIDTHxHEIGHT, e.g. 1536x1024.")
    w, h = int(match[1]), int(match[2])
    problem = None
    if w % images.FREE_MULTIPLE or h % images.FREE_MULTIPLE:
        problem = f"both sides must be multiples of {images.FREE_MULTIPLE}"
    elif max(w, h) > min(spec.max_side, images.FREE_MAX_SIDE):
        problem = f"the longest side can be at most {min(spec.max_side, images.FREE_MAX_SIDE)}"
    elif not images.FREE_MIN_PIXELS <= w * h <= images.FREE_MAX_PIXELS:
        problem = (
            f"it must have between {images.FREE_MIN_PIXELS:,} and {images.FREE_MAX_PIXELS:,} pixels"
        )
    elif max(w / h, h / w) > images.FREE_MAX_RATIO:
        problem = f"it can be at most {images.FREE_MAX_RATIO:g} times wider than tall"
    if problem:
        raise EditRejected("size", f"{spec.id} cannot make {value}: {problem}.")
    return value


def _size(spec: ModelSpec, param: Param, value: Any, source_size: tuple[int, int] | None) -> Any:
    if not isinstance(value, str):
        raise EditRejected("size", "size must be text such as auto or 1024x1024.")
    value = value.strip().lower()
    if value == "auto":
        if param.choices is not None and "auto" in param.choices:
            return "auto"
        if source_size is None:
            return param.default
        return images.choose_size(*source_size, free=spec.free_size, max_side=spec.max_side)
    if param.choices is not None:
        return _choice(param, value)
    return _free_size(spec, value)


def clean_params(
    spec: ModelSpec, record_type: str, params: dict[str, Any], source_size: tuple[int, int] | None
) -> dict[str, Any]:
    """Check every parameter the model declares for `record_type`; others are kept as given
    (recorded, not sent). `size: auto` becomes the provider size nearest the source's shape
    for models without an `auto` choice."""
    if not isinstance(params, dict):
        raise EditRejected("params", "The parameters must be a JSON object.")
    out = {k: v for k, v in params.items() if v is not None}
    for name, (low, high) in _FIXED_RANGES.items():
        if name in out and spec.param(name, record_type) is None:
            out[name] = _number(name, out[name], low, high, integer=True)
    for param in spec.params_for(record_type):
        value = out.get(param.name)
        if value is None or value == "":
            out.pop(param.name, None)
            if param.name != "size" or param.default != "auto":
                continue
            value = "auto"
        if param.name == "size":
            out["size"] = _size(spec, param, value, source_size)
        elif param.choices is not None:
            out[param.name] = _choice(param, value)
        elif param.min is not None or param.max is not None or param.name in _FIXED_RANGES:
            low, high = _FIXED_RANGES.get(param.name, (param.min, param.max))
            low = param.min if param.min is not None and (low is None or param.min > low) else low
            high = (
                param.max if param.max is not None and (high is None or param.max < high) else high
            )
            integer = all(isinstance(x, int) for x in (param.default, param.min, param.max) if x)
            out[param.name] = _number(param.name, value, low, high, integer)
    return out


def _default(spec: ModelSpec | None, name: str, params: dict[str, Any]) -> Any:
    if name in params:
        return params[name]
    param = spec.param(name) if spec is not None else None
    return param.default if param is not None else None


def estimate_cost(provider: str, model: str, params: dict) -> int:
    """Credits this edit reserves: the price table in settings times the number of images."""
    spec = catalogue.model_spec(provider, model)
    quality = _default(spec, "quality", params)
    size = _default(spec, "size", params)
    count = _default(spec, "n", params) or _default(spec, "num_images", params) or 1
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 1
    return price_for(provider, model, str(quality or "auto"), str(size or "auto"), count)


def _mask_options(options: dict[str, Any] | None) -> dict[str, Any]:
    options = options or {}
    if not isinstance(options, dict):
        raise EditRejected("mask", "The mask options must be an object.")
    invert = options.get("invert", False)
    if not isinstance(invert, bool):
        raise EditRejected("invert", "invert must be true or false.")
    out: dict[str, Any] = {"invert": invert}
    for name in ("grow", "feather"):
        value = options.get(name) or 0
        out[name] = _number(name, value, 0, MAX_MASK_OPTION_PX, integer=True)
    return out


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
    except images.ImageError as exc:
        raise EditRejected(field_name, exc.message) from exc
    except OSError as exc:
        raise EditRejected(field_name, "That image could not be read from storage.") from exc


def _plan(
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
) -> _Plan:
    if type not in RECORD_TYPES:
        raise EditRejected("type", f"type must be one of {', '.join(RECORD_TYPES)}.")
    if provider not in PROVIDERS:
        raise EditRejected("provider", f"provider must be one of {', '.join(PROVIDERS)}.")
    label = PROVIDERS[provider].name
    spec = catalogue.model_spec(provider, model) if isinstance(model, str) else None
    if spec is None:
        known = ", ".join(m.id for m in catalogue.models_for(provider))
        raise EditRejected("model", f"{label} has no model {model!r}; choose one of {known}.")
    if type not in spec.types:
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
    if len(prompt) > MAX_PROMPT_CHARS:
        raise EditRejected(
            "prompt",
            f"The prompt is {len(prompt):,} characters; the limit is {MAX_PROMPT_CHARS:,}.",
        )
    if not prompt.strip() and PROVIDERS[provider].reads_prompt:
        raise EditRejected("prompt", "Describe the change you want in the prompt.")

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

    options = _mask_options(mask_options) if type == IMAGE_INPAINTER else {}
    mask_png = None
    if type == IMAGE_INPAINTER:
        assert source_size is not None
        if not mask:
            raise EditRejected("mask", "Paint the area to change: the mask is missing.")
        try:
            canonical = masks.load_mask(mask, source_size)
            masks.prepare(canonical, invert=options["invert"])  # raises when nothing is painted
            mask_png = masks.to_white_on_black_png(canonical)
        except ValueError as exc:  # MaskError and its ImageError cousins
            raise EditRejected("mask", getattr(exc, "message", None) or str(exc)) from exc
        options["paste_back"] = bool(paste_back)

    cleaned = clean_params(spec, type, params, source_size)
    if parent is not None and parent.team_id != membership.team_id:
        raise EditRejected("parent", "The earlier edit was not found.")
    return _Plan(
        type=type,
        provider=provider,
        model=model,
        prompt=prompt,
        params=cleaned,
        cost=estimate_cost(provider, model, cleaned),
        source=source,
        extra_images=extras,
        mask_png=mask_png,
        mask_size=source_size if mask_png else None,
        options=options,
        parent=parent,
    )


# --- writing ---------------------------------------------------------------------------------


def _create(membership: Membership, plan: _Plan, group: uuid.UUID | None) -> Record:
    """Reserve credits and write the record; must run inside transaction.atomic()."""
    code = uuid.uuid4()
    try:
        reserve_credits(membership, plan.cost, reference=str(code))
    except InsufficientCredits as exc:
        raise EditRejected("credits", str(exc)) from exc
    mask_asset = None
    if plan.mask_png is not None:
        assert plan.mask_size is not None
        mask_asset = store_asset(
            membership,
            plan.mask_png,
            kind=Asset.Kind.MASK,
            extension="png",
            name="mask.png",
            width=plan.mask_size[0],
            height=plan.mask_size[1],
        )
    prompt_object: dict[str, Any] = {"prompt": plan.prompt, **plan.params}
    if plan.source is not None:
        prompt_object["imageUrl"] = plan.source.path
    if mask_asset is not None:
        prompt_object["maskUrl"] = mask_asset.path
    if plan.extra_images:
        prompt_object["imageUrls"] = [a.path for a in plan.extra_images]
    parent = plan.parent
    record = Record.objects.create(
        code=code,
        team_id=membership.team_id,
        user_id=membership.user_id,
        membership=membership,
        type=plan.type,
        provider=plan.provider,
        model=plan.model,
        prompt=plan.prompt,
        prompt_object=prompt_object,
        options=plan.options,
        source=plan.source,
        mask=mask_asset,
        parent=parent,
        conversation_id=(parent.conversation_id or parent.code) if parent else None,
        group=group,
        cost=plan.cost,
    )
    if plan.extra_images:
        record.extra_images.set(plan.extra_images)
    transaction.on_commit(lambda: tasks.run_edit_task.enqueue(record_code=str(code)))
    return record


def start_edit(
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
    group: uuid.UUID | None = None,
) -> Record:
    """Validate, reserve credits, create the PENDING record and enqueue its job on commit."""
    plan = _plan(
        membership,
        type=type,
        provider=provider,
        model=model,
        prompt=prompt,
        params=params,
        source=source,
        mask=mask,
        extra_images=list(extra_images),
        mask_options=mask_options,
        paste_back=paste_back,
        parent=parent,
    )
    with transaction.atomic():
        record = _create(membership, plan, group)
    membership.refresh_from_db(fields=["used_credit"])
    return record


def start_edits_on_providers(
    membership: Membership, targets: list[tuple[str, str]], **same_kwargs: Any
) -> list[Record]:
    """One record per (provider, model), grouped; all validated and paid for, or none."""
    if not targets:
        raise EditRejected("provider", "Choose at least one provider.")
    if len(set(targets)) != len(targets):
        raise EditRejected("provider", "The same provider and model are chosen twice.")
    same_kwargs.pop("group", None)
    plans = [
        _plan(membership, provider=provider, model=model, **same_kwargs)
        for provider, model in targets
    ]
    group = uuid.uuid4()
    with transaction.atomic():
        records = [_create(membership, plan, group) for plan in plans]
    membership.refresh_from_db(fields=["used_credit"])
    return records


_NOT_PARAMS = {"prompt", "imageUrl", "maskUrl", "imageUrls"}


def rerun(membership: Membership, record: Record) -> Record:
    """The same edit again (same source, mask, parameters and options) as a new record."""
    options = dict(record.options or {})
    mask_bytes = read_asset(record.mask) if record.mask is not None else None
    return start_edit(
        membership,
        type=record.type,
        provider=record.provider,
        model=record.model,
        prompt=record.prompt,
        params={k: v for k, v in record.prompt_object.items() if k not in _NOT_PARAMS},
        source=record.source,
        mask=mask_bytes,
        extra_images=list(record.extra_images.all()),
        mask_options={k: options[k] for k in ("invert", "grow", "feather") if k in options},
        paste_back=options.get("paste_back", True),
        parent=record.parent,
    )


def provider_catalogue(membership: Membership) -> list[dict]:
    """Providers with their models and parameters; the ones this team can use come first."""
    return catalogue.catalogue(membership.team_id)


def canonical_mask(record: Record, size: tuple[int, int]) -> np.ndarray:
    """The record's mask at `size` with its options applied (used by the job)."""
    options = record.options or {}
    assert record.mask is not None
    return masks.prepare(
        masks.load_mask(read_asset(record.mask), size),
        invert=bool(options.get("invert")),
        grow=int(options.get("grow") or 0),
        feather=int(options.get("feather") or 0),
    )
