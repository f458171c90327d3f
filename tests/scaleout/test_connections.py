"""Under uvicorn every request runs in a new thread: database connections must come from a
bounded pool and go back to it, or they pile up until PostgreSQL refuses new clients."""

import concurrent.futures
import threading

import httpx

from tests.asgi_server import free_port, start_web
from tests.ops.conftest import stop
from tests.scaleout.conftest import connections_to

POOL_MAX = 6


def test_fifty_concurrent_requests_stay_within_the_pool(pg_database):
    url, data_dir = pg_database
    port = free_port()
    web = start_web(data_dir, port, DATABASE_URL=url, DATABASE_POOL_MAX=str(POOL_MAX))
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, connections_to(url))
            done.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            paths = ["/healthz", "/accounts/login/", "/api/providers"] * 17
            with concurrent.futures.ThreadPoolExecutor(50) as pool:
                statuses = list(pool.map(lambda p: client.get(p).status_code, paths[:50]))
        after = connections_to(url)
    finally:
        done.set()
        sampler.join()
        output = stop(web)

    assert statuses.count(500) == 0, output
    assert set(statuses) <= {200, 302, 401}, statuses
    assert 0 < peak <= POOL_MAX, peak
    assert after <= POOL_MAX  # idle connections stay in the pool, no more
