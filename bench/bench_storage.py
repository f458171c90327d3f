"""CPU that media storage on S3 costs each request under ASGI, where every request runs in a
new thread: django-storages' own backend (a boto3 resource per thread) against ours (one per
process). Runs against moto's S3 server on loopback.

    .venv/bin/python bench/bench_storage.py
"""

import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django

django.setup()

from storages.backends.s3 import S3Storage as PerThreadS3Storage  # noqa: E402

from gallery.storage import S3Storage as SharedS3Storage  # noqa: E402
from tests.storage.conftest import BUCKET, S3Server, s3_storage_settings  # noqa: E402

REQUESTS = 40


def cpu_per_request(storage, name: str) -> list[float]:
    """Each 'request' is a new thread that checks one object, as a file view does."""
    costs = []

    def request():
        start = time.thread_time()
        storage.exists(name)
        costs.append(time.thread_time() - start)

    for _ in range(REQUESTS):
        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
    return costs[1:]  # the first pays for loading botocore in either case


def main() -> None:
    server = S3Server().start()
    try:
        server.client().create_bucket(Bucket=BUCKET)
        options = s3_storage_settings(server.url)["OPTIONS"]
        server.client().put_object(Bucket=BUCKET, Key="probe.txt", Body=b"x")
        print(f"CPU per request, median of {REQUESTS - 1} requests each in a new thread:")
        for label, cls in (("per-thread client", PerThreadS3Storage), ("shared", SharedS3Storage)):
            costs = cpu_per_request(cls(**options), "probe.txt")
            print(f"  {label:18} {statistics.median(costs) * 1000:6.1f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
