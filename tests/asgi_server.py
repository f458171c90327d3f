"""uvicorn serving config.asgi on a throwaway DATA_DIR, as `make run` does: for the tests and
benches that need what only an ASGI server does (Server-Sent Events, async views)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.ops.conftest import PYTHON, ROOT, base_env, manage


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_web(data_dir: Path, port: int, **env: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", "config.asgi:application", "--port", str(port),
         "--no-access-log", "--timeout-graceful-shutdown", "1"],
        cwd=ROOT,
        env=base_env(data_dir, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited: {process.stdout.read()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return process
        except urllib.error.HTTPError:
            return process  # it answers
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("uvicorn did not answer within 60 s")


def collect_static(data_dir: Path) -> None:
    """What `make run` does before serving: hashed, compressed static files in DATA_DIR."""
    result = manage(data_dir, "collectstatic", "--noinput", "-v0")
    assert result.returncode == 0, result.stderr


def run_python(data_dir: Path, code: str) -> str:
    """Run Django code in a `manage.py shell` against data_dir; its stdout."""
    result = manage(data_dir, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout


def session_for(data_dir: Path, username: str) -> str:
    """A signed-in session cookie value for `username` (who must exist)."""
    code = (
        "from django.test import Client\n"
        "from accounts.models import User\n"
        "client = Client()\n"
        f"client.force_login(User.objects.get(username={username!r}))\n"
        "print(client.cookies['sessionid'].value)\n"
    )
    return run_python(data_dir, code).split()[-1]
