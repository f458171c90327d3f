"""A loopback Segmind: upload-asset (data URLs) and the serverless v1 model endpoints.

    with SegmindServer() as srv:
        provider = SegmindProvider(make_client(), srv.api_key, srv.base_url, srv.upload_url)

Routes: POST /upload-asset {"data_urls": [...]} -> {"file_urls": [...]}, POST /v1/<slug>
(JSON; answers raw image bytes with x-remaining-credits, x-cost, x-generation-time,
x-request-id), GET /files/<name> (the uploaded files).
"""

from __future__ import annotations

import base64
import io
import itertools
from datetime import UTC, datetime, timedelta

from PIL import Image

from .base import LoopbackServer, RecordedRequest, Reply, make_png, parse_size

EDIT_SLUGS = {"gpt-image-1-edit", "gpt-image-1-edit-mini"}
GEN_SLUGS = {"gpt-image-1", "gpt-image-1-mini"}


class SegmindServer(LoopbackServer):
    """Options (plain attributes): `api_key`, `credits` (balance, lowered by `cost` per call;
    406 once it is below `cost`), `cost`, `result_color`, `content_type` of results.
    Edits check that `image_urls` and `mask` are URLs this server handed out."""

    def __init__(self, api_key: str = "test-segmind-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.credits = 100.0
        self.cost = 0.14
        self.result_color: tuple[int, ...] = (30, 30, 220)
        self.content_type = "image/png"
        self.files: dict[str, bytes] = {}
        self._counter = itertools.count(1)
        self._truncate_images = 0

    @property
    def base_url(self) -> str:
        return self.url

    @property
    def upload_url(self) -> str:
        return f"{self.url}/upload-asset"

    # --- named faults ----------------------------------------------------------------------

    def unauthorized_next(self) -> None:
        self.fail_next(
            401,
            {"error": "Unauthorized. API key is invalid or may have expired. Please check it."},
        )

    def out_of_credits_next(self) -> None:
        self.fail_next(406, {"error": "Not enough credits"}, path="/v1/")

    def rate_limited_next(self, reset_in: float = 1.0, *, times: int = 1) -> None:
        reset = datetime.now(UTC) + timedelta(seconds=reset_in)
        self.fail_next(
            429,
            {"error": "Rate limit exceeded"},
            {"x-rate-limit-reset-at-utc": reset.isoformat(), "x-rate-limit-remaining": "0"},
            path="/v1/",
            times=times,
        )

    def server_error_next(self, status: int = 500, *, times: int = 1) -> None:
        self.fail_next(status, {"error": "Internal server error"}, path="/v1/", times=times)

    def method_not_allowed_next(self) -> None:
        self.fail_next(
            405,
            "<html><body><h1>405 Method Not Allowed</h1></body></html>",
            {"Content-Type": "text/html"},
            path="/v1/",
        )

    def truncated_image_next(self, times: int = 1) -> None:
        self._truncate_images += times

    # --- protocol --------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Reply:
        if request.method == "GET" and request.path.startswith("/files/"):
            data = self.files.get(request.path[len("/files/") :])
            return Reply(200, data, {"Content-Type": "image/png"}) if data else Reply(404)
        if not request.headers.get("x-api-key"):
            return Reply.json({"error": "Missing Authorization or x-api-key in header"}, 401)
        if request.headers["x-api-key"] != self.api_key:
            return Reply.json(
                {"error": "Unauthorized. API key is invalid or may have expired."}, 401
            )
        if request.method != "POST":
            return Reply(405, b"<html>405 Method Not Allowed</html>", {"Content-Type": "text/html"})
        if "application/json" not in request.headers.get("content-type", ""):
            return Reply.json({"error": "Invalid content type"}, 406)
        if request.path == "/upload-asset":
            return self._upload(request)
        slug = request.path.removeprefix("/v1/")
        if slug in EDIT_SLUGS or slug in GEN_SLUGS:
            return self._run(slug, request)
        return Reply.json({"error": "Model not found"}, 404)

    def _upload(self, request: RecordedRequest) -> Reply:
        urls = []
        for data_url in request.json().get("data_urls", []):
            head, _, b64 = data_url.partition(",")
            if not head.startswith("data:") or not head.endswith(";base64"):
                return Reply.json({"error": "Invalid data URL"}, 400)
            name = f"upload_{next(self._counter):04d}.png"
            self.files[name] = base64.b64decode(b64)
            urls.append(f"{self.url}/files/{name}")
        return Reply.json({"file_urls": urls, "message": "Files uploaded successfully"})

    def _file(self, url: object) -> bytes | None:
        prefix = f"{self.url}/files/"
        if isinstance(url, str) and url.startswith(prefix):
            return self.files.get(url[len(prefix) :])
        return None

    def _run(self, slug: str, request: RecordedRequest) -> Reply:
        body = request.json()
        if not body.get("prompt"):
            return Reply.json({"error": "prompt is required"}, 400)
        fallback = (1024, 1024)
        if slug in EDIT_SLUGS:
            sources = [self._file(u) for u in body.get("image_urls") or []]
            if not sources or any(s is None for s in sources):
                return Reply.json({"error": "image_urls must be reachable image URLs"}, 400)
            if body.get("mask") is not None and self._file(body["mask"]) is None:
                return Reply.json({"error": "mask must be a reachable image URL"}, 400)
            with Image.open(io.BytesIO(sources[0])) as img:
                fallback = img.size
        if self.credits < self.cost:
            return Reply.json({"error": "Not enough credits"}, 406)
        self.credits = round(self.credits - self.cost, 4)
        png = make_png(*parse_size(body.get("size"), fallback), color=self.result_color)
        reply = Reply(
            200,
            png,
            {
                "Content-Type": self.content_type,
                "x-remaining-credits": f"{self.credits:.4f}",
                "x-cost": f"{self.cost:.4f}",
                "x-generation-time": "56.8",
                "x-request-id": f"sg_{next(self._counter)}",
            },
        )
        with self._lock:
            if self._truncate_images > 0:
                self._truncate_images -= 1
                reply.body = png[: len(png) // 2]
        return reply
