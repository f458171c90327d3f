"""A real S3-protocol server (moto's standalone server) on loopback, and media stored on it.

The server is a separate process speaking S3 over HTTP, so these tests exercise the same
django-storages and boto3 code paths as an instance pointed at AWS or any S3-compatible store.
"""

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

BUCKET = "promptbrush-media"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    """moto_server in a child process; `stop()` simulates an outage."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "S3Server":
        moto_server = Path(sys.executable).with_name("moto_server")
        self.process = subprocess.Popen(
            [str(moto_server), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("moto_server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def object_keys(self, bucket: str = BUCKET) -> set[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return {obj["Key"] for page in pages for obj in page.get("Contents", [])}


def s3_storage_settings(url: str) -> dict:
    return {
        "BACKEND": "gallery.storage.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": url,
            "region_name": "us-east-1",
            "access_key": "testing",
            "secret_key": "testing",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server().start()
    yield server
    server.stop()


def use_s3(settings, server: S3Server) -> S3Server:
    client = server.client()
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_settings(server.url)}
    return server


@pytest.fixture
def s3(settings, s3_server):
    """Media on the shared S3 server for this test."""
    return use_s3(settings, s3_server)


@pytest.fixture
def private_s3(settings):
    """Media on an S3 server of this test's own, which the test may stop."""
    server = S3Server().start()
    yield use_s3(settings, server)
    server.stop()
