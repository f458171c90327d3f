"""The change feed's source on PostgreSQL: LISTEN on the channel a trigger on gallery_record
notifies (gallery migration 0004) whenever a record is created or changes status.

NOTIFY is delivered on commit to every listening connection, so a record finished by a worker on
any machine reaches every web process at once, with no polling. Credits change in the same
transactions as the records (reserve on submit, settle, refund), so each notification is
followed by one read of that member's credits.
"""

from __future__ import annotations

import json
import logging

import psycopg
from django.db import connection

from editor.live import feed

logger = logging.getLogger(__name__)

CHANNEL = "promptbrush_records"


def _conninfo() -> dict:
    """The same connection settings as the app's own (OPTIONS included), without Django's."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    return params


class NotifySource:
    def __init__(self) -> None:
        self.credits: dict[int, dict[str, int]] = {}

    async def run(self, hub: feed.Hub) -> None:
        conn = await psycopg.AsyncConnection.connect(**_conninfo(), autocommit=True)
        async with conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            # Anything that changed while no connection listened (start, or a restart after
            # an error) reaches the tabs as a fresh snapshot.
            for membership_id in hub.membership_ids():
                for change in await feed.read(feed.snapshot, membership_id):
                    hub.publish(change)
            async for note in conn.notifies():
                await self._dispatch(hub, note.payload)

    async def _dispatch(self, hub: feed.Hub, payload: str) -> None:
        try:
            data = json.loads(payload)
            membership_id = int(data["m"])
            change = {"code": str(data["c"]), "status": str(data["s"])}
        except (ValueError, KeyError, TypeError):
            logger.warning("live feed: ignoring notification %r", payload)
            return
        if membership_id not in hub.subscribers:
            return
        hub.publish(feed.Change(membership_id, "record", change))
        credits = (await feed.read(feed.credits_now, [membership_id])).get(membership_id)
        if credits is not None and credits != self.credits.get(membership_id):
            self.credits[membership_id] = credits
            hub.publish(feed.Change(membership_id, "credits", credits))
