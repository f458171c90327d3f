"""Loopback HTTP servers that speak each provider's protocol, for adapter and end-to-end tests.

Each server runs on 127.0.0.1 (port 0) in a thread, records every request and can be told to fail:

    from tests.fakes import OneMinServer

    with OneMinServer() as srv:
        srv.base_url, srv.asset_base, srv.api_key        # what to pass to OneMinProvider
        srv.out_of_credits_next()                         # named faults, or the generic ones:
        srv.fail_next(503, {"message": "busy"}, {"Retry-After": "2"}, path="/api/features")
        srv.hang_next(5.0, path="/api/features")          # accept, then answer nothing for 5 s
        ...run the code under test...
        req = srv.requests_to("/api/features")[0]         # RecordedRequest
        req.json(), req.headers["api-key"], req.part("asset").image()

Servers: OneMinServer, OpenAIServer, SegmindServer. Generic API on all (LoopbackServer):
`url`, `requests`, `requests_to(prefix, method=None)`, `fail_next(status, body, headers, *, path,
method, times, delay, truncate_to)`, `hang_next(seconds, *, path)`, `malformed_json_next(*, path)`,
`start()`/`stop()` or `with`. Helpers: `make_png(w, h, color)`, `parse_multipart(ctype, body)`.
"""

from .base import LoopbackServer, Part, RecordedRequest, Reply, make_png, parse_multipart
from .onemin_server import OneMinServer
from .openai_server import OpenAIServer
from .segmind_server import SegmindServer

__all__ = [
    "LoopbackServer",
    "OneMinServer",
    "OpenAIServer",
    "Part",
    "RecordedRequest",
    "Reply",
    "SegmindServer",
    "make_png",
    "parse_multipart",
]
