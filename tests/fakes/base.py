"""A loopback HTTP server that records every request and can be told to fail.

Subclasses implement `handle(request) -> Reply` for their protocol. Faults queued with
`fail_next` / `hang_next` / ... are matched first (by path prefix, in order) and each is used
`times` times.
"""

from __future__ import annotations

import io
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image


@dataclass
class Part:
    """One part of a multipart/form-data body."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    def image(self) -> Image.Image:
        img = Image.open(io.BytesIO(self.data))
        img.load()
        return img


@dataclass
class RecordedRequest:
    """A request as the server received it: exact path, headers (lower-case keys), raw body."""

    method: str
    path: str  # path without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def multipart(self) -> list[Part]:
        return parse_multipart(self.headers.get("content-type", ""), self.body)

    def parts(self, name: str) -> list[Part]:
        return [p for p in self.multipart() if p.name == name]

    def part(self, name: str) -> Part:
        found = self.parts(name)
        assert len(found) == 1, f"expected one part {name!r}, found {len(found)}"
        return found[0]

    def form(self) -> dict[str, str]:
        """Non-file multipart fields as a dict."""
        return {p.name: p.text for p in self.multipart() if p.filename is None}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to hang before answering (cut short when the server stops)
    truncate_to: int | None = None  # send only this many body bytes, then close
    #                                 (Content-Length still announces the full size)
    trickle: float = 0.0  # send one byte every `trickle` seconds (each read stays under
    #                       any per-read timeout, so only a total deadline ends the call)
    trickle_headers: bool = False  # trickle the status line and headers too, not just the body

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        return cls(
            status,
            json.dumps(data).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )


@dataclass
class _Fault:
    reply: Reply
    path: str | None
    method: str | None
    times: int


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """A strict little multipart/form-data parser (RFC 7578) for checking what was sent."""
    ctype, _, params = content_type.partition(";")
    assert ctype.strip().lower() == "multipart/form-data", content_type
    boundary = None
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip('"')
    assert boundary, "no boundary in content type"
    delimiter = b"--" + boundary.encode()
    chunks = body.split(delimiter)
    assert chunks[-1].startswith(b"--"), "multipart body does not end with the close delimiter"
    parts = []
    for chunk in chunks[1:-1]:
        assert chunk.startswith(b"\r\n") and chunk.endswith(b"\r\n"), "malformed part framing"
        head, sep, data = chunk[2:-2].partition(b"\r\n\r\n")
        assert sep, "part without header/body separator"
        headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        fields: dict[str, str] = {}
        for item in disposition.split(";")[1:]:
            key, _, value = item.strip().partition("=")
            fields[key.lower()] = value.strip('"')
        parts.append(
            Part(
                name=fields.get("name", ""),
                filename=fields.get("filename"),
                content_type=headers.get("content-type"),
                data=data,
                headers=headers,
            )
        )
    return parts


def make_png(width: int, height: int, color: tuple[int, ...] = (200, 40, 40)) -> bytes:
    mode = "RGBA" if len(color) == 4 else "RGB"
    buf = io.BytesIO()
    Image.new(mode, (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def parse_size(value: Any, fallback: tuple[int, int] = (1024, 1024)) -> tuple[int, int]:
    """'WxH' -> (W, H); anything else (e.g. 'auto') -> fallback."""
    if isinstance(value, str) and "x" in value:
        w, _, h = value.partition("x")
        if w.isdigit() and h.isdigit():
            return int(w), int(h)
    return fallback


class LoopbackServer:
    """Base: `with Server() as srv: srv.url, srv.requests, srv.fail_next(...)`."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LoopbackServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._serve(self)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # --- faults ------------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        body: bytes | str | dict[str, Any] | list[Any] = b"",
        headers: dict[str, str] | None = None,
        *,
        path: str | None = None,
        method: str | None = None,
        times: int = 1,
        delay: float = 0.0,
        truncate_to: int | None = None,
    ) -> None:
        """Answer the next `times` requests whose path starts with `path` (any path if None)
        with this status/body/headers. A dict/list body is sent as JSON."""
        headers = dict(headers or {})
        if isinstance(body, dict | list):
            raw = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            raw = body.encode()
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        else:
            raw = body
        reply = Reply(status, raw, headers, delay=delay, truncate_to=truncate_to)
        with self._lock:
            self._faults.append(_Fault(reply, path, method, times))

    def hang_next(self, seconds: float = 10.0, *, path: str | None = None) -> None:
        """Accept the next request, then send nothing for `seconds` (then a 504)."""
        self.fail_next(504, {"error": "hung"}, path=path, delay=seconds)

    def trickle_next(
        self,
        reply: Reply,
        seconds_per_byte: float = 0.2,
        *,
        headers_too: bool = False,
        path: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer with `reply`, one byte at a time (a provider stuck sending very slowly)."""
        reply.trickle, reply.trickle_headers = seconds_per_byte, headers_too
        with self._lock:
            self._faults.append(_Fault(reply, path, None, times))

    def malformed_json_next(self, *, path: str | None = None) -> None:
        """Answer 200 with Content-Type JSON and a body that is not JSON."""
        self.fail_next(
            200, b'{"aiRecord": {"uuid": ', {"Content-Type": "application/json"}, path=path
        )

    def requests_to(self, path_prefix: str, method: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if r.path.startswith(path_prefix) and (method is None or r.method == method)
        ]

    # --- serving -----------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    def _take_fault(self, request: RecordedRequest) -> Reply | None:
        with self._lock:
            for fault in self._faults:
                if (fault.path is None or request.path.startswith(fault.path)) and (
                    fault.method is None or fault.method == request.method
                ):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault.reply
        return None

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = _read_chunked(handler)
        else:
            body = handler.rfile.read(length) if length else b""
        request = RecordedRequest(
            method=handler.command,
            path=parsed.path,
            query=urllib.parse.parse_qs(parsed.query),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(request)
        reply = self._take_fault(request)
        if reply is None:
            try:
                reply = self.handle(request)
            except Exception as exc:  # a bug in the fake: answer 599 so the test sees it
                reply = Reply(599, f"fake server error: {exc!r}".encode())
        if reply.delay and self._stopping.wait(reply.delay):
            return
        if reply.trickle:
            self._trickle(handler, reply)
            return
        try:
            handler.send_response(reply.status)
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            if reply.truncate_to is not None:
                handler.wfile.write(reply.body[: reply.truncate_to])
                handler.wfile.flush()
                handler.close_connection = True
            else:
                handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    def _trickle(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        head = [f"HTTP/1.1 {reply.status} OK"]
        head += [f"{k}: {v}" for k, v in reply.headers.items()]
        head += [f"Content-Length: {len(reply.body)}", "Connection: close", "", ""]
        head_bytes = "\r\n".join(head).encode()
        handler.close_connection = True
        try:
            if not reply.trickle_headers:
                handler.wfile.write(head_bytes)
                head_bytes = b""
            for i in range(len(head_bytes) + len(reply.body)):
                byte = (head_bytes + reply.body)[i : i + 1]
                handler.wfile.write(byte)
                handler.wfile.flush()
                if self._stopping.wait(reply.trickle):
                    return
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what the deadline tests want


def _read_chunked(handler: BaseHTTPRequestHandler) -> bytes:
    out = b""
    while True:
        size = int(handler.rfile.readline().strip() or b"0", 16)
        if size == 0:
            handler.rfile.readline()
            return out
        out += handler.rfile.read(size)
        handler.rfile.readline()
