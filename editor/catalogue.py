"""Which providers and models a team can use, and how to build an adapter for a job.

The catalogue is data: each adapter class seeds its models; `settings.PROVIDER_EXTRA_MODELS`
(JSON per provider id) and CatalogueModel rows (Django admin) add or replace models without code.
Base URLs come from settings, or from the team's own override (OpenAI-compatible proxies).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from django.conf import settings

from accounts.services import configured_providers, provider_key
from editor.models import CatalogueModel
from editor.providers import PROVIDERS, catalogue_from_spec, extend_models, get_provider_class
from editor.providers.base import ModelSpec, Provider

logger = logging.getLogger(__name__)


def models_for(provider_id: str) -> tuple[ModelSpec, ...]:
    """The provider's seeded models, plus those added in settings, plus those an admin added
    in the database (which win over both for the same id)."""
    extra = {m["id"]: m for m in settings.PROVIDER_EXTRA_MODELS.get(provider_id) or []}
    for row in CatalogueModel.objects.filter(provider=provider_id, enabled=True):
        spec = row.as_spec_dict()
        try:
            catalogue_from_spec(spec)
        except ValueError as exc:
            # Saved past the admin's validation (a shell, a data migration): skip, don't break
            # every page that lists models.
            logger.warning("Catalogue row %s ignored: %s", row, exc)
            continue
        extra[row.model_id] = spec
    return extend_models(get_provider_class(provider_id), list(extra.values()))


def model_spec(provider_id: str, model: str) -> ModelSpec | None:
    if provider_id not in PROVIDERS:
        return None
    return next((m for m in models_for(provider_id) if m.id == model), None)


def usable_providers(team_id: int) -> set[str]:
    return configured_providers(team_id)


def provider_for_model(team_id: int, model: str, record_type: str) -> str | None:
    """The first usable provider (in registry order) serving `model` for `record_type`;
    the first provider knowing the model at all when none is usable (so the error names it)."""
    usable = usable_providers(team_id)
    known = {pid: spec for pid in PROVIDERS if (spec := model_spec(pid, model)) is not None}
    for pid, spec in known.items():
        if pid in usable and record_type in spec.types:
            return pid
    return next(iter(known), None)


def build_provider(provider_id: str, team_id: int, client: httpx.Client | None) -> Provider:
    """An adapter for one job, with the team's key (or the instance-wide one)."""
    cls = get_provider_class(provider_id)
    key, override = provider_key(team_id, provider_id) if cls.needs_key() else ("", "")
    return cls.from_settings(
        settings, client, api_key=key, base_url=override, models=models_for(provider_id)
    )


def catalogue(team_id: int) -> list[dict[str, Any]]:
    usable = usable_providers(team_id)
    out = []
    for pid, cls in PROVIDERS.items():
        out.append(
            {
                "id": pid,
                "name": cls.name,
                "configured": pid in usable,
                "note": cls.note,
                "models": [m.as_dict() for m in models_for(pid)],
            }
        )
    return sorted(out, key=lambda p: not p["configured"])  # stable: usable ids first
