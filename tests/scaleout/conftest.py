"""The scale-out path for real: a throwaway PostgreSQL database on 127.0.0.1:5432 and the app's
own processes (uvicorn, run_worker) started by the test. Skipped, with the reason, on a machine
where no PostgreSQL answers; `make test` runs them wherever one does."""

import socket
import uuid

import psycopg
import pytest

from tests.ops.conftest import manage

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 1).close()
        return True
    except OSError:
        return False


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
