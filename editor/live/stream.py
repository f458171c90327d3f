"""GET /jobs/events/: the signed-in member's record and credit changes as Server-Sent Events.

Served by an async view under uvicorn, so an open tab costs a queue, not a thread. Under WSGI
(the test server, a plain gunicorn) a stream would pin a worker thread for good, so the view
answers 204 there: EventSource stops trying and the cards keep polling, as they do without
JavaScript or when the stream drops.
"""

from __future__ import annotations

import asyncio
import json

from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from editor.live import feed
from editor.live.poll import PollSource
from editor.live.postgres import NotifySource

KEEPALIVE = 15.0  # seconds: a comment line keeps proxies from closing an idle stream
RETRY_MS = 3000  # how long the browser waits before reconnecting after a drop


_hubs: dict[asyncio.AbstractEventLoop, feed.Hub] = {}


def hub() -> feed.Hub:
    """The hub of the running event loop (uvicorn runs one per process), with the source that
    suits the database: pushed by PostgreSQL, polled elsewhere."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        for old in [other for other in _hubs if other.is_closed()]:
            del _hubs[old]
        source = NotifySource if connection.vendor == "postgresql" else PollSource
        _hubs[loop] = feed.Hub(source)
    return _hubs[loop]


def _event(change: feed.Change) -> str:
    return f"event: {change.kind}\ndata: {json.dumps(change.data)}\n\n"


async def _stream(membership_id: int):
    live = hub()
    queue = live.subscribe(membership_id)  # before the snapshot: nothing falls between the two
    try:
        yield f"retry: {RETRY_MS}\n\n"
        for change in await feed.read(feed.snapshot, membership_id):
            yield _event(change)
        while True:
            try:
                change = await asyncio.wait_for(queue.get(), KEEPALIVE)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield _event(change)
    finally:
        live.unsubscribe(membership_id, queue)


@require_GET
async def events(request) -> HttpResponse:
    if not isinstance(request, ASGIRequest):
        return HttpResponse(status=204)
    user = await request.auser()
    membership = getattr(request, "membership", None)
    if not user.is_authenticated or membership is None:
        return HttpResponse(status=204)  # EventSource gives up; nothing to tell a stranger
    response = StreamingHttpResponse(_stream(membership.pk), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx would otherwise hold events back
    return response
