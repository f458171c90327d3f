"""core.doorbell: a ring wakes every waiting bell of its role, at once, and only those."""

import os
import socket
import threading
import time
from pathlib import Path

from core import doorbell


def test_a_ring_wakes_a_waiting_bell_at_once(tmp_path):
    bell = doorbell.open_bell(tmp_path, doorbell.WORKER)
    assert bell is not None
    try:
        rang_at: list[float] = []
        threading.Timer(
            0.2,
            lambda: (rang_at.append(time.monotonic()), doorbell.ring(tmp_path, doorbell.WORKER)),
        ).start()
        assert bell.wait(5)
        assert time.monotonic() - rang_at[0] < 0.1
        assert not bell.wait(0.05)  # woken once: the ring was drained
    finally:
        bell.close()
    assert not list(tmp_path.iterdir())  # closing removes the socket


def test_a_ring_before_the_wait_is_kept_and_many_rings_wake_once(tmp_path):
    bell = doorbell.open_bell(tmp_path, doorbell.WEB)
    try:
        for _ in range(500):  # more than the socket queues: the rest are dropped, not errors
            assert doorbell.ring(tmp_path, doorbell.WEB) == 1
        assert bell.wait(0)
        assert not bell.wait(0)
    finally:
        bell.close()


def test_a_ring_reaches_only_its_role(tmp_path):
    web = doorbell.open_bell(tmp_path, doorbell.WEB)
    workers = [doorbell.open_bell(tmp_path, doorbell.WORKER) for _ in range(2)]
    try:
        assert doorbell.ring(tmp_path, doorbell.WORKER) == 2
        assert all(w.wait(1) for w in workers)
        assert not web.wait(0.05)
    finally:
        for bell in (web, *workers):
            bell.close()


def test_the_bell_of_a_process_that_died_is_removed_by_the_next_ring(tmp_path):
    dead = tmp_path / "worker-1-deadbeef.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(dead))
    sock.close()  # the file stays, as after a crash
    assert doorbell.ring(tmp_path, doorbell.WORKER) == 0
    assert not dead.exists()


def test_no_folder_or_no_bells_rings_nobody(tmp_path):
    assert doorbell.ring(None, doorbell.WEB) == 0
    assert doorbell.ring(tmp_path / "missing", doorbell.WEB) == 0
    assert doorbell.open_bell(None, doorbell.WEB) is None


def test_a_folder_others_may_write_to_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    assert doorbell.open_bell(shared, doorbell.WEB) is None


def test_the_folder_sits_beside_the_database_unless_that_path_is_too_long_for_a_socket(tmp_path):
    short = doorbell.directory_for(Path("/srv/pb/promptbrush.sqlite3"))
    assert short == Path("/srv/pb/promptbrush.sqlite3.bells")
    deep = tmp_path / ("d" * 90) / "promptbrush.sqlite3"
    moved = doorbell.directory_for(deep)
    assert moved != deep.parent / "promptbrush.sqlite3.bells"
    assert moved == doorbell.directory_for(deep)  # the same database, the same folder
    assert moved != doorbell.directory_for(tmp_path / ("e" * 90) / "promptbrush.sqlite3")
    bell = doorbell.open_bell(moved, doorbell.WEB)
    assert bell is not None and len(os.fsencode(bell.path)) < 108
    bell.close()
    moved.rmdir()
