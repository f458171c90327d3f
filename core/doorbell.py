"""A doorbell between the processes of one machine: "look now" instead of "look every 0.1 s".

On SQLite the web server and `run_worker` share a database file but nothing that pushes: the
worker had to poll the task table and the web's change feed the record table, each every 0.1 s,
so an edit waited on average 50 ms for the worker to notice it and 50 ms more for the page (or
a waiting API call) to hear it had finished. PostgreSQL has LISTEN/NOTIFY for this; here each
waiting process binds a Unix datagram socket in a directory beside the database file, and a
process that changed something sends one byte to every socket of the role it wants to wake.
A lost ring costs nothing but the fallback poll, so rings are fire-and-forget: a full socket
queue means that process is already being woken, and a socket nobody listens on any more (its
process died) is removed by the first ring that finds it.

Roles: "worker" (a task was enqueued) and "web" (a record or credit balance changed).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import select
import socket
import tempfile
from pathlib import Path

WORKER = "worker"
WEB = "web"
_SUFFIX = ".sock"


class Doorbell:
    """One process's bell: bound until close(), woken by ring()."""

    def __init__(self, directory: Path, role: str) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        owner = directory.stat()
        if owner.st_uid != os.getuid() or owner.st_mode & 0o022:
            # Someone else's folder (a shared /tmp): their sockets are not our bells.
            raise PermissionError(f"{directory} is not this user's own folder")
        self.path = directory / f"{role}-{os.getpid()}-{secrets.token_hex(4)}{_SUFFIX}"
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self._sock.setblocking(False)
            self._sock.bind(str(self.path))
        except OSError:
            self._sock.close()
            raise

    def fileno(self) -> int:
        return self._sock.fileno()

    def wait(self, timeout: float) -> bool:
        """Sleep until rung or `timeout` seconds passed; True if rung. Rings that came while
        nobody waited count: they are queued on the socket until drained here."""
        ready, _, _ = select.select([self._sock], [], [], max(0.0, timeout))
        self.drain()
        return bool(ready)

    def drain(self) -> None:
        while True:
            try:
                self._sock.recv(64)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return

    def close(self) -> None:
        self._sock.close()
        self.path.unlink(missing_ok=True)


def open_bell(directory: Path | None, role: str) -> Doorbell | None:
    """A bound bell, or None where there can be none (no directory, a path too long for a Unix
    socket, a read-only disk): the caller then polls as before."""
    if directory is None:
        return None
    try:
        return Doorbell(directory, role)
    except OSError:
        return None


def ring(directory: Path | None, role: str) -> int:
    """Wake every process of `role` whose bell is in `directory`; how many were rung."""
    if directory is None:
        return 0
    try:
        names = os.listdir(directory)
    except OSError:
        return 0
    prefix = f"{role}-"
    bells = [n for n in names if n.startswith(prefix) and n.endswith(_SUFFIX)]
    if not bells:
        return 0
    rung = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for name in bells:
            path = os.path.join(directory, name)
            try:
                sender.sendto(b"!", path)
                rung += 1
            except BlockingIOError:
                rung += 1  # its queue is full of rings it has not read yet: it will wake
            except ConnectionRefusedError:
                # Nobody is bound to it: its process ended without closing. The name holds a
                # pid and a random part, so no live bell ever has it.
                Path(path).unlink(missing_ok=True)
            except OSError:
                pass
    return rung


# A Unix socket's path holds at most 107 bytes; a bell's own name takes up to ~30 of them.
_MAX_DIRECTORY = 76


def directory_for(database_file: Path) -> Path:
    """The bells' folder of the SQLite database in `database_file`: beside it, or (when that
    path is too long for a socket) a private folder under the temporary directory named after
    it."""
    path = database_file.resolve()
    beside = path.parent / f"{path.name}.bells"
    if len(os.fsencode(beside)) <= _MAX_DIRECTORY:
        return beside
    digest = hashlib.sha256(os.fsencode(path)).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"promptbrush-bells-{os.getuid()}-{digest}"
