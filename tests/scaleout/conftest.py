"""The scale-out path for real: a throwaway PostgreSQL database on 127.0.0.1:5432 and the app's
own processes (uvicorn, run_worker) started by the test. Skipped, with the reason, on a machine
where no PostgreSQL answers; `make test` runs them wherever one does."""

import socket
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.ops.conftest import PYTHON, ROOT, base_env, manage

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 1).close()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pg_database(tmp_path):
    """A fresh, migrated database; yields (DATABASE_URL, data_dir). Dropped afterwards."""
    if not postgres_answers():
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    name = f"pb_scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    result = manage(data_dir, "migrate", "--noinput", "-v0", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    yield url, data_dir
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def connections_to(url: str) -> int:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    return row[0]


def start_web(data_dir: Path, port: int, **env: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            PYTHON, "-m", "uvicorn", "config.asgi:application",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        ],
        cwd=ROOT,
        env=base_env(data_dir, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"uvicorn exited: {process.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("uvicorn did not start")
