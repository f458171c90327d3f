"""On PostgreSQL the change feed is pushed: a trigger on gallery_record notifies, the hub's
LISTEN connection hears it, the member's subscribers get it. Runs when the suite runs on
PostgreSQL (`make test` does, where one answers)."""

import asyncio
import threading
import time

import pytest
from django.db import connection, connections

from accounts.models import Membership
from editor.live import feed
from editor.live.postgres import NotifySource
from gallery.models import Record
from tests.gallery.factories import make_record

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's"),
]


def in_thread(fn, *args):
    """Write from another thread (its own connection and commit), as a worker would."""
    done = threading.Event()

    def run():
        try:
            fn(*args)
        finally:
            connections.close_all()
            done.set()

    threading.Thread(target=run).start()
    done.wait(10)
    return time.monotonic()


async def next_change(queue, kind, timeout=5.0, **match):
    while True:
        change = await asyncio.wait_for(queue.get(), timeout)
        if change.kind == kind and all(change.data.get(k) == v for k, v in match.items()):
            return change, time.monotonic()


@pytest.mark.django_db(transaction=True)
def test_a_committed_status_change_is_pushed_to_the_owner_only(alice_membership, bob_membership):
    record = make_record(alice_membership, status=Record.Status.PENDING)

    async def scenario():
        hub = feed.Hub(NotifySource)
        alice = hub.subscribe(alice_membership.pk)
        bob = hub.subscribe(bob_membership.pk)
        # The source's first act is a snapshot for the subscribers: once it came, it listens.
        await next_change(alice, "record")
        changed = await asyncio.to_thread(
            in_thread,
            lambda: Record.objects.filter(pk=record.pk).update(status=Record.Status.SUCCESS),
        )
        change, arrived = await next_change(alice, "record")
        assert change.data == {"code": str(record.code), "status": "SUCCESS"}
        assert arrived - changed < 0.3
        spent = await asyncio.to_thread(
            in_thread,
            lambda: Membership.objects.filter(pk=alice_membership.pk).update(used_credit=700),
        )
        refunded = await asyncio.to_thread(
            in_thread,
            lambda: Record.objects.filter(pk=record.pk).update(status=Record.Status.FAILED),
        )
        assert refunded >= spent
        # The refund's notification brings the member's credits as committed with it.
        change, _ = await next_change(alice, "credits", used=700)
        assert change.data["limit"] == alice_membership.credit_limit
        # Bob (a team mate) heard nothing of alice's record, only his own snapshot.
        heard = []
        while not bob.empty():
            heard.append(bob.get_nowait())
        assert {c.kind for c in heard} <= {"credits"}
        hub.task.cancel()
        await feed.read(connections.close_all)

    asyncio.run(scenario())
