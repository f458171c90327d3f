"""Retries of provider requests, and reading the waits providers ask for.

Retry policy (openai-python's, in its _base_client.py, with Promptbrush's one change):
- only `ProviderError(permanent=False)` is retried, at most `attempts` calls in all;
- a server delay (Retry-After / retry-after-ms) of 0 < d <= 120 s is waited exactly; a longer one
  is not waited at all: the call fails with a message saying when to try again;
- otherwise back off min(0.5 * 2**n, 8) s times a jitter factor in (0.75, 1];
- a billable POST that timed out after it was sent is never repeated (http.send marks it
  permanent).
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from .base import ProviderError, StoppedWaiting

MAX_RETRY_AFTER = 120.0


def backoff_delay(retries_taken: int, rand: Callable[[], float] = random.random) -> float:
    """min(0.5 * 2**n, 8) seconds times a jitter factor in (0.75, 1]."""
    return min(0.5 * 2**retries_taken, 8.0) * (1.0 - 0.25 * rand())


def _wait_words(seconds: float) -> str:
    if seconds < 90:
        return f"{round(seconds)} s"
    if seconds < 5400:
        return f"about {round(seconds / 60)} minutes"
    if seconds < 3 * 86400:
        return f"about {round(seconds / 3600, 1):g} hours"
    return "days or more"  # 1e12 s or "inf" is a header no calendar holds


def _clock_after(now: Callable[[], datetime], seconds: float) -> str:
    if seconds >= 86400:
        return "a day or more"
    return datetime.fromtimestamp(now().timestamp() + seconds, UTC).strftime("%H:%M UTC")


def call_with_retries[T](
    fn: Callable[[], T],
    *,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, ProviderError, float], None] | None = None,
    rand: Callable[[], float] = random.random,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> T:
    """Call `fn` until it returns, retrying only ProviderError(permanent=False).

    `on_retry(retry_number, error, delay)` is called before each wait (retry_number starts at 1).
    """
    for n in range(attempts):
        try:
            return fn()
        except ProviderError as exc:
            if exc.permanent or n == attempts - 1:
                raise
            delay = exc.retry_after
            if delay is not None and delay > MAX_RETRY_AFTER:
                asks = f"{exc.message} The provider asks to wait {_wait_words(delay)}"
                raise StoppedWaiting(
                    f"{asks}; try again after {_clock_after(now, delay)}.",
                    reason=f"{asks}.",
                    retry_after=delay,
                    status=exc.status,
                    response=exc.response,
                ) from exc
            if delay is None or delay <= 0:
                delay = backoff_delay(n, rand)
            if on_retry is not None:
                on_retry(n + 1, exc, delay)
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def parse_retry_after(
    headers: Mapping[str, str], now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> float | None:
    """Seconds to wait from `retry-after-ms`, else `retry-after` (seconds or an HTTP date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(float(raw_ms) / 1000.0, 0.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return _seconds_until(when, now)


def _seconds_until(when: datetime, now: Callable[[], datetime]) -> float:
    """Seconds from now until `when` (a time without a zone is UTC), never negative."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now()).total_seconds(), 0.0)


def parse_reset_at(
    value: str | None, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> float | None:
    """Seconds until a reset time given as ISO-8601, epoch seconds/ms, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    when: datetime | None = None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        when = datetime.fromtimestamp(number / 1000 if number > 1e11 else number, UTC)
    else:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
    return _seconds_until(when, now)
