"""HTTP plumbing shared by the adapters: the client, deadlines, waits, error mapping (retries:
editor.providers.retry; result images: editor.providers.fetch).

A billable POST that timed out after it was sent is never repeated (no provider offers
idempotency keys, so a repeat can bill twice): `send(..., billable=True)` marks it permanent.
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Callable
from typing import Any

import httpcore
import httpx

from .base import ProviderError, StoppedWaiting
from .deadline import CallGuard, DeadlineBackend

USER_AGENT = "Promptbrush/0.1"
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 300.0
MAX_IMAGE_BYTES = 50 * 1024 * 1024
# Everything one provider call may receive by default: ten 50 MB images as base64 JSON.
MAX_RESPONSE_BYTES = 700 * 1024 * 1024
ACCEPTED = (
    "The provider had accepted the request (and may bill it), so Promptbrush did not send it again."
)


class ProviderClient(httpx.Client):
    """An httpx client whose sockets obey `guard`: see `call_within`."""

    def __init__(self, *, guard: CallGuard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.guard = guard


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a pool whose network backend honours the call's guard."""

    def __init__(self, guard: CallGuard) -> None:
        super().__init__(verify=_tls_context())
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_tls_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=5.0,
            network_backend=DeadlineBackend(guard),
        )


def make_client(
    timeout: float | httpx.Timeout | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    max_response_bytes: int | None = MAX_RESPONSE_BYTES,
    sleep_scale: float = 1.0,
) -> ProviderClient:
    """An httpx client with explicit timeouts, our User-Agent and no redirects.

    `timeout=None` gives connect 10 s / read 300 s / write 60 s; a number sets all four. Those
    bound each socket operation; `call_within` adds a total deadline over one provider call.
    `sleep_scale` multiplies every wait `sleep_within_call` makes on this client.
    """
    if timeout is None:
        timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT, write=60.0, pool=10.0)
    elif not isinstance(timeout, httpx.Timeout):
        timeout = httpx.Timeout(timeout)
    guard = CallGuard(max_response_bytes, sleep_scale)
    return ProviderClient(
        guard=guard,
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        transport=transport or _GuardedTransport(guard),
        verify=_tls_context(),
    )


def call_within[T](client: httpx.Client, seconds: float | None, fn: Callable[[], T]) -> T:
    """Run one provider call `fn` with a total deadline of `seconds` over all its requests.

    A call the deadline or the size cap ended fails permanently with that reason. Once a
    billable request was accepted, any failure is permanent: sending it again could bill
    twice for an answer that was not a passing fault (a damaged or oversized image, a
    download that stalled)."""
    guard = getattr(client, "guard", None)
    if guard is None:
        return fn()
    guard.start(seconds)
    try:
        return fn()
    except ProviderError as exc:
        final = _final_reason(exc, guard)
        if final is None:
            raise
        final.request_ids = exc.request_ids  # still quotable to the provider
        raise final from exc
    finally:
        guard.start(None)


def _final_reason(exc: ProviderError, guard: Any) -> ProviderError | None:
    """The permanent error a guarded call ends with, or None to let `exc` through as it is."""
    if guard.expired:
        stopped = (
            f"The provider did not finish within {guard.seconds:g} s (the limit for one call); "
            "Promptbrush stopped waiting"
        )
        if exc.accepted:  # the adapter named what the provider already has (a job id)
            return ProviderError(f"{stopped}. {exc.accepted}", permanent=True)
        if guard.billed:
            return ProviderError(f"{stopped}. {ACCEPTED}", permanent=True)
        return ProviderError(f"{stopped} and did not send it again.", permanent=True)
    if guard.too_large:
        return ProviderError(
            f"The provider's answer was over {_megabytes(guard.max_bytes)} MB; "
            "Promptbrush stopped reading and did not send it again.",
            permanent=True,
        )
    if guard.billed and not exc.permanent:
        return not_sent_again(exc, ACCEPTED)
    return None


def after_acceptance[T](fn: Callable[[], T], why: str) -> T:
    """Run what follows a billable request the provider accepted (polling its job, fetching
    its result): a passing failure there, or Promptbrush giving up the wait (StoppedWaiting),
    is final, as `not_sent_again` says with `why`.

    For an adapter that can name what was accepted (a job id). `call_within` applies the same
    rule to any guarded call, in general words."""
    try:
        return fn()
    except ProviderError as exc:
        if exc.permanent and not isinstance(exc, StoppedWaiting):
            raise
        raise not_sent_again(exc, why) from exc


def not_sent_again(exc: ProviderError, why: str) -> ProviderError:
    """`exc` made final because a billable request was accepted: trying the call again would
    send that request again and could bill twice. `why` tells the user so (and stays on the
    error as `accepted`, for a deadline that ends the call later to say it again)."""
    reason = exc.reason if isinstance(exc, StoppedWaiting) else exc.message
    final = ProviderError(
        f"{reason} {why}", permanent=True, status=exc.status, response=exc.response
    )
    final.request_ids = exc.request_ids  # still quotable to the provider
    final.accepted = why
    return final


def sleep_within_call(
    client: httpx.Client | None,
    sleep: Callable[[float], None] = time.sleep,
    *,
    ceiling: float | None = None,
) -> Callable[[float], None]:
    """`sleep` for every wait between provider requests (an adapter's poll interval, a server's
    Retry-After, a retry's backoff): scaled by the client's `sleep_scale` (make_client), never
    past the deadline of the call running on `client` (see `call_within`) nor past `ceiling` (a
    time.monotonic() value). Once the deadline has passed the call's next request fails at
    once, so waiting longer would only hold the worker."""
    guard = getattr(client, "guard", None)
    scale = guard.sleep_scale if guard is not None else 1.0

    def wait(seconds: float) -> None:
        seconds *= scale
        for end in (guard.deadline if guard is not None else None, ceiling):
            if end is not None:
                seconds = min(seconds, end - time.monotonic())
        sleep(max(0.0, seconds))

    return wait


def _megabytes(size: int | None) -> str:
    return f"{(size or 0) / (1024 * 1024):g}"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~20 ms of CPU; every job builds a client, so load it once.
    # An SSLContext is safe to share between threads.
    return httpx.create_ssl_context()


# --- sending ---------------------------------------------------------------------------------


def _read_timeout(client: httpx.Client) -> float | None:
    return client.timeout.read


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    provider: str,
    billable: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request and turn transport failures into ProviderError.

    Connect failures are retryable (nothing reached the provider). A timeout or a dropped
    connection after a billable POST was sent is permanent, because the provider may already
    have produced and billed the image; for other requests it is retryable.
    """
    try:
        response = client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ProviderError(
            f"Could not reach {provider} ({httpx.URL(url).host}): {exc or type(exc).__name__}. "
            "Promptbrush will try again."
        ) from exc
    except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:
        if billable:
            secs = _read_timeout(client)
            within = f" within {secs:g} s" if secs else ""
            raise ProviderError(
                f"{provider} did not answer{within}. It may still have produced (and billed) "
                "the image, so Promptbrush did not send it again; re-run the edit if you need it.",
                permanent=True,
            ) from exc
        raise ProviderError(f"{provider} did not answer in time ({type(exc).__name__}).") from exc
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        if billable:
            raise ProviderError(
                f"The connection to {provider} broke before it answered ({exc}). It may still "
                "have produced (and billed) the image, so Promptbrush did not send it again; "
                "re-run the edit if you need it.",
                permanent=True,
            ) from exc
        raise ProviderError(f"The connection to {provider} broke: {exc}.") from exc
    except httpx.HTTPError as exc:
        raise ProviderError(f"Request to {provider} failed: {exc}.", permanent=True) from exc
    guard = getattr(client, "guard", None)
    if billable and guard is not None and response.is_success:
        guard.billed = True
    return response


def is_retryable_status(status: int) -> bool:
    return status in (408, 409, 429) or status >= 500


def body_snippet(response: httpx.Response, limit: int = 200) -> str:
    """A short, printable start of a response body for error messages."""
    try:
        text = response.content[:limit].decode("utf-8", "replace")
    except httpx.ResponseNotRead:  # pragma: no cover - streamed responses
        return ""
    text = " ".join(text.split())
    return text + ("..." if len(response.content) > limit else "")


def json_body(response: httpx.Response) -> Any:
    """The JSON body, or None when it is not JSON."""
    try:
        return response.json()
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError; [[[[... deep
        return None


def expect_json_object(response: httpx.Response, provider: str) -> dict[str, Any]:
    """The body of a successful answer as a JSON object, or a clear ProviderError."""
    data = json_body(response)
    if not isinstance(data, dict):
        ctype = response.headers.get("content-type", "no content type")
        raise ProviderError(
            f"{provider} answered HTTP {response.status_code} with a body that is not the JSON "
            f"Promptbrush expects ({ctype}): {body_snippet(response) or 'empty body'}",
            permanent=True,
            status=response.status_code,
        )
    return data
