"""Provider registry: id -> (label, dotted path), classes imported lazily on first use.

The model catalogue of each provider is data: every class seeds `models`, and an admin can add
or replace models with JSON (a list of objects shaped like `ModelSpec.as_dict()`), turned into
specs by `extend_models(cls, extra)` and handed to the adapter as `cls(..., models=...)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import import_module
from typing import Any

from .base import ModelSpec, Provider

PROVIDERS: dict[str, tuple[str, str]] = {
    "onemin": ("1min.ai", "editor.providers.onemin.OneMinProvider"),
    "openai": ("OpenAI", "editor.providers.openai.OpenAIProvider"),
    "segmind": ("Segmind", "editor.providers.segmind.SegmindProvider"),
    "local": ("Local (OpenCV)", "editor.providers.local.LocalProvider"),
}

_classes: dict[str, type[Provider]] = {}


def provider_ids() -> list[str]:
    return list(PROVIDERS)


def provider_choices() -> list[tuple[str, str]]:
    """(id, label) pairs for form fields."""
    return [(pid, label) for pid, (label, _path) in PROVIDERS.items()]


def get_provider_class(provider_id: str) -> type[Provider]:
    """The adapter class for `provider_id`; KeyError for an unknown id."""
    if provider_id not in _classes:
        try:
            _label, path = PROVIDERS[provider_id]
        except KeyError:
            raise KeyError(f"Unknown provider {provider_id!r}.") from None
        module_name, _, class_name = path.rpartition(".")
        _classes[provider_id] = getattr(import_module(module_name), class_name)
    return _classes[provider_id]


def catalogue_from_spec(data: Mapping[str, Any]) -> ModelSpec:
    """One model from admin JSON, e.g.
    {"id": "gpt-image-3", "types": ["IMAGE_EDITOR"], "params": [{"name": "size", "default":
    "1024x1024", "choices": ["1024x1024"]}]}. Raises ValueError with a readable message."""
    return ModelSpec.from_dict(data)


def extend_models(
    provider_cls: type[Provider], extra: Iterable[Mapping[str, Any]] | None
) -> tuple[ModelSpec, ...]:
    """The seeded catalogue plus admin models; an admin model with a seeded id replaces it."""
    added = [catalogue_from_spec(item) for item in (extra or [])]
    ids = [m.id for m in added]
    if len(ids) != len(set(ids)):
        raise ValueError("The extra models list names the same model id twice.")
    replaced = set(ids)
    return tuple(m for m in provider_cls.models if m.id not in replaced) + tuple(added)


__all__ = [
    "PROVIDERS",
    "catalogue_from_spec",
    "extend_models",
    "get_provider_class",
    "provider_choices",
    "provider_ids",
]
