"""The providers a team can store a key for, as the editor's registry describes them.

Accounts knows no provider by name: it calls the function named in `settings.PROVIDER_DIRECTORY`
(an import string) and reads, from each entry, `id`, `name`, `key_setting` (the settings name of
the instance-wide key; empty for a provider that needs none) and `team_base_url` (whether a team
may give its own base URL). The editor's adapter classes carry exactly these attributes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string


def directory() -> list[Any]:
    """Every provider the registry knows, in its order."""
    return list(import_string(settings.PROVIDER_DIRECTORY)())


def keyed() -> list[Any]:
    """The providers that take a key."""
    return [p for p in directory() if p.key_setting]


def get(provider_id: str) -> Any | None:
    """The keyed provider with this id, or None."""
    return next((p for p in keyed() if p.id == provider_id), None)


def choices() -> list[tuple[str, str]]:
    """(id, name) of the keyed providers; a callable, so migrations keep no copy of the list."""
    return [(p.id, p.name) for p in keyed()]


def validate_keyed(provider_id: str) -> None:
    if get(provider_id) is None:
        known = ", ".join(p.id for p in keyed())
        raise ValidationError(f"Unknown provider {provider_id!r}; use one of {known}.")


def instance_key(provider_id: str) -> str:
    """The instance-wide key from settings ('' when unset or the provider needs none)."""
    provider = get(provider_id)
    return getattr(settings, provider.key_setting, "") if provider is not None else ""


def keyless_ids() -> set[str]:
    """Providers that work without any key."""
    return {p.id for p in directory() if not p.key_setting}
