"""`make run` on a fresh DATA_DIR: it serves the first-run page, and Ctrl+C leaves no process."""

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ops.conftest import ROOT, base_env

pytestmark = pytest.mark.sqlite_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_with(marker: str) -> list[int]:
    """Live processes whose environment holds `marker` (our unique DATA_DIR)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def get(url: str) -> tuple[int, str, str]:
    """Status, final URL (after redirects) and body."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.url, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.url, exc.read().decode()


def test_make_run_serves_a_fresh_data_dir_and_ctrl_c_stops_everything(tmp_path):
    data_dir = tmp_path / "fresh-data"
    port = free_port()
    env = base_env(data_dir, PORT=str(port), LOG_LEVEL="INFO")
    env.pop("DJANGO_SETTINGS_MODULE")
    make = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 120
        status, url, body = 0, "", ""
        while time.monotonic() < deadline and make.poll() is None:
            try:
                status, url, body = get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, make.stdout.read() if make.poll() is not None else status
        # A newcomer lands on the first-run form.
        assert url == f"http://127.0.0.1:{port}/accounts/setup/"
        assert "<h1>Welcome to Promptbrush</h1>" in body
        assert (data_dir / "secret_key").is_file()
        assert (data_dir / "promptbrush.sqlite3").is_file()
        assert len(processes_with(str(data_dir))) >= 3  # make, honcho, web, worker
        # The web may answer before the worker has finished starting (a loaded machine):
        # Ctrl+C only once both are up, as a person would see in the terminal.
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(make.stdout), daemon=True)
        reader.start()
        while time.monotonic() < deadline and not any("Worker started" in x for x in lines):
            time.sleep(0.2)

        os.killpg(make.pid, signal.SIGINT)  # what Ctrl+C in the terminal does
        make.wait(timeout=30)
        reader.join(timeout=10)
        output = "".join(lines)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)

    time.sleep(0.5)
    assert processes_with(str(data_dir)) == [], output
    assert "Worker started with 32 threads" in output
    assert "Worker stopped after 0 jobs." in output
