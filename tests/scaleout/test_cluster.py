"""The scale-out path end to end, small: PostgreSQL, media on an S3-protocol server, 2 web
processes, 3 workers, edits against a provider with 1 s latency, one worker SIGKILLed mid-run.
(bench/bench_scaleout.py runs the same with 300 edits and reports throughput.)"""

import concurrent.futures
import signal

import pytest

from tests.ops.conftest import wait_for
from tests.scaleout.cluster import Cluster, SlowProvider
from tests.storage.conftest import S3Server

EDITS = 36


@pytest.fixture
def cluster(pg_database):
    url, data_dir = pg_database
    s3 = S3Server().start()
    with SlowProvider(latency=1.0) as provider:
        cluster = Cluster(url, data_dir, s3, provider)
        try:
            yield cluster.start(webs=2, workers=3)
        finally:
            cluster.stop()
            s3.stop()


def test_every_edit_succeeds_once_when_a_worker_is_killed(cluster):
    image, mask = cluster.upload_inputs()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda i: cluster.submit(i, image, mask), range(EDITS)))
    assert len(set(codes)) == EDITS

    # Kill a worker while jobs are in flight: its records stay RUNNING with nobody behind them
    # until the reaper in the surviving workers requeues them.
    try:
        wait_for(lambda: cluster.statuses()["RUNNING"] >= 3, timeout=60)
    except AssertionError:
        raise AssertionError(f"{cluster.statuses()}\n{cluster.worker_logs()[-3000:]}") from None
    victim = cluster.workers[0]
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)

    counts = cluster.wait_until_settled(EDITS, timeout=120)

    assert counts == {"SUCCESS": EDITS}, (counts, cluster.failures())
    calls = cluster.provider.calls_per_prompt()
    assert set(calls) == {f"edit {i}" for i in range(EDITS)}
    # Only an edit whose worker died mid-call is sent again; none is sent three times.
    assert max(calls.values()) <= 2, calls
    ledger, used = cluster.ledger()
    assert ledger == used
