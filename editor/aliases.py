"""Model ids a script may send that our catalogue does not run as they are: 1min.ai's own
(`dall-e-3`, `stable-image`, `flux-schnell`, ...) and ids a provider has retired.

What runs instead, in order:
1. the model itself, on the first usable provider serving it and not retired (editor.catalogue);
2. the alias table: ModelAlias rows (Django admin) over settings.MODEL_ALIASES, each naming a
   provider and model, a provider (its first current model for the type), nothing (the team's
   default: the first usable provider's first current model for the type), or `replacement`:
   where the provider retired the id, the replacement it names (`gpt-image-1` on OpenAI ->
   `gpt-image-2.5-sunburst`), read from the catalogue's model life.
Any other retired id is refused with its replacement named (editor.services.plan).
The record keeps both the model asked for and the model that ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from editor import catalogue
from editor.models import ModelAlias
from editor.providers import PROVIDERS
from editor.providers.base import ModelSpec
from editor.providers.spec import CURRENT, RETIRED

# The alias target that means "what the provider names in place of its retired model".
REPLACEMENT = "replacement"


@dataclass(frozen=True)
class Target:
    provider: str
    model: str


def _alias_target(model: str) -> str | None:
    """`provider:model`, `provider` or "" for an alias; None when `model` is no alias."""
    row = ModelAlias.objects.filter(alias=model).first()
    if row is not None:
        return row.target if row.enabled else None
    value = settings.MODEL_ALIASES.get(model)
    return value if isinstance(value, str) else None


def _live(spec: ModelSpec, record_type: str, *, current_only: bool) -> bool:
    life = spec.life(catalogue.today())
    return spec.serves(record_type) and (life == CURRENT if current_only else life != RETIRED)


def _defaults(team_id: int, record_type: str, providers: list[str]) -> Iterator[Target]:
    usable = catalogue.usable_providers(team_id)
    for current_only in (True, False):
        for pid in providers:
            if pid not in usable:
                continue
            for spec in catalogue.models_for(pid, team_id):
                if _live(spec, record_type, current_only=current_only):
                    yield Target(pid, spec.id)


def default_model(team_id: int, record_type: str, provider: str | None = None) -> Target | None:
    """The team's default for `record_type`: the first usable provider (registry order, or only
    `provider`) and its first current model serving it (a deprecated one if none is current)."""
    providers = [provider] if provider else list(PROVIDERS)
    return next(_defaults(team_id, record_type, providers), None)


def _replacement(team_id: int, provider: str, spec: ModelSpec, record_type: str) -> Target | None:
    if spec.life(catalogue.today()) != RETIRED or not spec.replacement:
        return None
    successor = catalogue.model_spec(provider, spec.replacement, team_id)
    if successor is None or not _live(successor, record_type, current_only=False):
        return None
    return Target(provider, successor.id)


def resolve(
    team_id: int, model: str, record_type: str, provider: str | None = None
) -> Target | None:
    """What runs when a caller asks for `model` (on `provider`, when named); None when nothing
    does (the caller then hears which model is unknown)."""
    pid = provider or catalogue.provider_for_model(team_id, model, record_type)
    spec = catalogue.model_spec(pid, model, team_id) if pid else None
    if spec is not None and spec.life(catalogue.today()) != RETIRED:
        return Target(pid, model)
    target = _alias_target(model)
    if target == REPLACEMENT:
        successor = _replacement(team_id, pid, spec, record_type) if spec and pid else None
        return successor or (Target(pid, model) if pid else None)
    if target is None:
        return Target(pid, model) if pid else None
    alias_provider, _, alias_model = target.partition(":")
    if provider and alias_provider and alias_provider != provider:
        alias_provider, alias_model = provider, ""  # the caller's provider wins
    if alias_model:
        return Target(alias_provider, alias_model)
    return default_model(team_id, record_type, alias_provider or provider)


def askable(team_id: int, record_type: str) -> list[dict[str, str | bool]]:
    """Every model id the team may ask for `record_type`, with what runs: the catalogue's live
    models on usable providers, retired ids with a replacement, and the aliases."""
    usable = catalogue.usable_providers(team_id)
    ids: dict[str, None] = {}
    for pid in PROVIDERS:
        if pid in usable:
            for spec in catalogue.models_for(pid, team_id):
                if spec.serves(record_type):
                    ids[spec.id] = None
    names = set(settings.MODEL_ALIASES) | set(ModelAlias.objects.values_list("alias", flat=True))
    ids.update(dict.fromkeys(sorted(names)))
    out = []
    for model in ids:
        target = resolve(team_id, model, record_type)
        if target is None or target.provider not in usable:
            continue
        spec = catalogue.model_spec(target.provider, target.model, team_id)
        if spec is None or not _live(spec, record_type, current_only=False):
            continue
        out.append(
            {
                "id": model,
                "provider": target.provider,
                "model": target.model,
                "alias": target.model != model,
                "status": spec.life(catalogue.today()),
            }
        )
    return out
