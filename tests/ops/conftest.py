"""Helpers for tests that run the real commands in subprocesses against a throwaway DATA_DIR.

These exercise processes, signals and SQLite files, so they run on SQLite whatever database the
rest of the suite uses (marked sqlite_path)."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


KEPT = {"PATH", "HOME", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TERM", "SHELL"}


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A clean environment: nothing the test process (or a developer's shell) has set, such as
    DEBUG, DATABASE_URL or DJANGO_ALLOW_ASYNC_UNSAFE, leaks into the command under test."""
    env = {key: value for key, value in os.environ.items() if key in KEPT}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATA_DIR=str(data_dir),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(data_dir: Path, *args: str, timeout: float = 120, **env: str):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=base_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_worker(data_dir: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", "run_worker", "--reap-interval", "0", *args],
        cwd=ROOT,
        env=base_env(data_dir, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def enqueue_sleeps(data_dir: Path, count: int, seconds: float, log: Path | None = None, **env):
    """Enqueue `count` sleep_job tasks (tags 0..count-1) from a separate process."""
    code = (
        "from bench.jobs import sleep_job\n"
        f"for i in range({count}): sleep_job.enqueue({seconds}, tag=str(i), log={str(log or '')!r})"
    )
    result = manage(data_dir, "shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr


def task_rows(data_dir: Path) -> list[dict]:
    with sqlite3.connect(data_dir / "promptbrush.sqlite3", timeout=20) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT id, status, args_kwargs, return_value, worker_ids, exception_class_path "
            "FROM django_tasks_database_dbtaskresult"
        ).fetchall()
    return [
        {
            "status": row["status"],
            "kwargs": json.loads(row["args_kwargs"])["kwargs"],
            "value": json.loads(row["return_value"]) if row["return_value"] else None,
            "workers": json.loads(row["worker_ids"]),
            "exception": row["exception_class_path"],
        }
        for row in rows
    ]


def statuses(data_dir: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in task_rows(data_dir):
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


def wait_for(predicate, timeout: float = 20, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")


def stop(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 30) -> str:
    """Send `sig` (None: just wait) and collect the output."""
    if sig is not None and process.poll() is None:
        process.send_signal(sig)
    output, _ = process.communicate(timeout=timeout)
    return output


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One migrated DATA_DIR per session; each test gets a copy (migrating takes seconds)."""
    data_dir = tmp_path_factory.mktemp("template-data")
    result = manage(data_dir, "migrate", "--noinput", "-v0")
    assert result.returncode == 0, result.stderr
    return data_dir


@pytest.fixture
def data_dir(migrated_template, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(migrated_template, target)
    return target
