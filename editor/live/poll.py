"""The change feed's source on SQLite (and any database without push): a read-only query of
the listening memberships' live records and credits every TICK seconds, diffed in memory.

The worker is another process, so the web process cannot hear it finish; two indexed reads
(~1 ms together) per tick for the whole process keep a change within TICK + one read of the
page, well inside the 300 ms the editing loop allows. Nothing is written.
"""

from __future__ import annotations

import asyncio

from editor.live import feed

TICK = 0.1  # seconds


class PollSource:
    def __init__(self) -> None:
        self.records: dict[int, dict[str, str]] = {}
        self.credits: dict[int, dict[str, int]] = {}

    async def run(self, hub: feed.Hub) -> None:
        while True:
            ids = hub.membership_ids()
            if not ids:
                hub.wake.clear()
                await hub.wake.wait()  # nobody listens: no queries at all
                continue
            records, credits = await feed.read(_read, ids)
            for change in self.diff(records, credits):
                hub.publish(change)
            await asyncio.sleep(TICK)

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
