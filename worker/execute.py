"""Running one task: the one place that calls a task and sends Django's task signals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.tasks import Task, TaskResult
from django.tasks.base import TaskContext
from django.tasks.signals import task_finished, task_started

logger = logging.getLogger("promptbrush.worker")

# Stores a task's outcome (its return value, or the exception it raised) and returns the result
# as it now stands, for the task_finished signal.
StoreOutcome = Callable[[Any, BaseException | None], TaskResult]


def run_task(task: Task, task_result: TaskResult, store: StoreOutcome) -> None:
    """Call `task` with the arguments of `task_result`, between task_started and task_finished.

    A task that raises is recorded as failed, with its exception; so is a return value the
    store cannot keep (one that is not JSON, say)."""
    sender = type(task.get_backend())
    task_started.send(sender=sender, task_result=task_result)
    try:
        if task.takes_context:
            context = TaskContext(task_result=task_result)
            value = task.call(context, *task_result.args, **task_result.kwargs)
        else:
            value = task.call(*task_result.args, **task_result.kwargs)
    except Exception as exc:
        logger.warning("Task %s failed: %s", task_result.id, exc)
        finished = store(None, exc)
    else:
        try:
            finished = store(value, None)
        except Exception as exc:
            logger.warning(
                "Task %s finished, but its result could not be stored: %s", task_result.id, exc
            )
            finished = store(None, exc)
    task_finished.send(sender=sender, task_result=finished)
