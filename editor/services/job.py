"""The edit job (design.md "The edit job"): the one owner of every Record transition.

PENDING -> RUNNING (claim) -> SUCCESS (finish, credits settled) or FAILED (fail, credits
refunded). A RUNNING record whose worker died goes back to PENDING (requeue) or to FAILED after
JOB_MAX_ATTEMPTS (reap); a PENDING record whose task was lost is enqueued again. Every change is a
conditional UPDATE on the state it leaves, so two workers or two reapers never both act on it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import httpx
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.services import refund_credits, settle_credits
from editor import catalogue, tasks
from editor.providers.base import EditRequest, EditResult, ProviderError
from editor.providers.http import call_within, make_client, sleep_within_call
from editor.providers.retry import call_with_retries
from editor.services import cpu
from editor.services.costs import actual_credits
from editor.services.prepare import prepare
from editor.services.results import discard, store_one
from gallery.models import Record, RecordImage
from gallery.services import FileGone
from worker.sqlite import ring_web

logger = logging.getLogger(__name__)

WORKER_LOST = "The worker stopped while this edit was running. Credits were refunded; re-run it."


# --- running one record ---------------------------------------------------------------------


def run_edit(record_code: str) -> None:
    """Run one claimed record to SUCCESS or FAILED. Safe to call twice: only a PENDING record
    is claimed, and only the latest claim of a record may finish it."""
    try:
        code = uuid.UUID(str(record_code))
    except ValueError:
        logger.warning("run_edit: %r is not a record code", record_code)
        return
    attempt = _claim(code)
    if attempt is None:
        return
    ring_web()  # pages showing it: it is RUNNING (SQLite; PostgreSQL notifies)
    record = Record.objects.select_related("membership__team", "source", "mask").get(code=code)
    ms = None
    stored: list[RecordImage] = []
    # The heartbeat covers the whole run, not only the provider call: reading the source and
    # storing results can take a while on a busy machine or a slow bucket, and a record whose
    # heartbeat goes quiet is handed to another worker.
    with _heartbeat(record.pk, attempt):
        try:
            with cpu.seat():
                prepared = prepare(record)
            result, ms = _call(record, prepared.request)
            if not result.images:
                raise ProviderError("The provider answered without any image.")
            with cpu.seat():
                for position, data in enumerate(result.images):
                    stored.append(store_one(record, prepared, data, position))
            _finish(record, attempt, result, stored, ms)
        except Superseded:
            logger.warning(
                "record %s: attempt %s was superseded; its results are dropped",
                record.code,
                attempt,
            )
            discard(stored)
        except ProviderError as exc:
            discard(stored)
            _fail(
                record,
                attempt,
                _quotable(exc),
                exc.response,
                ms,
                request_ids=exc.request_ids,
            )
        except FileGone as exc:  # removed from storage after the edit was accepted
            logger.warning("record %s: an image's file is missing from storage", record.code)
            discard(stored)
            _fail(record, attempt, f"{exc.message} Credits were refunded.", ms=ms)
        except Exception as exc:
            logger.exception("record %s failed while processing", record.code)
            discard(stored)
            _fail(
                record,
                attempt,
                f"Promptbrush failed while processing the result: {_short(exc)}",
                ms=ms,
            )


class Superseded(Exception):
    """This run no longer owns its record: the reaper handed it to another worker meanwhile."""


def _claim(code: uuid.UUID) -> int | None:
    """PENDING -> RUNNING; the attempt number this run owns, or None if another run has it."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Record.objects.filter(code=code, status=Record.Status.PENDING).update(
            status=Record.Status.RUNNING,
            attempts=F("attempts") + 1,
            started=now,
            heartbeat=now,
        )
        if claimed != 1:
            return None
        return Record.objects.filter(code=code).values_list("attempts", flat=True).get()


def _owned(record_id: int, attempt: int):
    """The record if this run (attempt) still owns it; every write after the claim filters on it."""
    return Record.objects.filter(pk=record_id, status=Record.Status.RUNNING, attempts=attempt)


def _beat(record_id: int, attempt: int) -> None:
    _owned(record_id, attempt).update(heartbeat=timezone.now())


@contextmanager
def _heartbeat(record_id: int, attempt: int):
    """Keep the heartbeat fresh while the run lasts, so the reaper never mistakes a live job for
    one whose worker died."""
    stop = threading.Event()
    interval = max(1.0, min(60.0, settings.JOB_STALE_SECONDS / 4))

    def beat() -> None:
        while not stop.wait(interval):
            try:
                _beat(record_id, attempt)
            except Exception:  # a busy database must not kill the job it watches
                logger.warning("record %s: heartbeat not written", record_id, exc_info=True)
            finally:
                # Back to the pool between beats: a worker holds dozens of jobs at once.
                connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{record_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _call(record: Record, req: EditRequest) -> tuple[EditResult, int]:
    """Call the adapter with retries; returns the result and the milliseconds it took."""
    scale = float(getattr(settings, "PROVIDER_RETRY_SLEEP_SCALE", 1.0))
    per_call = float(settings.PROVIDER_TIMEOUT_SECONDS)  # a total deadline, not per read
    timeout = httpx.Timeout(per_call, connect=10.0)
    started = time.monotonic()
    ceiling = started + float(settings.JOB_TIMEOUT_SECONDS)  # over every try and wait

    def on_retry(n: int, exc: ProviderError, delay: float) -> None:
        logger.info("record %s: retry %s in %.1fs after: %s", record.code, n, delay, exc.message)

    def attempt() -> EditResult:
        left = ceiling - time.monotonic()
        if left <= 0:
            raise ProviderError("No time was left for another try.", permanent=True)
        return call_within(client, min(per_call, left), lambda: provider.call(req))

    max_bytes = int(settings.PROVIDER_MAX_RESPONSE_MB) * 1024 * 1024
    with make_client(timeout, max_response_bytes=max_bytes, sleep_scale=scale) as client:
        provider = catalogue.build_provider(record.provider, record.team_id, client)
        if not connection.in_atomic_block:
            # The call may wait minutes: the connection goes back to the pool meanwhile
            # (a connection kept by CONN_MAX_AGE, as the worker's on SQLite, stays).
            connection.close_if_unusable_or_obsolete()
        try:
            result = call_with_retries(
                attempt,
                on_retry=on_retry,
                sleep=sleep_within_call(client, ceiling=ceiling),  # between calls: no deadline
            )
        except ProviderError as exc:
            if time.monotonic() < ceiling:
                raise
            stopped = ProviderError(
                f"The job reached its limit of {settings.JOB_TIMEOUT_SECONDS} s for the provider "
                f"(JOB_TIMEOUT_SECONDS) and was stopped. Last problem: {exc.message}",
                permanent=True,
                response=exc.response,
            )
            stopped.request_ids = exc.request_ids
            raise stopped from exc
    return result, int((time.monotonic() - started) * 1000)


def _finish(
    record: Record, attempt: int, result: EditResult, stored: list[RecordImage], ms: int
) -> None:
    metadata = dict(record.metadata or {})
    if result.usage:
        metadata["usage"] = result.usage
    if result.remaining_credits is not None:
        metadata["remainingCredits"] = result.remaining_credits
    actual = actual_credits(record.provider, record.model, record.cost, result)
    with transaction.atomic():
        # One write transaction for every row of the job: on SQLite each transaction waits its
        # turn for the single write lock, and dozens of jobs finish at once. The record goes
        # first, on the condition that this run still owns it; if not, nothing is written.
        finished = _owned(record.pk, attempt).update(
            status=Record.Status.SUCCESS,
            response_object=result.response,
            metadata=metadata,
            provider_ms=ms,
            finished=timezone.now(),
            heartbeat=timezone.now(),
            error="",
            actual_cost=actual,
            request_ids=result.request_ids,
            missing_results=result.missing,
        )
        if not finished:
            raise Superseded
        for item in stored:
            for asset in (item.raw, item.drift, item.image.preview, item.image, item.thumbnail):
                if asset is not None and asset.pk is None:
                    asset.save()
        RecordImage.objects.bulk_create(stored)  # takes the ids of the assets just saved
        settle_credits(record.membership_id, str(record.code), actual)
    ring_web()


def _quotable(exc: ProviderError) -> str:
    """The provider's reason, with the request id to quote to it (when not already said)."""
    last = exc.request_ids[-1] if exc.request_ids else ""
    if not last or last in exc.message:
        return exc.message
    return f"{exc.message} (request id {last})"


def _fail(
    record: Record,
    attempt: int,
    message: str,
    response: Any = None,
    ms: int | None = None,
    *,
    request_ids: list[str] | None = None,
) -> None:
    fields: dict[str, Any] = {
        "status": Record.Status.FAILED,
        "error": message[:2000],
        "finished": timezone.now(),
        "heartbeat": timezone.now(),
    }
    if isinstance(response, dict):
        fields["response_object"] = response
    if ms is not None:
        fields["provider_ms"] = ms
    if request_ids:
        fields["request_ids"] = request_ids
    with transaction.atomic():
        if _owned(record.pk, attempt).update(**fields):
            refund_credits(record.membership_id, str(record.code))
    ring_web()


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


# --- the reaper (a periodic hook of the worker: settings.WORKER_PERIODIC) --------------------


class Reaped(NamedTuple):
    requeued: int
    failed: int

    def __str__(self) -> str:
        return f"Requeued {self.requeued} records, failed {self.failed}"


def reap_stale_records(now: datetime | None = None) -> Reaped:
    """RUNNING records whose heartbeat stopped: requeued, or failed and refunded after the last
    try; PENDING records whose task was lost: enqueued again. Returns (requeued, failed)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    stale_q = Q(status=Record.Status.RUNNING) & (
        Q(heartbeat__lt=cutoff)
        | Q(heartbeat=None, started__lt=cutoff)
        | Q(heartbeat=None, started=None, created__lt=cutoff)
    )
    requeued = failed = 0
    for pk, code, membership_id, attempts in Record.objects.filter(stale_q).values_list(
        "pk", "code", "membership_id", "attempts"
    ):
        if attempts < settings.JOB_MAX_ATTEMPTS:
            won = _requeue(Record.objects.filter(stale_q, pk=pk, attempts=attempts), code, now)
            requeued += won
            outcome = "requeued"
        else:
            with transaction.atomic():
                won = Record.objects.filter(stale_q, pk=pk).update(
                    status=Record.Status.FAILED, error=WORKER_LOST, finished=now
                )
                if won:
                    refund_credits(membership_id, str(code))
            failed += won
            outcome = "failed"
        if won:
            logger.warning("Reaped stale record %s: %s", code, outcome)
    requeued += _reenqueue_forgotten(cutoff, now)
    if requeued or failed:
        ring_web()
    return Reaped(requeued, failed)


def _reenqueue_forgotten(cutoff: datetime, now: datetime) -> int:
    """PENDING records nobody has picked up for JOB_STALE_SECONDS: their task may have been
    lost (a worker died between taking the task and claiming the record, or the queue was
    down when the reaper requeued it). Enqueue once more; run_edit only ever claims a PENDING
    record, so a duplicate task is harmless, and `enqueued` moves on so a long backlog gets at
    most one extra task per record per period."""
    forgotten_q = Q(status=Record.Status.PENDING) & (
        Q(enqueued__lt=cutoff) | Q(enqueued=None, created__lt=cutoff)
    )
    count = 0
    for pk, code in Record.objects.filter(forgotten_q).values_list("pk", "code"):
        count += _requeue(Record.objects.filter(forgotten_q, pk=pk), code, now)
    return count


def _requeue(still_due, code: uuid.UUID, now: datetime) -> int:
    """Back to PENDING and onto the queue, if `still_due` (one record, filtered by the state
    being left) still matches; 1 when this caller won."""
    with transaction.atomic():
        won = still_due.update(status=Record.Status.PENDING, heartbeat=None, enqueued=now)
        if won:
            transaction.on_commit(lambda: tasks.run_edit_task.enqueue(record_code=str(code)))
    return won
