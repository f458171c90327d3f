"""The change feed's source on SQLite (and any database without push): a read-only query of
the listening memberships' live records and credits, diffed in memory.

The worker is another process: it rings this process's doorbell (core.doorbell) whenever it
changes a record, and the feed reads at once (at most one read per GAP, so a burst of finished
jobs is one read), or every IDLE_TICK seconds for changes nobody rang for. Where no doorbell can
be bound it reads every TICK seconds. Two indexed reads (~1 ms together) for the whole process;
nothing is written.
"""

from __future__ import annotations

import asyncio
import contextlib

from core import doorbell
from editor.live import feed
from worker.sqlite import bells

TICK = 0.1  # seconds between reads without a doorbell
GAP = 0.02  # seconds at least between two reads
IDLE_TICK = 0.5  # seconds between reads with a doorbell that does not ring


class PollSource:
    def __init__(self) -> None:
        self.records: dict[int, dict[str, str]] = {}
        self.credits: dict[int, dict[str, int]] = {}

    async def run(self, hub: feed.Hub) -> None:
        loop = asyncio.get_running_loop()
        bell = doorbell.open_bell(bells(), doorbell.WEB)
        rung = asyncio.Event()
        if bell is not None:
            loop.add_reader(bell.fileno(), lambda: (bell.drain(), rung.set()))
        try:
            while True:
                ids = hub.membership_ids()
                if not ids:
                    hub.wake.clear()
                    await hub.wake.wait()  # nobody listens: no queries at all
                    continue
                records, credits = await feed.read(_read, ids)
                for change in self.diff(records, credits):
                    hub.publish(change)
                await _pause(rung if bell is not None else None)
        finally:
            if bell is not None:
                loop.remove_reader(bell.fileno())
                bell.close()

    def diff(self, records, credits) -> list[feed.Change]:
        """Changes since the last read. A membership seen for the first time gets its whole
        state: its stream's own snapshot may be older than this read (duplicates are harmless,
        the page compares with what it shows)."""
        changes: list[feed.Change] = []
        for membership_id, now in records.items():
            before = self.records.get(membership_id, {})
            changes += [
                feed.Change(membership_id, "record", {"code": code, "status": status})
                for code, status in now.items()
                if before.get(code) != status
            ]
            current = credits.get(membership_id)
            if current is not None and self.credits.get(membership_id) != current:
                changes.append(feed.Change(membership_id, "credits", current))
        self.records, self.credits = records, credits
        return changes


def _read(ids: list[int]):
    return feed.records_now(ids), feed.credits_now(ids)


async def _pause(rung: asyncio.Event | None) -> None:
    """Until the next read: a ring (after GAP) or IDLE_TICK; TICK without a doorbell. A ring
    during the read leaves `rung` set, so that change is read right after the GAP."""
    if rung is None:
        await asyncio.sleep(TICK)
        return
    await asyncio.sleep(GAP)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(rung.wait(), IDLE_TICK - GAP)
    rung.clear()
