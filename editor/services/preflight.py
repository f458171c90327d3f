"""Preflight: exactly what each provider would receive for a submission, before any credit is
spent. It runs the submission's own validation and the adapters' own mask conversion, and writes
nothing."""

from __future__ import annotations

import base64
from typing import Any

from accounts.models import Membership
from editor import catalogue
from editor.engine import images, masks, renditions
from editor.providers import PROVIDERS, get_provider_class
from editor.providers.base import MASK_FORMATS
from editor.services.plan import plan_edit


def preflight(
    membership: Membership, targets: list[tuple[str, str]], **submission: Any
) -> list[dict[str, Any]]:
    """One entry per (provider, model): the parameters, the image size sent upstream, the mask
    file as that provider receives it (as a data URL to show) and the cost. Raises EditRejected
    exactly as submitting would."""
    submission.pop("group", None)
    return [_one(membership, provider, model, submission) for provider, model in targets]


def _one(membership: Membership, provider: str, model: str, submission: dict) -> dict[str, Any]:
    plan = plan_edit(membership, provider=provider, model=model, **submission)
    spec = catalogue.model_spec(provider, model, membership.team_id)
    item: dict[str, Any] = {
        "provider": PROVIDERS[provider].name,
        "model": model,
        "type": plan.type,
        "params": {"prompt": plan.prompt, **plan.params},
        "cost": plan.cost,
        "warning": spec.life_words(catalogue.today()) if spec is not None else "",
    }
    if plan.source is None:
        return item
    max_side = spec.max_side if spec is not None else images.FREE_MAX_SIDE
    size = renditions.fitted(plan.source.width, plan.source.height, max_side)
    item["image"] = {
        "size": f"{size[0]}x{size[1]}",
        "scaled": size != (plan.source.width, plan.source.height),
        "original": f"{plan.source.width}x{plan.source.height}",
    }
    if plan.mask_png is None:
        return item
    cls = get_provider_class(provider)
    if not cls.mask_format:
        item["mask"] = {"words": "The mask stays on this machine; nothing is uploaded."}
        return item
    mask = masks.prepare(
        masks.load_mask(plan.mask_png, size),
        invert=bool(plan.options.get("invert")),
        grow=int(plan.options.get("grow") or 0),
        feather=int(plan.options.get("feather") or 0),
    )
    adapter = cls(None, "", models=catalogue.models_for(provider, membership.team_id))
    data = adapter.upstream_mask(model, mask)
    words = MASK_FORMATS[cls.mask_format][1]
    if spec is not None and spec.inverse_mask:
        words += " (this model reads it inverted: white keeps, black changes)"
    item["mask"] = {
        "words": words,
        "bytes": len(data),
        "size": f"{size[0]}x{size[1]}",
        "data_url": "data:image/png;base64," + base64.b64encode(data).decode(),
    }
    return item
