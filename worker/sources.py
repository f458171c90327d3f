"""Where claimed work comes from: the table of django-tasks-db's DatabaseBackend.

A source claims up to `limit` tasks at once, runs one, fails the task rows a dead worker left
RUNNING, and signs off. source_for() picks the source for the database the tasks live in;
a database with a better way to claim and to wake idle workers (PostgreSQL's SKIP LOCKED and
LISTEN/NOTIFY) adds its own source to SOURCES_BY_VENDOR.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError, connections, router
from django.tasks import TaskResult, task_backends
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from worker.execute import run_task

logger = logging.getLogger("promptbrush.worker")


class WorkerLost(Exception):
    """Recorded on a task row whose worker stopped while running it."""


WORKER_LOST_PATH = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"


def is_locked(exc: OperationalError) -> bool:
    """SQLite's "database is locked" / "busy": another writer holds the lock; try again."""
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


class PollingSource:
    """Claims by polling the task table. While the queue is empty a poll is one plain read (no
    write, no write lock: SQLite's single writer is never disturbed by idle workers); when
    tasks are ready it claims as many as asked in one short transaction, each with a
    conditional UPDATE (READY -> RUNNING where still READY) checked to change exactly one row,
    so two workers never both run a task."""

    waits_for_work = False  # claim() returns at once; the runner sleeps between polls

    def __init__(self, backend_alias: str, worker_id: str, queue_name: str = "default") -> None:
        self.backend_alias = backend_alias
        self.worker_id = worker_id
        self.queue_name = queue_name
        self.stopping: threading.Event | None = None  # the runner's, for sources that sleep

    def stop_requested(self) -> bool:
        return self.stopping is not None and self.stopping.is_set()

    def claim(self, limit: int, timeout: float) -> list[DBTaskResult]:
        if limit <= 0:
            return []
        ready = DBTaskResult.objects.ready().filter(
            backend_name=self.backend_alias, queue_name=self.queue_name
        )
        claimed = []
        try:
            if not ready.exists():
                return []
            with exclusive_transaction(ready.db):
                candidates = list(ready.select_for_update(skip_locked=True)[:limit])
                now = timezone.now()
                for row in candidates:
                    workers = [*row.worker_ids, self.worker_id]
                    changed = DBTaskResult.objects.filter(
                        pk=row.pk, status=row.status, started_at=row.started_at
                    ).update(status="RUNNING", started_at=now, worker_ids=workers)
                    if changed == 1:
                        row.status, row.started_at, row.worker_ids = "RUNNING", now, workers
                        claimed.append(row)
        except OperationalError as exc:
            if not is_locked(exc):
                raise
            logger.info("Database busy while claiming; retrying")
            return []
        return claimed

    def key(self, row: DBTaskResult):
        return row.pk

    def run(self, row: DBTaskResult) -> None:
        try:
            task, task_result = row.task, row.task_result
        except (ImportError, SuspiciousOperation) as exc:
            logger.error("Task %s cannot be loaded (%s): %s", row.pk, row.task_path, exc)
            row.set_failed(exc)
            return

        def store(value, exc: BaseException | None) -> TaskResult:
            if exc is None:
                row.set_successful(value)
            else:
                row.set_failed(exc)
            return row.task_result

        run_task(task, task_result, store)

    def requeue_orphans(self, running: set) -> int:
        """Task rows left RUNNING by a worker that died: failed, so they never look alive.

        A row has no heartbeat of its own, so "dead" means RUNNING for longer than
        JOB_STALE_SECONDS and not running in this process. What the task was doing is for its
        own periodic hook to mend (the edit reaper re-runs edits from their records). Nothing
        is written unless such a row exists."""
        cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
        stale = DBTaskResult.objects.filter(
            backend_name=self.backend_alias, status="RUNNING", started_at__lt=cutoff
        ).exclude(pk__in=running)
        if not stale.exists():
            return 0
        return stale.update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path=WORKER_LOST_PATH,
            traceback="The worker running this task stopped before it finished.",
        )

    def close(self) -> None:
        """Nothing to sign off from: a dead worker's rows are found by their age."""


# A source made for one database engine, by Django's `connection.vendor`; others poll.
SOURCES_BY_VENDOR: dict[str, type[PollingSource]] = {}


def source_for(backend_alias: str = "default", worker_id: str | None = None) -> PollingSource:
    backend = task_backends[backend_alias]
    if not isinstance(backend, DatabaseBackend):
        raise ValueError(
            f"run_worker runs the tasks of django-tasks-db's DatabaseBackend; the task backend "
            f"{backend_alias!r} is a {type(backend).__name__}"
        )
    vendor = connections[router.db_for_write(DBTaskResult)].vendor
    source_class = SOURCES_BY_VENDOR.get(vendor, PollingSource)
    return source_class(backend_alias, worker_id or get_random_string(32))
