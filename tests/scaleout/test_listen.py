"""On PostgreSQL idle workers sleep on LISTEN and are woken by a NOTIFY sent when a task is
enqueued: no polling while idle, and a new task still starts at once."""

import time

import psycopg

from tests.ops.conftest import enqueue_sleeps, start_worker, stop, wait_for
from tests.scaleout.conftest import PG_ADMIN


def transactions(url: str) -> int:
    name = url.rsplit("/", 1)[1]
    # Read from another database, so that measuring adds nothing to the count.
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", (name,)
        ).fetchone()
    return row[0]


def test_an_idle_worker_does_not_poll_and_wakes_for_a_new_task(pg_database, tmp_path):
    url, data_dir = pg_database
    log = tmp_path / "ran.log"
    worker = start_worker(data_dir, "--poll", "0.05", DATABASE_URL=url)
    try:
        wait_until_quiet(url)  # started (imports, first claim) and asleep on LISTEN
        before = transactions(url)
        time.sleep(3)
        # Polling every 0.05 s is ~60 transactions here (measured: 53); a safety-net look every
        # 5 s is 2, and connection set-up under a loaded machine adds a few.
        idle_transactions = transactions(url) - before

        enqueue_sleeps(data_dir, 1, 0, log=log, DATABASE_URL=url)
        wait_for(lambda: log.exists() and log.read_text().strip(), timeout=10, interval=0.02)
    finally:
        output = stop(worker)

    assert idle_transactions <= 10, (idle_transactions, output)
    assert claim_latency(url) < 0.5  # woken by the NOTIFY, not by the 5 s safety net


def wait_until_quiet(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    last, quiet_since = transactions(url), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = transactions(url)
        if now - last > 2:
            quiet_since = time.monotonic()
        last = now
        if time.monotonic() - quiet_since >= 2:
            return


def claim_latency(url: str) -> float:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT extract(epoch FROM started_at - enqueued_at)"
            " FROM django_tasks_database_dbtaskresult"
        ).fetchone()
    return float(row[0])
