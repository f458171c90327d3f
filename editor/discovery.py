"""Keeping the catalogue current: read each provider's model list and remember it.

A list is read (`GET {base}/models`) when a team saves a key (a task, so the page does not wait),
from the admin's "Refresh models" action, and by the worker's periodic hook
`refresh_stale_model_lists` once a list is older than MODEL_LIST_MAX_AGE_HOURS. The catalogue
lays the stored list over the seeded models (editor.providers.discovery.merge_listing).

A base URL a team typed is fetched only when it resolves to public addresses (editor.ssrf); the
base URL configured for the instance may point anywhere, an internal proxy included.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from accounts import crypto
from accounts.models import ProviderCredential
from accounts.services import provider_base_url, provider_key
from editor import tasks
from editor.models import ModelListing
from editor.providers import PROVIDERS, get_provider_class
from editor.providers.base import Provider, ProviderError
from editor.providers.discovery import ListedModel
from editor.providers.http import call_within, make_client
from editor.ssrf import FetchRefused, resolve_public

logger = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(20.0, connect=5.0)


def configured_base(cls: type[Provider]) -> str:
    return str(getattr(settings, cls.url_settings["base_url"])).rstrip("/")


def base_url_for(provider_id: str, team_id: int | None = None) -> str:
    """Where the team's calls go: its own base URL where the adapter allows one, else the
    instance's."""
    cls = get_provider_class(provider_id)
    own = provider_base_url(team_id, provider_id) if team_id and cls.team_base_url else ""
    return (own or configured_base(cls)).rstrip("/")


def check_reachable(cls: type[Provider], base_url: str, client: httpx.Client | None = None) -> None:
    """FetchRefused when a user-given base URL points at a private or local address. With
    `client` (make_client's), its connections to that host go to the address checked here."""
    if base_url.rstrip("/") == configured_base(cls):
        return
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchRefused(f"The base URL {base_url} is not an http(s) URL.")
    address = resolve_public(url.host, url.port or (443 if url.scheme == "https" else 80))
    guard = getattr(client, "guard", None)
    if guard is not None:
        guard.pinned[url.host] = address


def listing_for(provider_id: str, base_url: str) -> list[ListedModel] | None:
    """The stored model list for a base URL; None when never read or there is no list."""
    row = ModelListing.objects.filter(provider=provider_id, base_url=base_url.rstrip("/")).first()
    if row is None or row.listed is None:
        return None
    return [ListedModel.from_dict(item) for item in row.listed]


def refresh(provider_id: str, base_url: str, api_key: str) -> ModelListing:
    """Read the list now and store it. A failure is stored as the listing's error and keeps
    the last good list (a proxy that is down for a minute must not empty the catalogue)."""
    cls = get_provider_class(provider_id)
    base_url = base_url.rstrip("/")
    row, _ = ModelListing.objects.get_or_create(provider=provider_id, base_url=base_url)
    row.tried = timezone.now()
    try:
        with make_client(TIMEOUT) as client:
            check_reachable(cls, base_url, client)
            adapter = cls.from_settings(settings, client, api_key=api_key, base_url=base_url)
            if adapter.base_url != base_url:  # an adapter that takes no team base URL
                raise FetchRefused(f"{cls.name} does not call {base_url}.")
            # Bounded like any provider call: a list sent a byte a second must not hold a worker.
            seconds = float(settings.PROVIDER_TIMEOUT_SECONDS)
            listed = call_within(client, seconds, adapter.list_models)
    except (ProviderError, FetchRefused) as exc:
        row.error = exc.message[:2000]
        logger.info("model list at %s not read: %s", base_url, exc.message)
    else:
        row.listed = None if listed is None else [m.as_dict() for m in listed]
        row.fetched, row.error = row.tried, ""
    row.save()
    return row


def refresh_for_team(team_id: int, provider_id: str) -> ModelListing | None:
    """Re-read the list the team's calls see (its own base URL and key, or the instance's)."""
    cls = get_provider_class(provider_id)
    if not cls.lists_models:
        return None
    key, override = provider_key(team_id, provider_id)
    if not key:
        return None
    # The base URL that goes with the key: a team whose own key cannot be read is served with
    # the instance's key, at the instance's base URL, never at the team's.
    base_url = (override if cls.team_base_url else "") or configured_base(cls)
    return refresh(provider_id, base_url, key)


def refresh_listing(row: ModelListing) -> ModelListing:
    """Re-read one stored listing with a key that calls that base URL (admin action)."""
    return refresh_base(row.provider, row.base_url)


def refresh_base(provider_id: str, base_url: str) -> ModelListing:
    """Re-read the list at one base URL with a key that calls it."""
    key = _key_for_base(provider_id, base_url)
    if not key:
        row, _ = ModelListing.objects.get_or_create(provider=provider_id, base_url=base_url)
        row.tried, row.error = timezone.now(), "No key calls this base URL any more."
        row.save(update_fields=["tried", "error"])
        return row
    return refresh(provider_id, base_url, key)


_last_check = -float("inf")  # monotonic time of this process's last look at the model lists


class ListsQueued(int):
    """How many model lists a periodic run queued, as `run_worker --reap-once` reports it."""

    def __str__(self) -> str:
        return f"queued {int(self)} model lists to re-read"


def refresh_stale_model_lists() -> ListsQueued | None:
    """Periodic hook for the worker (settings.WORKER_PERIODIC): every model list older than
    MODEL_LIST_MAX_AGE_HOURS, or never read, is re-read by a task (the hook itself makes no
    network call, so the worker's loop never waits on a slow proxy). Returns how many were
    queued; None when none were (the worker reports nothing then). Looks at most once every
    MODEL_LIST_CHECK_SECONDS per process: the worker calls its hooks every few seconds, and an
    idle worker should not touch the database for a once-a-day job."""
    global _last_check
    if time.monotonic() - _last_check < settings.MODEL_LIST_CHECK_SECONDS:
        return None
    _last_check = time.monotonic()
    cutoff = timezone.now() - timedelta(hours=settings.MODEL_LIST_MAX_AGE_HOURS)
    due = list(_bases(cutoff))
    for provider_id, base_url in due:
        # Marked as tried now, so the next period does not queue it again while it waits.
        ModelListing.objects.update_or_create(
            provider=provider_id, base_url=base_url, defaults={"tried": timezone.now()}
        )
        tasks.refresh_listing_task.enqueue(provider_id=provider_id, base_url=base_url)
    return ListsQueued(len(due)) if due else None


def refresh_model_lists() -> int:
    """Re-read the model list at every base URL a key calls, now (the admin's button)."""
    due = list(_bases(None))
    for provider_id, base_url in due:
        refresh_base(provider_id, base_url)
    return len(due)


def _bases(cutoff: datetime | None) -> Iterator[tuple[str, str]]:
    """(provider, base URL) for every base URL a key calls and not tried since `cutoff`."""
    for provider_id, cls in PROVIDERS.items():
        if not cls.lists_models:
            continue
        fresh: set[str] = set()
        if cutoff is not None:
            recent = ModelListing.objects.filter(provider=provider_id, tried__gte=cutoff)
            fresh = set(recent.values_list("base_url", flat=True))
        for base_url in _bases_with_a_key(provider_id):
            if base_url not in fresh:
                yield provider_id, base_url


def _bases_with_a_key(provider_id: str) -> list[str]:
    """Every base URL this provider is called at with a key: the instance's, then each team's
    (read from the rows alone: no key is decrypted to list them)."""
    cls = get_provider_class(provider_id)
    bases = [configured_base(cls)] if getattr(settings, cls.key_setting, "") else []
    rows = ProviderCredential.objects.filter(provider=provider_id).order_by("pk")
    for base_url in rows.values_list("base_url", flat=True):
        base = (base_url or configured_base(cls)).rstrip("/")
        if base not in bases:
            bases.append(base)
    return bases


def _key_for_base(provider_id: str, base_url: str) -> str:
    """A key that calls `base_url`: the instance's at its own base URL, else the first team key
    saved for that base URL that can be read. Only that one is decrypted, and a key only ever
    goes to the base URL it was saved with."""
    cls = get_provider_class(provider_id)
    instance_key = getattr(settings, cls.key_setting, "")
    if instance_key and base_url == configured_base(cls):
        return instance_key
    for credential in ProviderCredential.objects.filter(provider=provider_id).order_by("pk"):
        if (credential.base_url or configured_base(cls)).rstrip("/") == base_url:
            key = crypto.decrypt(credential.encrypted_key)
            if key:
                return key
    return ""
