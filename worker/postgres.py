"""PostgreSQL: idle workers sleep until a task is enqueued, instead of polling.

A trigger on the task table (migration 0001) sends NOTIFY on the `promptbrush_tasks` channel
whenever a task row is inserted ready to run, which PostgreSQL delivers when the enqueuing
transaction commits. Each worker LISTENs on its own connection (outside the pool: it is held
for the worker's life) and claims only when woken, or after IDLE_WAKE seconds as a safety net
for a notification lost with a dropped connection. Claims stay the same SKIP LOCKED +
conditional UPDATE as everywhere.
"""

from __future__ import annotations

import logging
import time

import psycopg
from django.db import connections, router
from django_tasks_db.models import DBTaskResult

from worker.sources import SOURCES_BY_VENDOR, PollingSource

logger = logging.getLogger("promptbrush.worker")

CHANNEL = "promptbrush_tasks"
IDLE_WAKE = 5.0  # seconds an idle worker sleeps without a notification before looking anyway
SLICE = 0.25  # how often a sleeping worker checks whether it was asked to stop


class ListeningSource(PollingSource):
    waits_for_work = True

    def __init__(self, backend_alias: str, worker_id: str, queue_name: str = "default") -> None:
        super().__init__(backend_alias, worker_id, queue_name)
        self._listener: psycopg.Connection | None = None

    def _listen(self) -> psycopg.Connection:
        if self._listener is None or self._listener.closed:
            alias = router.db_for_write(DBTaskResult)
            params = connections[alias].get_connection_params()
            params.pop("cursor_factory", None)
            self._listener = psycopg.connect(**params, autocommit=True)
            self._listener.execute(f"LISTEN {CHANNEL}")
        return self._listener

    def claim(self, limit: int, timeout: float) -> list[DBTaskResult]:
        try:
            listener = self._listen()
        except psycopg.Error as exc:
            logger.warning("Cannot LISTEN for new tasks (%s); polling instead", exc)
            return super().claim(limit, timeout)
        # LISTEN before looking: a task enqueued between the look and the sleep still wakes us.
        claimed = super().claim(limit, timeout)
        if claimed or limit <= 0:
            return claimed
        self._sleep_until_notified(listener)
        return super().claim(limit, timeout)

    def _sleep_until_notified(self, listener: psycopg.Connection) -> None:
        deadline = time.monotonic() + IDLE_WAKE
        try:
            while time.monotonic() < deadline and not self.stop_requested():
                if any(True for _ in listener.notifies(timeout=SLICE, stop_after=1)):
                    # Drain the rest: one claim serves every task enqueued so far.
                    for _ in listener.notifies(timeout=0):
                        pass
                    return
        except psycopg.Error as exc:
            logger.warning("Lost the LISTEN connection (%s); reconnecting", exc)
            self._close_listener()

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            finally:
                self._listener = None

    def close(self) -> None:
        self._close_listener()
        super().close()


SOURCES_BY_VENDOR["postgresql"] = ListeningSource
