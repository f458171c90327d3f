"""A total deadline and a size cap over every byte of one provider call.

httpx's timeouts bound each read, not the call: a provider sending one byte a second never
trips a 5 s read timeout. The client from `http.make_client` talks through `DeadlineBackend`,
whose socket reads and writes wait at most until the call's deadline and stop when the call
has received more than its cap. `CallGuard` holds both for the call that is running, and also
notes when a billable request was accepted (the job must then never send it again), and how
fast waits between requests pass (`sleep_scale`, read by http.sleep_within_call).
"""

from __future__ import annotations

import time
import typing
from collections.abc import Callable

import httpcore


class CallGuard:
    """The limits of the provider call in progress on one client (one job at a time)."""

    def __init__(self, max_bytes: int | None = None, sleep_scale: float = 1.0) -> None:
        self.max_bytes = max_bytes
        # Every wait between requests (poll intervals, retry backoffs) is multiplied by it:
        # tests run provider protocols in milliseconds (PROVIDER_RETRY_SLEEP_SCALE).
        self.sleep_scale = sleep_scale
        self.seconds: float | None = None
        self.deadline: float | None = None
        self.received = 0
        self.billed = False  # a billable request was accepted by the provider
        self.expired = False  # the deadline ended the call
        self.too_large = False  # the size cap ended the call
        # Host name -> the address it was checked at (a base URL a team typed): connections go
        # there, so a DNS answer that changes after the check cannot send a call elsewhere.
        self.pinned: dict[str, str] = {}
        # The hosts the instance configured for the provider (its base, asset and upload URLs),
        # reached wherever they resolve (an internal proxy included). Any other host, named
        # by a provider's answer (a result URL, a job's status page), is reached only at the
        # address `resolve` approves, which raises a ProviderError for a private one.
        self.trusted: set[str] = set()
        self.resolve: Callable[[str, int], str] | None = None

    def start(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.received = 0
        self.billed = self.expired = self.too_large = False

    def address(self, host: str, port: int) -> str:
        """Where a connection to `host` goes: its pinned address, the host itself when it is
        trusted (or nothing checks), else the address `resolve` approves, pinned for the call."""
        if host in self.pinned:
            return self.pinned[host]
        if self.resolve is None or host in self.trusted:
            return host
        self.pinned[host] = self.resolve(host, port)
        return self.pinned[host]

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def wait_at_most(self, timeout: float | None, error: type[Exception]) -> float | None:
        """The timeout for the next socket operation: never past the deadline."""
        left = self.remaining()
        if left is None:
            return timeout
        if left <= 0:
            self.expired = True
            raise error(f"the call's total deadline of {self.seconds:g} s has passed")
        return left if timeout is None else min(timeout, left)

    def count(self, received: int) -> None:
        self.received += received
        if self.max_bytes is not None and self.received > self.max_bytes:
            self.too_large = True
            raise httpcore.ReadError(f"the answer is over {self.max_bytes} bytes")


class _GuardedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, guard: CallGuard) -> None:
        self._inner = inner
        self._guard = guard

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        wait = self._guard.wait_at_most(timeout, httpcore.ReadTimeout)
        try:
            data = self._inner.read(max_bytes, wait)
        except httpcore.ReadTimeout:
            if wait != timeout:  # cut short by the deadline, not by the per-read timeout
                self._guard.expired = True
            raise
        self._guard.count(len(data))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        wait = self._guard.wait_at_most(timeout, httpcore.WriteTimeout)
        try:
            self._inner.write(buffer, wait)
        except httpcore.WriteTimeout:
            if wait != timeout:
                self._guard.expired = True
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        wait = self._guard.wait_at_most(timeout, httpcore.ConnectTimeout)
        return _GuardedStream(
            self._inner.start_tls(ssl_context, server_hostname, wait), self._guard
        )

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sync backend with every socket operation bounded by `guard`."""

    def __init__(self, guard: CallGuard) -> None:
        self.guard = guard
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        wait = self.guard.wait_at_most(timeout, httpcore.ConnectTimeout)
        host = self.guard.address(host, port)  # TLS and Host still name the host itself
        stream = self._inner.connect_tcp(host, port, wait, local_address, socket_options)
        return _GuardedStream(stream, self.guard)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        wait = self.guard.wait_at_most(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_unix_socket(path, wait, socket_options)
        return _GuardedStream(stream, self.guard)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
