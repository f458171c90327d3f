"""The real stack for the end-to-end benchmarks: uvicorn and `run_worker` on a temporary
DATA_DIR (SQLite + media), as `make run` starts them, with an API key and the processes' CPU."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.asgi_server import free_port  # noqa: E402


@dataclass
class Stack:
    base_url: str
    token: str
    data_dir: str
    web_pid: int
    worker_pids: list[int]

    @property
    def pids(self) -> list[int]:
        return [self.web_pid, *self.worker_pids]

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers={"API-KEY": self.token}, **kwargs)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (Linux /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            # The command name may hold spaces: the fields after its closing bracket are fixed.
            fields = f.read().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def running_stack(
    env: dict[str, str] | None = None, *, workers: int = 1, uvicorn_args: tuple[str, ...] = ()
) -> Iterator[Stack]:
    """Migrate a fresh DATA_DIR, make an API key, start web and workers, wait until the API
    answers; stop them all on the way out (their log is DATA_DIR/bench.log)."""
    data_dir = tempfile.mkdtemp(prefix="promptbrush-bench-")
    port = free_port()
    env = {
        **os.environ,
        "DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        **(env or {}),
    }
    py = sys.executable

    def run(*cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)

    run(py, "manage.py", "migrate", "--noinput")
    token = run(py, "manage.py", "create_api_token", "bench", "--create").stdout.decode()
    token = token.strip().splitlines()[-1].strip()
    with open(Path(data_dir) / "bench.log", "w") as logs:
        web = [py, "-m", "uvicorn", "config.asgi:application", "--port", str(port),
               "--log-level", "warning", *uvicorn_args]  # fmt: skip
        procs = [subprocess.Popen(web, cwd=ROOT, env=env, stdout=logs, stderr=logs)]
        procs += [
            subprocess.Popen(
                [py, "manage.py", "run_worker"], cwd=ROOT, env=env, stdout=logs, stderr=logs
            )
            for _ in range(workers)
        ]
        stack = Stack(
            f"http://127.0.0.1:{port}", token, data_dir, procs[0].pid, [p.pid for p in procs[1:]]
        )
        try:
            with stack.client(timeout=10) as client:
                for _ in range(200):
                    try:
                        if client.get("/api/providers").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.1)
            yield stack
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
