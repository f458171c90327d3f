"""Job concurrency: 32 jobs that each wait 2 s, run by one `manage.py run_worker` process.

    .venv/bin/python bench/bench_jobs.py [--jobs 32] [--seconds 2] [--threads 32]

Uses a throwaway DATA_DIR (SQLite in WAL mode), enqueues the jobs from one process, starts the
worker as another and prints the wall time from the worker's launch until every job is done.
Serially the jobs would take jobs x seconds; the target is well under 10 s for 32 x 2 s.
"""

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATA_DIR=str(data_dir))
    env.update(LOG_LEVEL="WARNING")
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def done_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "promptbrush.sqlite3", timeout=20) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
        ).fetchone()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="promptbrush-bench-"))
    env = environment(data_dir)
    manage(env, "migrate", "--noinput", "-v0")
    code = (
        "from bench.jobs import sleep_job\n"
        f"for i in range({args.jobs}): sleep_job.enqueue({args.seconds}, tag=str(i))"
    )
    manage(env, "shell", "--no-imports", "-c", code)

    started = time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--threads", str(args.threads)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while done_count(data_dir) < args.jobs:
            if worker.poll() is not None:
                sys.exit(f"the worker exited early with code {worker.returncode}")
            time.sleep(0.05)
        wall = time.monotonic() - started
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    serial = args.jobs * args.seconds
    print(
        json.dumps(
            {
                "jobs": args.jobs,
                "job_seconds": args.seconds,
                "threads": args.threads,
                "wall_seconds": round(wall, 2),
                "serial_seconds": serial,
                "speedup": round(serial / wall, 1),
            }
        )
    )
    print(
        f"{args.jobs} jobs x {args.seconds:g} s with {args.threads} threads: "
        f"{wall:.2f} s wall (serially {serial:g} s), including worker start-up"
    )


if __name__ == "__main__":
    main()
