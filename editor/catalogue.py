"""Which providers and models a team can use, and how to build an adapter for a job.

The catalogue is data: each adapter class seeds its models; a provider's own model list (read by
editor.discovery) is laid over them; `settings.PROVIDER_EXTRA_MODELS` (JSON per provider id) and
CatalogueModel rows (Django admin) add or replace models without code. Base URLs come from
settings, or from the team's own override (OpenAI-compatible proxies).
"""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from accounts.services import configured_providers, provider_key
from editor import discovery
from editor.models import CatalogueModel
from editor.providers import PROVIDERS, catalogue_from_spec, extend_models, get_provider_class
from editor.providers.base import ModelSpec, Provider, ProviderError
from editor.providers.discovery import merge_listing
from editor.providers.spec import RETIRED
from editor.ssrf import FetchRefused, provider_address

logger = logging.getLogger(__name__)


def today() -> date:
    """The day a model's life is judged on (UTC, like providers' shutdown dates)."""
    return timezone.now().date()


# models_for is read several times per edit (form, plan, cost, job) and each read costs
# database queries and a merge (~6 ms); its answer changes only when an admin edits the
# catalogue, a key changes or a model list is re-read, which clear it in this process
# (editor/signals.py); other processes see such a change within CATALOGUE_TTL seconds.
CATALOGUE_TTL = 5.0
_known: dict[tuple[str, int | None], tuple[float, tuple[ModelSpec, ...]]] = {}


def forget_models() -> None:
    _known.clear()


def models_for(provider_id: str, team_id: int | None = None) -> tuple[ModelSpec, ...]:
    """The provider's models as the team sees them: the seeded ones with the provider's own
    list laid over them (at the team's base URL), plus those added in settings, plus those an
    admin added in the database (which win over both for the same id)."""
    key, now = (provider_id, team_id), time.monotonic()
    known = _known.get(key)
    if known is not None and now - known[0] < CATALOGUE_TTL:
        return known[1]
    models = _read_models(provider_id, team_id)
    _known[key] = (now, models)
    return models


def _read_models(provider_id: str, team_id: int | None) -> tuple[ModelSpec, ...]:
    cls = get_provider_class(provider_id)
    models = cls.models
    if cls.lists_models:
        base_url = discovery.base_url_for(provider_id, team_id)
        models = merge_listing(
            models,
            discovery.listing_for(provider_id, base_url),
            official=cls.is_official(base_url),
            which=settings.PROXY_MODELS,
            fit=cls.fit_model,
        )
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
    return extend_models(models, list(extra.values()))


def model_spec(provider_id: str, model: str, team_id: int | None = None) -> ModelSpec | None:
    if provider_id not in PROVIDERS:
        return None
    return next((m for m in models_for(provider_id, team_id) if m.id == model), None)


def usable_providers(team_id: int) -> set[str]:
    return configured_providers(team_id)


def provider_for_model(team_id: int, model: str, record_type: str) -> str | None:
    """The first usable provider (in registry order) serving `model` for `record_type`, one
    that has not retired it first; the first provider knowing the model at all when none is
    usable (so the error names it)."""
    usable = usable_providers(team_id)
    known = {
        pid: spec for pid in PROVIDERS if (spec := model_spec(pid, model, team_id)) is not None
    }
    serving = [pid for pid, spec in known.items() if pid in usable and spec.serves(record_type)]
    day = today()
    live = [pid for pid in serving if known[pid].life(day) != RETIRED]
    return next(iter(live or serving or known), None)


def build_provider(provider_id: str, team_id: int, client: httpx.Client | None) -> Provider:
    """An adapter for one job, with the team's key (or the instance-wide one). A base URL the
    team typed is called only when it resolves to public addresses."""
    cls = get_provider_class(provider_id)
    key, override = provider_key(team_id, provider_id) if cls.needs_key() else ("", "")
    if override and cls.team_base_url:
        try:
            discovery.check_reachable(cls, override, client)
        except FetchRefused as exc:
            raise ProviderError(
                f"The team's {cls.name} base URL is refused: {exc.message}", permanent=True
            ) from exc
    guard = getattr(client, "guard", None)
    if guard is not None:  # hosts an answer names: only the configured ones, or public ones
        guard.trusted.update(_configured_hosts(cls))
        guard.resolve = provider_address
    return cls.from_settings(
        settings, client, api_key=key, base_url=override, models=models_for(provider_id, team_id)
    )


def _configured_hosts(cls: type[Provider]) -> set[str]:
    """The hosts of the URLs the instance set for the provider (base, assets, uploads)."""
    hosts = set()
    for name in cls.url_settings.values():
        try:
            hosts.add(httpx.URL(str(getattr(settings, name))).host)
        except (httpx.InvalidURL, TypeError, ValueError):
            continue
    return hosts - {""}


def model_entry(spec: ModelSpec, day: date) -> dict[str, Any]:
    """One model as forms and the API show it, with its life as of `day`."""
    entry = spec.as_dict()
    entry.pop("prices", None)
    entry["shutdownDate"] = entry.pop("shutdown_date")
    entry["status"] = spec.life(day)
    entry["warning"] = spec.life_words(day)
    return entry


def catalogue(team_id: int) -> list[dict[str, Any]]:
    usable = usable_providers(team_id)
    day = today()
    out = []
    for pid, cls in PROVIDERS.items():
        out.append(
            {
                "id": pid,
                "name": cls.name,
                "configured": pid in usable,
                "note": cls.note,
                "models": [model_entry(m, day) for m in models_for(pid, team_id)],
            }
        )
    return sorted(out, key=lambda p: not p["configured"])  # stable: usable ids first
