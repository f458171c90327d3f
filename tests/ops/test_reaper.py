"""The reaper: edits whose worker died are requeued, or failed with their credits refunded."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import services
from accounts.models import CreditEntry
from editor.services.job import WORKER_LOST, reap_stale_records
from gallery.models import Record

LONG_AGO = timedelta(hours=2)


@pytest.fixture(autouse=True)
def database_tasks(settings):
    # Requeued edits must land in the queue, not run inline, so the test can see them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JOB_STALE_SECONDS = 600
    settings.JOB_MAX_ATTEMPTS = 2


def running_record(membership, *, attempts: int, heartbeat_age: timedelta, cost: int = 4_000):
    now = timezone.now()
    record = Record.objects.create(
        team=membership.team,
        user=membership.user,
        membership=membership,
        type=Record.Type.IMAGE_INPAINTER,
        provider="openai",
        model="gpt-image-1",
        status=Record.Status.RUNNING,
        cost=cost,
        attempts=attempts,
        started=now - heartbeat_age - timedelta(seconds=5),
        heartbeat=now - heartbeat_age,
    )
    services.reserve_credits(membership, cost, str(record.code))
    return record


def queued_edit_codes() -> list[str]:
    return [
        row.args_kwargs["kwargs"]["record_code"]
        for row in DBTaskResult.objects.filter(
            task_path="editor.tasks.run_edit_task", status="READY"
        )
    ]


def test_a_stale_record_with_attempts_left_is_requeued(
    bob_membership, django_capture_on_commit_callbacks
):
    record = running_record(bob_membership, attempts=1, heartbeat_age=LONG_AGO)

    with django_capture_on_commit_callbacks(execute=True):
        assert reap_stale_records() == (1, 0)

    record.refresh_from_db()
    assert record.status == Record.Status.PENDING
    assert record.error == ""
    assert queued_edit_codes() == [str(record.code)]
    bob_membership.refresh_from_db()
    assert bob_membership.used_credit == 4_000  # still reserved for the retry


def test_a_stale_record_out_of_attempts_fails_and_is_refunded(bob_membership):
    record = running_record(bob_membership, attempts=2, heartbeat_age=LONG_AGO)

    assert reap_stale_records() == (0, 1)

    record.refresh_from_db()
    assert record.status == Record.Status.FAILED
    assert record.error == WORKER_LOST
    assert record.finished is not None
    bob_membership.refresh_from_db()
    assert bob_membership.used_credit == 0
    kinds = list(
        CreditEntry.objects.filter(reference=str(record.code))
        .order_by("id")
        .values_list("kind", "amount")
    )
    assert kinds == [(CreditEntry.Kind.RESERVE, 4_000), (CreditEntry.Kind.REFUND, -4_000)]
    assert queued_edit_codes() == []


def test_a_record_with_a_recent_heartbeat_is_left_alone(bob_membership):
    record = running_record(bob_membership, attempts=1, heartbeat_age=timedelta(seconds=30))

    assert reap_stale_records() == (0, 0)

    record.refresh_from_db()
    assert record.status == Record.Status.RUNNING


def test_a_running_record_without_heartbeat_is_judged_by_its_start(bob_membership):
    record = running_record(bob_membership, attempts=2, heartbeat_age=LONG_AGO)
    Record.objects.filter(pk=record.pk).update(heartbeat=None)

    assert reap_stale_records() == (0, 1)
    record.refresh_from_db()
    assert record.status == Record.Status.FAILED


def test_finished_and_queued_records_are_never_reaped(bob_membership):
    done = running_record(bob_membership, attempts=2, heartbeat_age=LONG_AGO)
    Record.objects.filter(pk=done.pk).update(status=Record.Status.SUCCESS)
    queued = running_record(bob_membership, attempts=0, heartbeat_age=LONG_AGO)
    Record.objects.filter(pk=queued.pk).update(status=Record.Status.PENDING, heartbeat=None)

    assert reap_stale_records() == (0, 0)
    assert set(Record.objects.values_list("status", flat=True)) == {"SUCCESS", "PENDING"}


def test_a_queued_record_whose_task_was_lost_is_enqueued_again_once(
    bob_membership, django_capture_on_commit_callbacks
):
    record = running_record(bob_membership, attempts=0, heartbeat_age=LONG_AGO)
    # Queued two hours ago and never claimed: its task is gone (say the queue was down).
    Record.objects.filter(pk=record.pk).update(
        status=Record.Status.PENDING, heartbeat=None, created=timezone.now() - LONG_AGO
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert reap_stale_records() == (1, 0)
        assert reap_stale_records() == (0, 0)  # not again until another period has passed

    assert queued_edit_codes() == [str(record.code)]
    record.refresh_from_db()
    assert record.status == Record.Status.PENDING
    # The enqueue time is its own field: a heartbeat means only "a worker is alive on it".
    assert (record.heartbeat, record.enqueued is not None) == (None, True)
    bob_membership.refresh_from_db()
    assert bob_membership.used_credit == 4_000


def test_a_second_reaper_finds_nothing_left_to_do(
    bob_membership, django_capture_on_commit_callbacks
):
    requeue = running_record(bob_membership, attempts=0, heartbeat_age=LONG_AGO)
    fail = running_record(bob_membership, attempts=5, heartbeat_age=LONG_AGO)

    with django_capture_on_commit_callbacks(execute=True):
        assert reap_stale_records() == (1, 1)
        assert reap_stale_records() == (0, 0)

    assert queued_edit_codes() == [str(requeue.code)]
    refunds = CreditEntry.objects.filter(reference=str(fail.code), kind=CreditEntry.Kind.REFUND)
    assert refunds.count() == 1
    bob_membership.refresh_from_db()
    assert bob_membership.used_credit == 4_000  # only the requeued edit's reservation remains


def test_reap_once_command_reports_what_it_did(bob_membership, capsys):
    running_record(bob_membership, attempts=0, heartbeat_age=LONG_AGO)
    running_record(bob_membership, attempts=2, heartbeat_age=LONG_AGO)

    call_command("run_worker", "--reap-once")

    assert capsys.readouterr().out == "Requeued 1 records, failed 1; 0 orphaned tasks.\n"


@pytest.mark.sqlite_path
@pytest.mark.django_db(transaction=True)
def test_two_reapers_racing_act_on_each_record_once(bob_membership):
    for _ in range(5):
        running_record(bob_membership, attempts=0, heartbeat_age=LONG_AGO, cost=1_000)
        running_record(bob_membership, attempts=2, heartbeat_age=LONG_AGO, cost=1_000)
    barrier = threading.Barrier(2)
    totals: list[tuple[int, int]] = []

    def reap() -> None:
        try:
            barrier.wait()
            totals.append(reap_stale_records())
        finally:
            connection.close()

    threads = [threading.Thread(target=reap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (sum(t[0] for t in totals), sum(t[1] for t in totals)) == (5, 5)
    assert len(queued_edit_codes()) == 5
    assert CreditEntry.objects.filter(kind=CreditEntry.Kind.REFUND).count() == 5
    bob_membership.refresh_from_db()
    assert bob_membership.used_credit == 5_000
