"""Segmind's v2 async API (https://docs.segmind.com/api-reference/async-inference).

- Submit `POST /v2/<model>` -> {request_id, status: QUEUED, status_url, response_url}. A model
  without a v2 endpoint answers 404/405: `submit` returns None and the adapter uses v1.
- Poll `status_url` -> QUEUED / PROCESSING / COMPLETED / FAILED; a failed job answers 422
  {"status": "FAILED", "error"} and costs nothing.
- Fetch `response_url` -> {"output": ...}: an image URL, base64, or a list of them.
Once a job is submitted it is never submitted again (that could bill twice): every failure after
the submit is permanent, and a poll that fails for a moment is repeated after the wait Segmind
asks for (retry.call_with_retries). Whatever ends the wait (a failure, the poll time, the call's
deadline, a Retry-After too long to wait), the message names the job, says it was submitted
and may still be billed, and that re-running the edit starts a second job.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .base import EditResult, ProviderError, StoppedWaiting
from .fetch import decode_b64_image, fetch_image
from .http import after_acceptance, expect_json_object, send
from .retry import call_with_retries

if TYPE_CHECKING:
    from .segmind import SegmindProvider

NO_V2 = (404, 405, 501)
# How often one GET after the submit is tried in a row before the job is given up.
POLL_ATTEMPTS = 6  # a status poll
FETCH_ATTEMPTS = 5  # the result, or one output image


@dataclass
class Job:
    request_id: str
    status_url: str
    response_url: str
    seen: dict[str, Any] = field(default_factory=dict)  # billing headers from any answer


def submit(provider: SegmindProvider, model: str, body: dict[str, Any]) -> Job | None:
    assert provider.client is not None
    response = send(
        provider.client,
        "POST",
        f"{provider.base_url}/v2/{model}",
        provider=provider.name,
        billable=True,
        json=body,
        headers=provider._headers(),
    )
    if response.status_code in NO_V2:
        return None
    if response.status_code not in (200, 201, 202):
        provider.raise_for_response(response)
    data = expect_json_object(response, provider.name)
    request_id = data.get("request_id")
    if not isinstance(request_id, str) or not request_id:
        raise ProviderError(
            f"Segmind accepted the job but sent no request id: {data}", permanent=True
        )
    provider.note_request_id(request_id)
    base = f"{provider.base_url}/v2/requests/{request_id}"
    return Job(
        request_id,
        str(data.get("status_url") or f"{base}/status"),
        str(data.get("response_url") or base),
    )


def wait_and_fetch(provider: SegmindProvider, job: Job) -> EditResult:
    return after_acceptance(lambda: _fetch(provider, job, _wait(provider, job)), submitted(job))


def submitted(job: Job) -> str:
    """What the user must know once Segmind has the job, whatever ended the wait."""
    return (
        f"Segmind job {job.request_id} was already submitted, so Promptbrush did not send it "
        "again; it may still finish and be billed by Segmind. Re-running the edit submits a "
        "second job, billed on its own: do it only if you still need the image."
    )


def _wait(provider: SegmindProvider, job: Job) -> dict[str, Any]:
    """Poll until COMPLETED (returns the status body) or FAILED (raises)."""
    deadline = time.monotonic() + provider.poll_timeout
    while True:
        data = _repeat(provider, POLL_ATTEMPTS, lambda: _get(provider, job, job.status_url))
        status = str(data.get("status") or "").upper()
        if status == "COMPLETED":
            return data
        if status == "FAILED":
            raise ProviderError(
                f"Segmind could not make the image: {data.get('error') or 'the job failed'}",
                permanent=True,
                response=data,
            )
        if time.monotonic() > deadline:
            raise StoppedWaiting(
                f"Segmind was still {status.lower() or 'running'} after "
                f"{provider.poll_timeout:g} s; Promptbrush stopped waiting."
            )
        provider.sleep(provider.poll_interval)


def _fetch(provider: SegmindProvider, job: Job, status: dict[str, Any]) -> EditResult:
    data = _repeat(provider, FETCH_ATTEMPTS, lambda: _get(provider, job, job.response_url))
    output = data.get("output", status.get("output"))
    images = [
        _repeat(provider, FETCH_ATTEMPTS, lambda item=item: _image(provider, item))
        for item in _flatten(output)
    ]
    if not images:
        raise ProviderError(
            f"Segmind finished job {job.request_id} without an output image.", permanent=True
        )
    elided = {k: v for k, v in data.items() if k != "output"}
    raw = {"api": "v2", "request_id": job.request_id, **elided, **job.seen}
    return EditResult(
        images=images,
        response=raw,
        remaining_credits=job.seen.get("x-remaining-credits"),
        cost=reported_cost(job.seen),
    )


def _repeat[T](provider: SegmindProvider, attempts: int, get: Callable[[], T]) -> T:
    """A GET after the submit is safe to repeat: a passing failure (a busy status page, a cut
    download) is tried again, after the wait Segmind asks for, `attempts` times in all."""
    return call_with_retries(get, attempts=attempts, sleep=provider.sleep)


def _get(provider: SegmindProvider, job: Job, url: str) -> dict[str, Any]:
    assert provider.client is not None
    response = send(
        provider.client, "GET", url, provider=provider.name, headers=provider._headers()
    )

    job.seen |= {k: v for k, v in billing_headers(response.headers).items() if k != "x-request-id"}
    if response.status_code != 200:
        provider.raise_for_response(response)  # 422 = the job failed
    return expect_json_object(response, provider.name)


def _flatten(output: Any) -> list[Any]:
    if isinstance(output, list):
        return [x for item in output for x in _flatten(item)]
    if isinstance(output, dict):
        for key in ("image", "images", "url", "urls", "output"):
            if key in output:
                return _flatten(output[key])
        return []
    return [output] if isinstance(output, str) and output else []


def _image(provider: SegmindProvider, item: str) -> bytes:
    if item.startswith(("http://", "https://")):
        assert provider.client is not None
        return fetch_image(provider.client, item, provider=provider.name)
    return decode_b64_image(item, provider.name)


BILLING_HEADERS = (
    "x-remaining-credits",
    "x-cost",
    "x-generation-time",
    "x-seed-value",
    "x-request-id",
)


def billing_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: headers[name] for name in BILLING_HEADERS if name in headers}


def reported_cost(headers: Mapping[str, str]) -> float | None:
    """The call's cost in USD from `x-cost`, when Segmind sends it."""
    try:
        return float(headers["x-cost"]) if "x-cost" in headers else None
    except ValueError:
        return None
