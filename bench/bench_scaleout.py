"""The scale-out path under load: PostgreSQL, media on moto's S3 server, 2 web processes, 1-3
run_worker processes, edits against a loopback OpenAI-compatible provider with 1 s latency.

    .venv/bin/python bench/bench_scaleout.py [--edits 300] [--kill]

Reports jobs per second for 1, 2 and 3 workers, the claim latency (record created -> started),
and with --kill a run with 3 workers where one is SIGKILLed half-way: every edit must end
SUCCESS, with provider calls counted per edit and the ledger balanced.
"""

import argparse
import concurrent.futures
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import psycopg

from tests.ops.conftest import manage
from tests.scaleout.cluster import Cluster, SlowProvider
from tests.scaleout.conftest import PG_ADMIN, postgres_answers
from tests.storage.conftest import S3Server


def fresh_database() -> tuple[str, Path]:
    name = f"pb_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    data_dir = Path(tempfile.mkdtemp(prefix="pb-bench-scale-"))
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    result = manage(data_dir, "migrate", "--noinput", "-v0", DATABASE_URL=url)
    if result.returncode:
        raise SystemExit(result.stderr)
    return url, data_dir


def drop(url: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def claim_latencies(url: str) -> list[float]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT extract(epoch FROM started - created) FROM gallery_record"
            " WHERE started IS NOT NULL"
        ).fetchall()
    return [float(r[0]) for r in rows]


def run(edits: int, workers: int, kill: bool) -> dict:
    url, data_dir = fresh_database()
    s3 = S3Server().start()
    try:
        with SlowProvider(latency=1.0) as provider:
            cluster = Cluster(url, data_dir, s3, provider).start(webs=2, workers=workers)
            try:
                image, mask = cluster.upload_inputs()
                started = time.monotonic()
                with concurrent.futures.ThreadPoolExecutor(16) as pool:
                    list(pool.map(lambda i: cluster.submit(i, image, mask), range(edits)))
                if kill:
                    while cluster.statuses()["SUCCESS"] < edits // 2:
                        time.sleep(0.05)
                    cluster.workers[0].send_signal(signal.SIGKILL)
                counts = cluster.wait_until_settled(edits, timeout=600)
                elapsed = time.monotonic() - started
                calls = cluster.provider.calls_per_prompt()
                ledger, used = cluster.ledger()
            finally:
                cluster.stop()
        latencies = claim_latencies(url)
    finally:
        s3.stop()
        drop(url)
    return {
        "workers": workers,
        "counts": dict(counts),
        "seconds": elapsed,
        "jobs_per_s": counts["SUCCESS"] / elapsed,
        "claim_p50": statistics.median(latencies),
        "provider_calls": sum(calls.values()),
        "sent_twice": sum(1 for n in calls.values() if n > 1),
        "ledger_balanced": ledger == used,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()
    if not postgres_answers():
        raise SystemExit("needs PostgreSQL on 127.0.0.1:5432")
    plans = [(3, True)] if args.kill else [(1, False), (2, False), (3, False)]
    print(f"{args.edits} edits, provider latency 1 s, 2 web processes")
    for workers, kill in plans:
        r = run(args.edits, workers, kill)
        print(
            f"  {r['workers']} worker(s){' (one SIGKILLed)' if kill else ''}: "
            f"{r['jobs_per_s']:.1f} jobs/s, {r['seconds']:.1f} s, "
            f"claim p50 {r['claim_p50']:.2f} s, "
            f"{r['counts']}, provider calls {r['provider_calls']} ({r['sent_twice']} sent twice), "
            f"ledger {'balanced' if r['ledger_balanced'] else 'NOT balanced'}"
        )


if __name__ == "__main__":
    main()
