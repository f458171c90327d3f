"""SQLite: idle workers sleep on a doorbell (core.doorbell) instead of polling every 0.1 s.

Enqueuing a task (the task_enqueued signal, in whichever process enqueued it) rings every
worker's bell once the row is written; a worker that finds nothing to claim sleeps until rung,
or IDLE_WAKE seconds as a safety net for a task written by something that does not ring. Where
no bell can be bound the worker polls as before. Claims are PollingSource's.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.db import connections, transaction
from django.dispatch import receiver
from django.tasks.signals import task_enqueued
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from core import doorbell
from worker.sources import SOURCES_BY_VENDOR, PollingSource

IDLE_WAKE = 1.0  # seconds an idle worker sleeps without a ring before looking anyway
SLICE = 0.25  # how often a sleeping worker checks whether it was asked to stop


class DoorbellSource(PollingSource):
    waits_for_work = True

    def __init__(self, backend_alias: str, worker_id: str, queue_name: str = "default") -> None:
        super().__init__(backend_alias, worker_id, queue_name)
        self._bell: doorbell.Doorbell | None = None
        self._bell_tried = False

    def _bell_or_none(self) -> doorbell.Doorbell | None:
        if not self._bell_tried:
            self._bell_tried = True
            self._bell = doorbell.open_bell(bells(), doorbell.WORKER)
        return self._bell

    def claim(self, limit: int, timeout: float) -> list[DBTaskResult]:
        # The bell is bound before the look: a task enqueued between the look and the sleep
        # has rung it already, and the sleep returns at once.
        bell = self._bell_or_none()
        claimed = super().claim(limit, timeout)
        if claimed or limit <= 0:
            return claimed
        if bell is None:
            self._sleep(timeout)
        else:
            deadline = time.monotonic() + IDLE_WAKE
            while time.monotonic() < deadline and not self.stop_requested():
                if bell.wait(min(SLICE, deadline - time.monotonic())):
                    break
        return super().claim(limit, timeout)

    def _sleep(self, seconds: float) -> None:
        if self.stopping is not None:
            self.stopping.wait(seconds)
        else:
            time.sleep(seconds)

    def close(self) -> None:
        if self._bell is not None:
            self._bell.close()
            self._bell = None
        super().close()


@receiver(task_enqueued)
def _task_enqueued(sender, task_result, **kwargs) -> None:
    """A task row was written: wake the idle workers to claim it, once it is committed (a
    worker woken before would find nothing and sleep again)."""
    if isinstance(sender, type) and issubclass(sender, DatabaseBackend):
        transaction.on_commit(ring_workers)


def bells() -> Path | None:
    """This deployment's doorbell folder (core.doorbell.directory_for its SQLite file); None on
    any other database (PostgreSQL notifies by itself) or an in-memory one."""
    database = connections["default"]
    if database.vendor != "sqlite":
        return None
    name = str(database.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return doorbell.directory_for(Path(name))


def ring_workers() -> int:
    """Wake the idle workers: a task is ready."""
    return doorbell.ring(bells(), doorbell.WORKER)


def ring_web() -> int:
    """Wake the web processes' change feeds: a record or a credit balance changed."""
    return doorbell.ring(bells(), doorbell.WEB)


def keep_thread_connections() -> None:
    """For the worker process: its threads live as long as it does (a fixed pool), and SQLite
    has no pool to give a connection back to, so each thread keeps its own instead of opening
    one again (~2-3 ms of CPU: the file, its WAL index, the schema) up to three times a job."""
    for alias in connections:
        if connections.settings[alias]["ENGINE"].endswith("sqlite3"):
            connections.settings[alias]["CONN_MAX_AGE"] = None


SOURCES_BY_VENDOR["sqlite"] = DoorbellSource
