"""Benchmark and test tasks: they wait like a provider call does, and leave a trace of each run."""

import os
import threading
import time

from django.tasks import task


@task()
def sleep_job(seconds: float, tag: str = "", log: str = "") -> dict:
    """Sleep like an I/O-bound provider call; append `tag` to the file `log` (one line per run)."""
    started = time.time()
    time.sleep(seconds)
    if log:
        with open(log, "a") as fh:  # O_APPEND: one short write per run, never interleaved
            fh.write(f"{tag} {os.getpid()} {threading.current_thread().name}\n")
    return {"start": started, "end": time.time(), "pid": os.getpid()}


@task()
def failing_job(message: str) -> None:
    raise RuntimeError(message)
