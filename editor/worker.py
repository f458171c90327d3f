"""The task worker behind `manage.py run_worker`: many jobs in flight in one process; the reaper.

Edits spend 10-120 s waiting on a provider, so one process holds WORKER_THREADS of them at once.
Design: one dispatcher thread claims work and a fixed pool of executor threads runs it.
- Only the dispatcher polls, every POLL_INTERVAL: a plain read while the queue is empty, and
  when tasks are ready it claims as many as there are idle threads in one short transaction. No
  write lock is taken while idle, instead of 32 threads each polling SQLite's single write lock.
- A claim is a conditional UPDATE (status READY -> RUNNING where it is still READY) checked to
  change exactly one row, so two workers (threads or machines) never both run a task. On SQLite the
  IMMEDIATE transaction serialises claimers; "database is locked" is logged and retried.
- Each executor thread has its own database connection (Django's are per thread), closed when the
  thread ends.
- SIGINT/SIGTERM: stop claiming, let running jobs finish for GRACE_SECONDS, then exit; a second
  signal exits at once. Jobs cut off by the exit are left to the reaper.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django.tasks import task_backends
from django.tasks.base import TaskContext
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from editor.redis_backend import RedisBackend
from editor.services.job import reap_stale_records

logger = logging.getLogger("promptbrush.worker")

POLL_INTERVAL = 0.1
GRACE_SECONDS = 10.0
REAP_INTERVAL = 30.0
RETRY_SECONDS = 2.0


def _is_locked(exc: OperationalError) -> bool:
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


# --- Sources: where claimed work comes from ------------------------------------------------------


class DatabaseSource:
    """django-tasks-db's table (SQLite or PostgreSQL)."""

    blocks = False

    def __init__(self, backend_alias: str, worker_id: str, queue_name: str = "default") -> None:
        self.backend_alias = backend_alias
        self.worker_id = worker_id
        self.queue_name = queue_name

    def claim(self, limit: int, timeout: float) -> list:
        if limit <= 0:
            return []
        ready = DBTaskResult.objects.ready().filter(
            backend_name=self.backend_alias, queue_name=self.queue_name
        )
        claimed = []
        try:
            # A plain read first: while the queue is empty the poll takes no write lock, so a
            # short poll interval costs SQLite writers nothing.
            if not ready.exists():
                return []
            with exclusive_transaction(ready.db):
                candidates = list(ready.select_for_update(skip_locked=True)[:limit])
                now = timezone.now()
                for row in candidates:
                    changed = DBTaskResult.objects.filter(
                        pk=row.pk, status=row.status, started_at=row.started_at
                    ).update(
                        status="RUNNING",
                        started_at=now,
                        worker_ids=[*row.worker_ids, self.worker_id],
                    )
                    if changed == 1:
                        row.status, row.started_at = "RUNNING", now
                        row.worker_ids = [*row.worker_ids, self.worker_id]
                        claimed.append(row)
        except OperationalError as exc:
            if not _is_locked(exc):
                raise
            logger.info("Database busy while claiming; retrying")
            return []
        return claimed

    def run(self, row) -> None:
        backend = None
        try:
            task = row.task
            task_result = row.task_result
            backend = type(task.get_backend())
            task_started.send(sender=backend, task_result=task_result)
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            row.set_successful(value)
        except Exception as exc:
            logger.warning("Task %s failed: %s", row.pk, exc)
            row.set_failed(exc)
        if backend is not None:
            task_finished.send(sender=backend, task_result=row.task_result)

    def heartbeat(self) -> None:
        pass

    def requeue_orphans(self, running_ids: set) -> int:
        """Task rows left RUNNING by a worker that died: failed, so they never look alive.

        A row has no heartbeat of its own, so "dead" means RUNNING for longer than
        JOB_STALE_SECONDS and not running in this process. Edits are re-run by the record reaper
        (their Record carries the heartbeat), not by re-running the row.
        """
        cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
        stale = DBTaskResult.objects.filter(
            backend_name=self.backend_alias, status="RUNNING", started_at__lt=cutoff
        ).exclude(pk__in=running_ids)
        return stale.update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path="editor.worker.WorkerLost",
            traceback="The worker running this task stopped before it finished.",
        )

    def close(self) -> None:
        pass


class RedisSource:
    """editor.redis_backend.RedisBackend: a reliable list queue in Redis."""

    blocks = True  # claim() waits on BLMOVE

    def __init__(self, backend, worker_id: str, queue_name: str = "default") -> None:
        self.backend = backend
        self.worker_id = worker_id
        self.queue_name = queue_name

    def claim(self, limit: int, timeout: float) -> list:
        return self.backend.claim(self.worker_id, self.queue_name, limit, timeout)

    def run(self, task_id: str) -> None:
        self.backend.run(self.worker_id, task_id)

    def heartbeat(self) -> None:
        self.backend.heartbeat(self.worker_id)

    def requeue_orphans(self, running_ids: set) -> int:
        return self.backend.requeue_orphans()

    def close(self) -> None:
        self.backend.forget_worker(self.worker_id)


def source_for(backend_alias: str = "default", worker_id: str | None = None):
    backend = task_backends[backend_alias]
    worker_id = worker_id or get_random_string(32)
    if isinstance(backend, DatabaseBackend):
        return DatabaseSource(backend_alias, worker_id)
    if isinstance(backend, RedisBackend):
        return RedisSource(backend, worker_id)
    raise ValueError(f"run_worker cannot drive the {type(backend).__name__} task backend")


# --- The runner -----------------------------------------------------------------------------------


class Runner:
    def __init__(
        self,
        source,
        *,
        threads: int,
        poll_interval: float = POLL_INTERVAL,
        grace: float = GRACE_SECONDS,
        reap_interval: float = REAP_INTERVAL,
        max_idle: float | None = None,
    ) -> None:
        self.source = source
        self.threads = threads
        self.poll_interval = poll_interval
        self.grace = grace
        self.reap_interval = reap_interval
        self.max_idle = max_idle  # exit after this long with nothing to do (benchmarks, tests)
        self.stopping = threading.Event()
        self.jobs: queue.Queue = queue.Queue()
        self.idle = threading.Semaphore(threads)
        self.running: set = set()
        self.lock = threading.Lock()
        self.done = 0

    # Signals arrive on the main thread, which runs the dispatcher.
    def install_signal_handlers(self) -> None:
        first_at = []

        def handle(signum, frame):
            # Ctrl+C under honcho delivers SIGINT (terminal) and SIGTERM (honcho) together: that
            # pair is one request. A signal a second or more later is the impatient second one.
            if first_at and time.monotonic() - first_at[0] < 1.0:
                return
            if first_at:
                logger.warning("Second %s: exiting now", signal.Signals(signum).name)
                raise SystemExit(1)
            logger.warning(
                "%s: finishing running jobs (up to %.0f s); press Ctrl+C again to exit now",
                signal.Signals(signum).name,
                self.grace,
            )
            first_at.append(time.monotonic())
            # Not stopping.set() here: the signal may land while this very thread is inside
            # stopping.wait() holding the event's lock, and set() would wait on it forever.
            threading.Thread(target=self.stopping.set, name="stop", daemon=True).start()

        signal.signal(signal.SIGINT, handle)
        signal.signal(signal.SIGTERM, handle)

    def run(self) -> None:
        executors = [
            threading.Thread(target=self._execute_loop, name=f"job-{i}", daemon=True)
            for i in range(self.threads)
        ]
        for thread in executors:
            thread.start()
        logger.info("Worker started with %d threads", self.threads)
        try:
            self._dispatch_loop()
        finally:
            self._drain(executors)
            try:
                self.source.close()
            except Exception as exc:
                logger.warning("Could not sign off from the queue: %s", exc)
            connection.close()

    def _dispatch_loop(self) -> None:
        next_reap = time.monotonic()
        next_beat = time.monotonic()
        last_work = time.monotonic()
        while not self.stopping.is_set():
            now = time.monotonic()
            if self.reap_interval and now >= next_reap:
                self.reap()
                next_reap = now + self.reap_interval
            free = self._take_idle_slots()
            try:
                if now >= next_beat:
                    self.source.heartbeat()
                    next_beat = now + 10
                close_old_connections()
                claimed = self.source.claim(free, timeout=self.poll_interval) if free else []
            except Exception as exc:
                # The database or Redis went away: keep the running jobs, retry in a moment.
                logger.error("Could not claim jobs; retrying in %.0f s: %s", RETRY_SECONDS, exc)
                claimed = []
                self.stopping.wait(RETRY_SECONDS)
            for _ in range(free - len(claimed)):
                self.idle.release()
            for item in claimed:
                self.jobs.put(item)
            if claimed or self.running:
                last_work = time.monotonic()
            elif self.max_idle is not None and time.monotonic() - last_work > self.max_idle:
                return
            if not claimed and not (free and self.source.blocks):
                # Idle or full: wait a poll interval, waking early when stopping. (A blocking
                # source already waited inside claim().)
                self.stopping.wait(self.poll_interval if free else self.poll_interval / 5)

    def _take_idle_slots(self) -> int:
        free = 0
        while self.idle.acquire(blocking=False):
            free += 1
        return free

    def _execute_loop(self) -> None:
        try:
            while True:
                item = self.jobs.get()
                if item is None:
                    return
                key = getattr(item, "pk", item)
                with self.lock:
                    self.running.add(key)
                try:
                    close_old_connections()
                    self.source.run(item)
                except Exception:
                    logger.exception("Task %s crashed the runner", key)
                finally:
                    with self.lock:
                        self.running.discard(key)
                        self.done += 1
                    self.idle.release()
        finally:
            connection.close()

    def _drain(self, executors: list[threading.Thread]) -> None:
        for _ in executors:
            self.jobs.put(None)
        deadline = time.monotonic() + self.grace
        for thread in executors:
            thread.join(max(0.0, deadline - time.monotonic()))
        left = [t for t in executors if t.is_alive()]
        if left:
            logger.warning(
                "%d jobs still running after %.0f s; leaving them to the reaper",
                len(left),
                self.grace,
            )

    def reap(self) -> None:
        try:
            with self.lock:
                running = set(self.running)
            requeued, failed = reap_stale_records()
            orphans = self.source.requeue_orphans(running)
            if requeued or failed or orphans:
                logger.warning(
                    "Reaper: %d records requeued, %d failed, %d orphaned tasks",
                    requeued,
                    failed,
                    orphans,
                )
        except OperationalError as exc:
            if not _is_locked(exc):
                raise
        except Exception:
            logger.exception("Reaper failed; trying again later")
