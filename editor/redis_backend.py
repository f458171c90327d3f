"""A small Redis task backend for Django's built-in tasks framework (TASK_BACKEND=redis).

Why our own: django-tasks-rq 0.12 is written against the django_tasks backport; with Django 6's
built-in framework it hands back the backport's TaskResult (another TaskResultStatus enum), needs
django-rq's forking `rqworker` (one job per process) and pulls in four more packages. This module
is a reliable queue on redis-py alone, run by the same thread pool as the database backend
(`manage.py run_worker`).

Keys (all under OPTIONS["PREFIX"], default "promptbrush:tasks"):
- `queue:<name>`: a list of task ids waiting to run (LPUSH in, BLMOVE out).
- `processing:<worker id>`: ids a worker has taken. BLMOVE moves an id here atomically, so a task is
  either waiting or held by exactly one worker; never both, never lost.
- `worker:<worker id>`: a key with a short TTL that a live worker keeps refreshing. When it has
  expired, `requeue_orphans` moves that worker's ids back to their queue.
- `result:<id>`: a hash with the task and its outcome, kept for RESULT_TTL seconds once finished.
"""

from __future__ import annotations

import json
from traceback import format_exception
from typing import Any

from django.db import transaction
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import Task, TaskContext, TaskError, TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.dateparse import parse_datetime
from django.utils.json import normalize_json
from django.utils.module_loading import import_string

WORKER_TTL = 30  # seconds a worker counts as alive after its last heartbeat

_REQUEUE_ONE = """
local id = redis.call('RPOP', KEYS[1])
if not id then return false end
local result = ARGV[1] .. ':result:' .. id
local queue = redis.call('HGET', result, 'queue_name') or 'default'
if redis.call('EXISTS', result) == 1 then redis.call('HSET', result, 'status', 'READY') end
redis.call('LPUSH', ARGV[1] .. ':queue:' .. queue, id)
return id
"""


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _dt(value: str):
    return parse_datetime(value) if value else None


class RedisBackend(BaseTaskBackend):
    supports_defer = False
    supports_async_task = False
    supports_get_result = True
    supports_priority = False

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self.url = self.options.get("URL", "redis://127.0.0.1:6379/0")
        self.prefix = self.options.get("PREFIX", "promptbrush:tasks")
        self.result_ttl = int(self.options.get("RESULT_TTL", 7 * 24 * 3600))
        self._client = None

    @property
    def client(self):
        if self._client is None:
            import redis  # noqa: PLC0415  lazy: only the Redis backend needs the client

            # redis-py's client is thread-safe: a connection pool shared by all worker threads.
            self._client = redis.Redis.from_url(self.url, decode_responses=True)
        return self._client

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # --- Enqueue and read back -------------------------------------------------------------------

    def enqueue(self, task: Task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=normalize_json(args),
            kwargs=normalize_json(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        result_key = self.key("result", result.id)
        pipe = self.client.pipeline()
        pipe.hset(
            result_key,
            mapping={
                "task_path": task.module_path,
                "queue_name": task.queue_name,
                "args_kwargs": json.dumps({"args": result.args, "kwargs": result.kwargs}),
                "status": TaskResultStatus.READY,
                "enqueued_at": _iso(result.enqueued_at),
                "started_at": "",
                "finished_at": "",
                "worker_ids": "[]",
                "return_value": "null",
                "exception_class_path": "",
                "traceback": "",
            },
        )
        # Expires even if the transaction rolls back and the id is never queued.
        pipe.expire(result_key, self.result_ttl)
        pipe.execute()
        queue = self.key("queue", task.queue_name)
        # Like a database row, the task becomes visible to workers only once the caller's
        # transaction commits: a worker never sees a job whose record does not exist yet.
        transaction.on_commit(lambda: self.client.lpush(queue, result.id))
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> TaskResult:
        data = self.client.hgetall(self.key("result", result_id))
        if not data:
            raise TaskResultDoesNotExist(result_id)
        return self._result_from(result_id, data)

    def _result_from(self, result_id: str, data: dict[str, str]) -> TaskResult:
        task = import_string(data["task_path"])
        if not isinstance(task, Task):
            raise TaskResultDoesNotExist(result_id)
        args_kwargs = json.loads(data["args_kwargs"])
        errors = []
        if data.get("exception_class_path"):
            errors.append(
                TaskError(
                    exception_class_path=data["exception_class_path"],
                    traceback=data.get("traceback", ""),
                )
            )
        started = _dt(data.get("started_at", ""))
        result = TaskResult(
            task=task.using(queue_name=data["queue_name"], backend=self.alias),
            id=result_id,
            status=TaskResultStatus[data["status"]],
            enqueued_at=_dt(data.get("enqueued_at", "")),
            started_at=started,
            last_attempted_at=started,
            finished_at=_dt(data.get("finished_at", "")),
            args=args_kwargs["args"],
            kwargs=args_kwargs["kwargs"],
            backend=self.alias,
            errors=errors,
            worker_ids=json.loads(data.get("worker_ids") or "[]"),
        )
        object.__setattr__(result, "_return_value", json.loads(data.get("return_value", "null")))
        return result

    # --- Worker side ------------------------------------------------------------------------------

    def heartbeat(self, worker_id: str) -> None:
        self.client.set(self.key("worker", worker_id), "1", ex=WORKER_TTL)

    def forget_worker(self, worker_id: str) -> None:
        self.client.delete(self.key("worker", worker_id))

    def claim(self, worker_id: str, queue_name: str, limit: int, timeout: float) -> list[str]:
        """Up to `limit` task ids, moved atomically from the queue to this worker's list."""
        queue = self.key("queue", queue_name)
        processing = self.key("processing", worker_id)
        ids = []
        while len(ids) < limit:
            task_id = self.client.lmove(queue, processing, "RIGHT", "LEFT")
            if task_id is None:
                break
            ids.append(task_id)
        if not ids and limit and timeout > 0:
            task_id = self.client.blmove(queue, processing, timeout, "RIGHT", "LEFT")
            if task_id is not None:
                ids.append(task_id)
        return ids

    def run(self, worker_id: str, task_id: str) -> None:
        """Run one claimed task and record its outcome; the id leaves the worker's list last."""
        result_key = self.key("result", task_id)
        try:
            data = self.client.hgetall(result_key)
            if not data or data.get("status") != TaskResultStatus.READY:
                return  # finished elsewhere (e.g. requeued after this worker was thought dead)
            now = timezone.now()
            worker_ids = [*json.loads(data.get("worker_ids") or "[]"), worker_id]
            self.client.hset(
                result_key,
                mapping={
                    "status": TaskResultStatus.RUNNING,
                    "started_at": _iso(now),
                    "worker_ids": json.dumps(worker_ids),
                },
            )
            data.update(status="RUNNING", started_at=_iso(now), worker_ids=json.dumps(worker_ids))
            result = self._result_from(task_id, data)
            self._execute(result_key, result)
        finally:
            self.client.lrem(self.key("processing", worker_id), 1, task_id)

    def _execute(self, result_key: str, result: TaskResult) -> None:
        task = result.task
        task_started.send(type(self), task_result=result)
        try:
            if task.takes_context:
                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = task.call(*result.args, **result.kwargs)
            value = normalize_json(value)
        except BaseException as exc:
            error = TaskError(
                exception_class_path=f"{type(exc).__module__}.{type(exc).__qualname__}",
                traceback="".join(format_exception(exc)),
            )
            result.errors.append(error)
            status = TaskResultStatus.FAILED
            fields = {
                "exception_class_path": error.exception_class_path,
                "traceback": error.traceback,
            }
        else:
            object.__setattr__(result, "_return_value", value)
            status = TaskResultStatus.SUCCESSFUL
            fields = {"return_value": json.dumps(value)}
        now = timezone.now()
        pipe = self.client.pipeline()
        pipe.hset(result_key, mapping={**fields, "status": status, "finished_at": _iso(now)})
        pipe.expire(result_key, self.result_ttl)
        pipe.execute()
        object.__setattr__(result, "status", status)
        object.__setattr__(result, "finished_at", now)
        task_finished.send(type(self), task_result=result)

    def requeue_orphans(self) -> int:
        """Put back the tasks held by workers that stopped heartbeating. Safe to run anywhere."""
        moved = 0
        for processing in self.client.scan_iter(match=self.key("processing", "*")):
            worker_id = processing.rsplit(":", 1)[-1]
            if self.client.exists(self.key("worker", worker_id)):
                continue
            # One Lua call per id: pop, find its queue, push back, mark READY, all atomically,
            # so two reapers racing still move each id exactly once.
            while self.client.eval(_REQUEUE_ONE, 1, processing, self.prefix):
                moved += 1
        return moved

    def queued(self, queue_name: str = "default") -> int:
        return self.client.llen(self.key("queue", queue_name))

    def check(self, **kwargs: Any):
        return []
