"""The provider registry: the one list of adapters. Everything else asks it.

Each adapter class declares who it is (`id`, `name`), where its instance-wide key lives
(`key_setting`), which settings hold its endpoints (`url_settings`), whether a team may point it
at a compatible proxy (`team_base_url`), whether it reads the prompt (`reads_prompt`), its seeded
models, and builds itself from settings (`Provider.from_settings`). Accounts learns the providers
that take keys through `settings.PROVIDER_DIRECTORY`, which names `adapter_classes` below.

The model catalogue of each provider is data: every class seeds `models`, and an admin can add
or replace models with JSON (a list of objects shaped like `ModelSpec.as_dict()`), turned into
specs by `extend_models(cls, extra)` and handed to the adapter as `models=...`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .base import ModelSpec, Provider
from .local import LocalProvider
from .onemin import OneMinProvider
from .openai import OpenAIProvider
from .segmind import SegmindProvider

# Registry order is the order of preference when a model is offered by several providers.
ADAPTERS: tuple[type[Provider], ...] = (
    OneMinProvider,
    OpenAIProvider,
    SegmindProvider,
    LocalProvider,
)
PROVIDERS: dict[str, type[Provider]] = {cls.id: cls for cls in ADAPTERS}


def adapter_classes() -> tuple[type[Provider], ...]:
    """Every adapter class, in registry order (settings.PROVIDER_DIRECTORY points here)."""
    return ADAPTERS


def provider_ids() -> list[str]:
    return list(PROVIDERS)


def provider_choices() -> list[tuple[str, str]]:
    """(id, name) pairs for form and model fields (passed as a callable, so migrations keep
    no copy of the list)."""
    return [(cls.id, cls.name) for cls in ADAPTERS]


def get_provider_class(provider_id: str) -> type[Provider]:
    """The adapter class for `provider_id`; KeyError for an unknown id."""
    try:
        return PROVIDERS[provider_id]
    except KeyError:
        raise KeyError(f"Unknown provider {provider_id!r}.") from None


def catalogue_from_spec(data: Mapping[str, Any]) -> ModelSpec:
    """One model from admin JSON, e.g.
    {"id": "gpt-image-3", "types": ["IMAGE_EDITOR"], "params": [{"name": "size", "default":
    "1024x1024", "choices": ["1024x1024"]}]}. Raises ValueError with a readable message."""
    return ModelSpec.from_dict(data)


def extend_models(
    models: Iterable[ModelSpec], extra: Iterable[Mapping[str, Any]] | None
) -> tuple[ModelSpec, ...]:
    """`models` plus admin models; an admin model with the id of one of them replaces it."""
    added = [catalogue_from_spec(item) for item in (extra or [])]
    ids = [m.id for m in added]
    if len(ids) != len(set(ids)):
        raise ValueError("The extra models list names the same model id twice.")
    replaced = set(ids)
    return tuple(m for m in models if m.id not in replaced) + tuple(added)


__all__ = [
    "ADAPTERS",
    "PROVIDERS",
    "adapter_classes",
    "catalogue_from_spec",
    "extend_models",
    "get_provider_class",
    "provider_choices",
    "provider_ids",
]
