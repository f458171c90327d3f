"""Job concurrency: 32 jobs that each wait 2 s, run by one `manage.py run_worker` process.

    .venv/bin/python bench/bench_jobs.py [--jobs 32] [--seconds 2] [--threads 32] [--backend redis]

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
REDIS_PREFIX = f"promptbrush-bench-{os.getpid()}"


def environment(data_dir: Path, backend: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TASK_BACKEND"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATA_DIR=str(data_dir))
    env.update(LOG_LEVEL="WARNING", TASK_BACKEND=backend, REDIS_URL=redis_url)
    env.update(REDIS_PREFIX=REDIS_PREFIX)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def done_count(data_dir: Path, backend: str, redis_url: str) -> int:
    if backend == "redis":
        import redis  # noqa: PLC0415  lazy: only the Redis backend needs the client

        client = redis.Redis.from_url(redis_url, decode_responses=True)
        keys = list(client.scan_iter(match=f"{REDIS_PREFIX}:result:*"))
        return sum(client.hget(key, "status") == "SUCCESSFUL" for key in keys)
    with sqlite3.connect(data_dir / "promptbrush.sqlite3", timeout=20) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
        ).fetchone()
    return count


def clear_redis(redis_url: str) -> None:
    import redis  # noqa: PLC0415  lazy: only the Redis backend needs the client

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{REDIS_PREFIX}:*"):
        client.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--backend", choices=["database", "redis"], default="database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="promptbrush-bench-"))
    env = environment(data_dir, args.backend, args.redis_url)
    manage(env, "migrate", "--noinput", "-v0")
    if args.backend == "redis":
        clear_redis(args.redis_url)
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
        while done_count(data_dir, args.backend, args.redis_url) < args.jobs:
            if worker.poll() is not None:
                sys.exit(f"the worker exited early with code {worker.returncode}")
            time.sleep(0.05)
        wall = time.monotonic() - started
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        if args.backend == "redis":
            clear_redis(args.redis_url)

    serial = args.jobs * args.seconds
    print(
        json.dumps(
            {
                "backend": args.backend,
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
        f"{args.jobs} jobs x {args.seconds:g} s on {args.backend} with {args.threads} threads: "
        f"{wall:.2f} s wall (serially {serial:g} s), including worker start-up"
    )


if __name__ == "__main__":
    main()
