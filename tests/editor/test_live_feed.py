"""The change feed without a server: what the polling source reports, what a snapshot holds,
and the events view's answer where it cannot stream."""

import pytest

from editor.live import feed
from editor.live.poll import PollSource
from gallery.models import Record
from tests.gallery.factories import days_ago, make_record


def kinds(changes):
    return [(c.membership_id, c.kind, c.data) for c in changes]


def test_the_poll_source_reports_status_and_credit_changes_once():
    source = PollSource()
    first = source.diff({1: {"a": "PENDING"}}, {1: {"used": 0, "limit": 10}})
    assert kinds(first) == [
        (1, "record", {"code": "a", "status": "PENDING"}),
        (1, "credits", {"used": 0, "limit": 10}),
    ]
    assert source.diff({1: {"a": "PENDING"}}, {1: {"used": 0, "limit": 10}}) == []
    changed = source.diff({1: {"a": "SUCCESS", "b": "PENDING"}}, {1: {"used": 5, "limit": 10}})
    assert kinds(changed) == [
        (1, "record", {"code": "a", "status": "SUCCESS"}),
        (1, "record", {"code": "b", "status": "PENDING"}),
        (1, "credits", {"used": 5, "limit": 10}),
    ]


@pytest.mark.django_db
def test_a_snapshot_holds_the_members_live_and_recent_records_only(
    alice_membership, bob_membership
):
    queued = make_record(alice_membership, status=Record.Status.PENDING)
    done_now = make_record(alice_membership)  # finished 5 s after being created: recent
    old = make_record(alice_membership, created=days_ago(3))
    make_record(bob_membership, status=Record.Status.RUNNING)  # a team mate's: not alice's
    changes = feed.snapshot(alice_membership.pk)
    records = {c.data["code"]: c.data["status"] for c in changes if c.kind == "record"}
    assert records == {str(queued.code): "PENDING", str(done_now.code): "SUCCESS"}
    assert str(old.code) not in records
    credits = [c.data for c in changes if c.kind == "credits"]
    assert credits == [
        {"used": alice_membership.used_credit, "limit": alice_membership.credit_limit}
    ]


@pytest.mark.django_db
def test_the_events_view_tells_a_wsgi_client_to_poll_instead(alice_client):
    response = alice_client.get("/jobs/events/")
    assert response.status_code == 204  # EventSource stops; the cards keep polling
