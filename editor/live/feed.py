"""The change feed: one hub per process, one source feeding it, many subscribers.

A subscriber is one open tab (one SSE stream) of one membership (user in a team); it only ever
receives changes of that membership's records and credits, which is exactly what the editor
pages show (`records_visible_to`). The source is chosen by database (`stream.hub`): PostgreSQL
pushes with LISTEN/NOTIFY, so a record finished by a worker on another machine reaches every web
process; elsewhere (SQLite: the worker is another process on the same machine) a cheap
read-only query every TICK seconds finds what changed. Either way one source serves all the
process's tabs.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership
from gallery.models import Record

logger = logging.getLogger(__name__)

ACTIVE = (Record.Status.PENDING, Record.Status.RUNNING)
# Records finished (or created) this recently are part of a snapshot: a tab that connects just
# after its job ended still learns the outcome.
RECENT = timedelta(minutes=2)


@dataclass(frozen=True)
class Change:
    """One event for one membership's tabs: kind "record" (code, status) or "credits"."""

    membership_id: int
    kind: str
    data: dict[str, Any]


class Source(Protocol):
    async def run(self, hub: Hub) -> None:
        """Publish changes into the hub until cancelled."""


# The ORM is synchronous: the hub's reads run on one thread of their own instead of queueing
# behind the requests' synchronous work.
_db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-feed")


async def read(fn, *args):
    """Run a synchronous ORM read on the feed's thread."""

    def call():
        try:
            return fn(*args)
        finally:
            # As at a request's end: back to PostgreSQL's pool. SQLite's connection stays open
            # for the next tick (reopening it costs more than the read itself).
            if connection.vendor != "sqlite" or connection.errors_occurred:
                close_old_connections()

    return await asyncio.get_running_loop().run_in_executor(_db_thread, call)


def records_now(membership_ids: list[int]) -> dict[int, dict[str, str]]:
    """{membership: {record code: status}} for active and recently finished records."""
    since = timezone.now() - RECENT
    rows = (
        Record.objects.filter(membership_id__in=membership_ids)
        .filter(Q(status__in=ACTIVE) | Q(finished__gte=since) | Q(created__gte=since))
        .values_list("membership_id", "code", "status")
    )
    out: dict[int, dict[str, str]] = {m: {} for m in membership_ids}
    for membership_id, code, status in rows:
        out[membership_id][str(code)] = status
    return out


def credits_now(membership_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = Membership.objects.filter(pk__in=membership_ids).values_list(
        "pk", "used_credit", "credit_limit"
    )
    return {pk: {"used": used, "limit": limit} for pk, used, limit in rows}


def snapshot(membership_id: int) -> list[Change]:
    """What a tab needs on (re)connecting: its membership's live records and credits."""
    changes = [
        Change(membership_id, "record", {"code": code, "status": status})
        for code, status in records_now([membership_id])[membership_id].items()
    ]
    credits = credits_now([membership_id]).get(membership_id)
    if credits is not None:
        changes.append(Change(membership_id, "credits", credits))
    return changes


@dataclass
class Hub:
    source_factory: Any
    subscribers: dict[int, set[asyncio.Queue]] = field(default_factory=lambda: defaultdict(set))
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None

    def subscribe(self, membership_id: int) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self.subscribers[membership_id].add(queue)
        self.wake.set()
        if self.task is None or self.task.done() or self.task.cancelling():
            self.task = asyncio.get_running_loop().create_task(self._run())
        return queue

    def unsubscribe(self, membership_id: int, queue: asyncio.Queue) -> None:
        queues = self.subscribers.get(membership_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self.subscribers[membership_id]
        # Nobody left: the source stops, and with it PostgreSQL's LISTEN connection (a waiting
        # API call may be the only listener, on an event loop that ends with its request).
        if not self.subscribers and self.task is not None:
            self.task.cancel()

    def membership_ids(self) -> list[int]:
        return list(self.subscribers)

    def publish(self, change: Change) -> None:
        for queue in list(self.subscribers.get(change.membership_id, ())):
            try:
                queue.put_nowait(change)
            except asyncio.QueueFull:  # a tab that stopped reading; it resyncs on reconnect
                logger.warning("live feed: dropping a change for a stalled stream")

    async def _run(self) -> None:
        """Keep the source running while anyone listens; restart it after a failure."""
        while True:
            try:
                await self.source_factory().run(self)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live feed source failed; restarting in 1 s")
                await asyncio.sleep(1)
