"""The runner in this process, on the database queue: what it writes, and the task signals."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.tasks.signals import task_finished, task_started
from django_tasks_db.models import DBTaskResult

from bench.jobs import failing_job, sleep_job
from editor.services.job import reap_stale_records
from worker.runner import Runner
from worker.sources import PollingSource

pytestmark = [pytest.mark.sqlite_path, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_until_idle(**options) -> Runner:
    # The polling source on any database: on PostgreSQL source_for() would pick the one that
    # sleeps on LISTEN (tests/scaleout/test_listen.py covers that one across processes).
    source = PollingSource("default", "in-process")
    runner = Runner(source, threads=4, poll_interval=0.02, max_idle=0.5, **options)
    runner.run()
    return runner


def test_each_task_runs_once_between_its_started_and_finished_signals():
    good = sleep_job.enqueue(0.01, tag="ok")
    bad = failing_job.enqueue("provider exploded")
    seen = []

    def started(sender, task_result, **kwargs):
        seen.append(("started", task_result.id, task_result.status))

    def finished(sender, task_result, **kwargs):
        seen.append(("finished", task_result.id, task_result.status))

    task_started.connect(started)
    task_finished.connect(finished)
    try:
        runner = run_until_idle()
    finally:
        task_started.disconnect(started)
        task_finished.disconnect(finished)

    assert runner.done == 2
    assert sorted(seen) == sorted(
        [
            ("started", good.id, "RUNNING"),
            ("finished", good.id, "SUCCESSFUL"),
            ("started", bad.id, "RUNNING"),
            ("finished", bad.id, "FAILED"),
        ]
    )
    # Each task's started signal came before its finished one.
    assert seen.index(("started", good.id, "RUNNING")) < seen.index(
        ("finished", good.id, "SUCCESSFUL")
    )
    failed = DBTaskResult.objects.get(pk=bad.id)
    assert failed.exception_class_path == "builtins.RuntimeError"
    assert "provider exploded" in failed.traceback
    assert DBTaskResult.objects.get(pk=good.id).return_value["end"] > 0


def test_an_idle_worker_only_reads():
    # Issue 16: idle workers ran write transactions; on SQLite every write takes the one lock.
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql.split(None, 1)[0].upper())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run_until_idle(periodic=[("reaper", reap_stale_records)], periodic_interval=0.05)

    assert statements.count("SELECT") >= 10  # it polled, and the reaper ran several times
    assert set(statements) == {"SELECT"}


def test_a_periodic_hook_that_does_not_import_stops_the_worker_at_start(settings):
    settings.WORKER_PERIODIC = ["editor.services.job.no_such_hook"]

    with pytest.raises(CommandError) as exc:
        call_command("run_worker", "--reap-once")

    assert str(exc.value).startswith(
        "WORKER_PERIODIC: cannot import 'editor.services.job.no_such_hook'"
    )
