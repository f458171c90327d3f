"""The periodic hooks named in settings.WORKER_PERIODIC, imported when the worker starts."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


def periodic_hooks() -> list[tuple[str, Callable[[], object]]]:
    """(import path, callable) for each entry of WORKER_PERIODIC; a name that does not import
    stops the worker at start, not half an hour later."""
    hooks = []
    for path in getattr(settings, "WORKER_PERIODIC", []):
        try:
            hook = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"WORKER_PERIODIC: cannot import {path!r}: {exc}") from exc
        if not callable(hook):
            raise ImproperlyConfigured(f"WORKER_PERIODIC: {path!r} is not callable")
        hooks.append((path, hook))
    return hooks
