"""CPU seats for the image work of jobs, and a job's independent image steps side by side.

Image work before and after a provider call is CPU-bound: dozens of jobs doing it at once on a
few cores only fight over caches and the GIL (measured: a third more CPU per edit with 50 at
once), so a job does it holding one of WORKER_CPU_SLOTS seats (default: one per core). The
provider call, where jobs spend their time, needs none.

A job alone on an idle machine would leave the other cores idle: the steps that need only the
decoded arrays (PNG, previews, drift) take a free seat each when there is one and run beside
each other. When every seat is taken, they run one after the other in the job's own thread,
so a busy worker never runs more image work at once than it has seats.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from django.conf import settings


@functools.cache
def _seats() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(_count())


def _count() -> int:
    return settings.WORKER_CPU_SLOTS or os.cpu_count() or 2


@functools.cache
def _helpers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_count(), thread_name_prefix="image-step")


@contextmanager
def seat() -> Iterator[None]:
    """Hold one seat for the image work inside (waits for one to come free)."""
    with _seats():
        yield


def side_by_side(*steps: Callable[[], Any]) -> list[Any]:
    """The steps' results, in order. The caller holds a seat and runs the first step itself;
    each other step runs on a helper thread if a seat is free right now, else after the first
    in this thread. A step's exception is raised here once every step has ended."""

    def on_its_seat(step: Callable[[], Any]) -> Any:
        try:
            return step()
        finally:
            _seats().release()

    helped: list[Future | None] = [
        _helpers().submit(on_its_seat, step) if _seats().acquire(blocking=False) else None
        for step in steps[1:]
    ]
    try:
        results = [steps[0]()]
        for step, future in zip(steps[1:], helped, strict=True):
            results.append(future.result() if future is not None else step())
    finally:
        for future in helped:  # nothing outlives the call, even when a step failed
            if future is not None:
                future.exception()
    return results
