"""TASK_BACKEND=redis: our Redis backend, driven by the same threaded worker, across processes.

Needs the Redis server on 127.0.0.1:6379; uses database 14 and only keys under its own prefix."""

import socket
import time
import uuid

import pytest
from django.tasks import TaskResultStatus

from bench.jobs import failing_job, sleep_job
from editor.redis_backend import RedisBackend
from tests.ops.conftest import enqueue_sleeps, start_worker, stop

REDIS_URL = "redis://127.0.0.1:6379/14"
# A prefix of its own per run, so concurrent test runs on one Redis never see each other's keys.
PREFIX = f"promptbrush-test-{uuid.uuid4().hex[:12]}"


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.redis,
    pytest.mark.sqlite_path,
    pytest.mark.skipif(not _redis_answers(), reason="no Redis server answers on 127.0.0.1:6379"),
]


@pytest.fixture
def backend():
    backend = RedisBackend("default", {"OPTIONS": {"URL": REDIS_URL, "PREFIX": PREFIX}})
    for key in backend.client.scan_iter(match=f"{PREFIX}:*"):
        backend.client.delete(key)
    yield backend
    for key in backend.client.scan_iter(match=f"{PREFIX}:*"):
        backend.client.delete(key)


@pytest.fixture
def redis_tasks(settings, backend):
    settings.TASKS = {
        "default": {
            "BACKEND": "editor.redis_backend.RedisBackend",
            "OPTIONS": {"URL": REDIS_URL, "PREFIX": PREFIX},
        }
    }


def redis_env() -> dict[str, str]:
    return {"TASK_BACKEND": "redis", "REDIS_URL": REDIS_URL, "REDIS_PREFIX": PREFIX}


def all_results(backend) -> list:
    ids = [key.rsplit(":", 1)[-1] for key in backend.client.scan_iter(match=f"{PREFIX}:result:*")]
    return [backend.get_result(task_id) for task_id in ids]


def test_a_task_enqueued_in_one_process_runs_on_a_worker_in_another(backend, data_dir):
    enqueue_sleeps(data_dir, 32, 1.5, **redis_env())
    assert backend.queued() == 32

    began = time.monotonic()
    worker = start_worker(data_dir, "--threads", "32", "--exit-when-idle", "0.5", **redis_env())
    output = stop(worker, sig=None, timeout=60)

    results = all_results(backend)
    assert worker.returncode == 0, output
    assert [r.status for r in results] == [TaskResultStatus.SUCCESSFUL] * 32
    assert sorted(int(r.kwargs["tag"]) for r in results) == list(range(32))
    # The worker is another process, and it held all 32 at once.
    assert {r.return_value["pid"] for r in results} == {worker.pid}
    assert max(r.return_value["start"] for r in results) < min(
        r.return_value["end"] for r in results
    )
    assert time.monotonic() - began < 10
    assert backend.queued() == 0


def test_enqueue_waits_for_the_transaction_to_commit(
    redis_tasks, backend, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = sleep_job.enqueue(0.1, tag="x")
        assert backend.queued() == 0  # a worker cannot see it before the record commits

    assert backend.queued() == 1
    stored = sleep_job.get_result(result.id)
    assert stored.status == TaskResultStatus.READY
    assert stored.kwargs == {"tag": "x"}
    assert stored.args == [0.1]


def test_results_and_failures_are_read_back(
    redis_tasks, backend, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ok = sleep_job.enqueue(0, tag="a")
        bad = failing_job.enqueue("provider exploded")
    claimed = backend.claim("w1", "default", 10, timeout=0)
    for task_id in claimed:
        backend.run("w1", task_id)

    assert sorted(claimed) == sorted([ok.id, bad.id])
    ok.refresh()
    bad.refresh()
    assert ok.status == TaskResultStatus.SUCCESSFUL
    assert ok.worker_ids == ["w1"]
    assert bad.status == TaskResultStatus.FAILED
    assert bad.errors[0].exception_class_path == "builtins.RuntimeError"
    assert bad.errors[0].traceback.splitlines()[-1] == "RuntimeError: provider exploded"
    assert backend.client.llen(f"{PREFIX}:processing:w1") == 0


def test_tasks_held_by_a_dead_worker_go_back_to_the_queue_once(
    redis_tasks, backend, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = sleep_job.enqueue(0, tag="orphan")
    backend.heartbeat("alive")
    assert backend.claim("dead", "default", 5, timeout=0) == [result.id]
    assert backend.queued() == 0

    assert backend.requeue_orphans() == 1
    assert backend.requeue_orphans() == 0  # a second reaper finds nothing

    assert backend.queued() == 1
    assert backend.claim("alive", "default", 5, timeout=0) == [result.id]
    assert backend.requeue_orphans() == 0  # a live worker keeps what it holds
    backend.run("alive", result.id)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.worker_ids == ["alive"]
