"""The runner: one dispatcher thread claims work, a ThreadPoolExecutor runs it.

Edits spend 10-120 s waiting on a provider, so one process holds `threads` jobs at once. The
shape is healthchecks' sendalerts: a bounded semaphore holds one seat per thread; the dispatcher
claims only when a seat is free (as many tasks as there are free seats, in one claim) and a
finished job gives its seat back. The source's claim is a conditional UPDATE, so two runners
(threads or machines) never both run a task.

- Each job gives its thread's database connection back when it ends (Django's are per thread):
  closed, unless the database keeps connections (CONN_MAX_AGE; worker.sqlite on SQLite).
- Every `periodic_interval` seconds the periodic hooks run (settings.WORKER_PERIODIC), then the
  source fails the task rows a dead worker left RUNNING.
- SIGINT/SIGTERM: stop claiming, let running jobs finish for `grace` seconds, then exit; jobs
  still running are left to the reaper. A second signal exits at once.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.db import OperationalError, close_old_connections, connection

from worker.sources import is_locked

logger = logging.getLogger("promptbrush.worker")

POLL_INTERVAL = 0.1
GRACE_SECONDS = 10.0
PERIODIC_INTERVAL = 30.0
RETRY_SECONDS = 2.0

Hook = tuple[str, Callable[[], object]]


class Runner:
    def __init__(
        self,
        source,
        *,
        threads: int,
        poll_interval: float = POLL_INTERVAL,
        grace: float = GRACE_SECONDS,
        periodic: Sequence[Hook] = (),
        periodic_interval: float = PERIODIC_INTERVAL,
        max_idle: float | None = None,
    ) -> None:
        self.source = source
        self.threads = threads
        self.poll_interval = poll_interval
        self.grace = grace
        self.periodic = list(periodic)
        self.periodic_interval = periodic_interval
        self.max_idle = max_idle  # exit after this long with nothing to do (benchmarks, tests)
        self.stopping = threading.Event()
        if hasattr(source, "stopping"):
            source.stopping = self.stopping  # a source that sleeps until woken wakes for a stop
        self.seats = threading.BoundedSemaphore(threads)
        self.lock = threading.Lock()
        self.running: dict[object, Future] = {}  # source key -> the job's future
        self.done = 0

    # Signals arrive on the main thread, which runs the dispatcher.
    def install_signal_handlers(self) -> None:
        first_at: list[float] = []

        def handle(signum, frame):
            # Ctrl+C under honcho delivers SIGINT (terminal) and SIGTERM (honcho) together: that
            # pair is one request. A signal a second or more later is the impatient second one.
            if first_at and time.monotonic() - first_at[0] < 1.0:
                return
            if first_at:
                logger.warning("Second %s: exiting now", signal.Signals(signum).name)
                # Not SystemExit: the interpreter would join the pool's threads at exit, and so
                # wait for the very jobs this signal asks to abandon.
                os._exit(1)
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

    def run(self) -> int:
        """Dispatch until stopped (or idle for max_idle); returns how many jobs were still
        running when the grace period ended (left to the reaper)."""
        executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="job")
        logger.info("Worker started with %d threads", self.threads)
        try:
            self._dispatch_loop(executor)
        finally:
            left = self._drain(executor)
            try:
                self.source.close()
            except Exception as exc:
                logger.warning("Could not sign off from the queue: %s", exc)
            connection.close()
        return left

    def _dispatch_loop(self, executor: ThreadPoolExecutor) -> None:
        next_periodic = time.monotonic()
        last_work = time.monotonic()
        while not self.stopping.is_set():
            if self.periodic_interval and time.monotonic() >= next_periodic:
                self.run_periodic()
                next_periodic = time.monotonic() + self.periodic_interval
            # Every thread busy: wait for a seat (a job ending) rather than poll the queue.
            if not self.seats.acquire(timeout=self.poll_interval):
                last_work = time.monotonic()
                continue
            free = 1 + self._more_free_seats()
            try:
                close_old_connections()
                claimed = self.source.claim(free, timeout=self.poll_interval)
            except Exception as exc:
                # The database went away: keep the running jobs, retry in a moment.
                logger.error("Could not claim jobs; retrying in %.0f s: %s", RETRY_SECONDS, exc)
                claimed = []
                self.stopping.wait(RETRY_SECONDS)
            for _ in range(free - len(claimed)):
                self.seats.release()
            for item in claimed:
                self._start(executor, item)
            with self.lock:
                busy = bool(self.running)
            if claimed or busy:
                last_work = time.monotonic()
            elif self.max_idle is not None and time.monotonic() - last_work > self.max_idle:
                return
            if not claimed and not self.source.waits_for_work:
                self.stopping.wait(self.poll_interval)

    def _more_free_seats(self) -> int:
        free = 0
        while self.seats.acquire(blocking=False):
            free += 1
        return free

    def _start(self, executor: ThreadPoolExecutor, item) -> None:
        key = self.source.key(item)
        with self.lock:  # before submit: the job may end before submit returns
            future = executor.submit(self._run_one, key, item)
            self.running[key] = future
        future.add_done_callback(lambda _future, key=key: self._finished(key))

    def _run_one(self, key, item) -> None:
        try:
            close_old_connections()
            self.source.run(item)
        except Exception:
            logger.exception("Task %s crashed the runner", key)
        finally:
            connection.close_if_unusable_or_obsolete()  # this thread's own connection

    def _finished(self, key) -> None:
        with self.lock:
            self.running.pop(key, None)
            self.done += 1
        self.seats.release()

    def _drain(self, executor: ThreadPoolExecutor) -> int:
        executor.shutdown(wait=False)  # every submitted job has a thread: nothing is queued
        with self.lock:
            futures = list(self.running.values())
        _done, left = wait(futures, timeout=self.grace)
        if left:
            logger.warning(
                "%d jobs still running after %.0f s; leaving them to the reaper",
                len(left),
                self.grace,
            )
        return len(left)

    def run_periodic(self) -> None:
        self.run_hooks()
        try:
            orphans = self.fail_orphans()
        except Exception:
            logger.exception("Could not look for orphaned tasks; trying again later")
        else:
            if orphans:
                logger.warning("%d task rows left running by a stopped worker failed", orphans)

    def run_hooks(self) -> list[object]:
        """Each periodic hook once; returns what each returned. A failing hook is logged and
        tried again next period ("database is locked" quietly so)."""
        outcomes = []
        for name, hook in self.periodic:
            try:
                outcomes.append(hook())
            except OperationalError as exc:
                if not is_locked(exc):
                    logger.exception("Periodic hook %s failed; trying again later", name)
            except Exception:
                logger.exception("Periodic hook %s failed; trying again later", name)
        return outcomes

    def fail_orphans(self) -> int:
        """The source's task rows left RUNNING by a dead worker (not by this one) failed."""
        with self.lock:
            running = set(self.running)
        return self.source.requeue_orphans(running)
