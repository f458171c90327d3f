"""A loopback Segmind: upload-asset (data URLs), the v2 async API and the v1 sync endpoints.

    with SegmindServer() as srv:
        provider = SegmindProvider(make_client(), srv.api_key, srv.base_url, srv.upload_url)

Routes: POST /upload-asset {"data_urls": [...]} -> {"file_urls": [...]};
POST /v2/<slug> (JSON) -> {"request_id", "status": "QUEUED", "poll_url", "status_url",
"response_url"}; GET /v2/requests/<id>/status -> QUEUED, PROCESSING (`polls_before_done` times),
then COMPLETED with "metrics", or 422 {"status": "FAILED", "error"} for a failed job;
GET /v2/requests/<id> -> {"status", "output": <url of the image>, "metrics"};
POST /v1/<slug> (JSON; answers raw image bytes with x-remaining-credits, x-cost,
x-generation-time, x-request-id); GET /files/<name> (uploads and outputs).
A slug outside `v2_slugs` answers 404 on /v2 (use v1). Credits are taken when a job completes.
"""

from __future__ import annotations

import base64
import io
import itertools
from datetime import UTC, datetime, timedelta

from PIL import Image

from .base import LoopbackServer, RecordedRequest, Reply, make_png, parse_size

EDIT_SLUGS = {"gpt-image-1-edit", "gpt-image-1-edit-mini", "gpt-image-1.5-edit", "gpt-image-2"}
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
        self.v2_slugs: set[str] = EDIT_SLUGS | GEN_SLUGS
        self.polls_before_done = 0
        self.jobs: dict[str, dict] = {}  # request id -> {"polls", "png", "error"}
        self._fail_jobs: list[str] = []

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
        self.fail_next(406, {"error": "Not enough credits"}, path="/v", method="POST")

    def rate_limited_next(self, reset_in: float = 1.0, *, times: int = 1) -> None:
        reset = datetime.now(UTC) + timedelta(seconds=reset_in)
        self.fail_next(
            429,
            {"error": "Rate limit exceeded"},
            {"x-rate-limit-reset-at-utc": reset.isoformat(), "x-rate-limit-remaining": "0"},
            path="/v",
            method="POST",
            times=times,
        )

    def server_error_next(self, status: int = 500, *, times: int = 1) -> None:
        self.fail_next(
            status, {"error": "Internal server error"}, path="/v", method="POST", times=times
        )

    def method_not_allowed_next(self) -> None:
        self.fail_next(
            405,
            "<html><body><h1>405 Method Not Allowed</h1></body></html>",
            {"Content-Type": "text/html"},
            path="/v1/",  # on /v2 a 405 means "no v2 here": the adapter falls back to v1
        )

    def truncated_image_next(self, times: int = 1) -> None:
        """The next `times` results (v1 bodies or v2 output downloads) are cut in half."""
        self._truncate_images += times

    def job_fails_next(self, error: str = "The model could not process the image") -> None:
        """The next v2 job is accepted, then its status answers 422 FAILED with `error`."""
        self._fail_jobs.append(error)

    # --- protocol --------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Reply:
        if request.method == "GET" and request.path.startswith("/files/"):
            data = self.files.get(request.path[len("/files/") :])
            if data and request.path.startswith("/files/output_"):
                with self._lock:
                    if self._truncate_images > 0:  # a v2 output cut short
                        self._truncate_images -= 1
                        data = data[: len(data) // 2]
            return Reply(200, data, {"Content-Type": "image/png"}) if data else Reply(404)
        if not request.headers.get("x-api-key"):
            return Reply.json({"error": "Missing Authorization or x-api-key in header"}, 401)
        if request.headers["x-api-key"] != self.api_key:
            return Reply.json(
                {"error": "Unauthorized. API key is invalid or may have expired."}, 401
            )
        if request.method == "GET" and request.path.startswith("/v2/requests/"):
            return self._v2_poll(request.path.removeprefix("/v2/requests/"))
        if request.method != "POST":
            return Reply(405, b"<html>405 Method Not Allowed</html>", {"Content-Type": "text/html"})
        if "application/json" not in request.headers.get("content-type", ""):
            return Reply.json({"error": "Invalid content type"}, 406)
        if request.path == "/upload-asset":
            return self._upload(request)
        if request.path.startswith("/v2/"):
            slug = request.path.removeprefix("/v2/")
            if slug in self.v2_slugs:
                return self._v2_submit(slug, request)
            return Reply.json({"error": "Model not found"}, 404)
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

    def _v2_submit(self, slug: str, request: RecordedRequest) -> Reply:
        made = self._make(slug, request.json())
        if isinstance(made, Reply):
            return made
        request_id = f"{next(self._counter):08x}-sg2"
        with self._lock:
            error = self._fail_jobs.pop(0) if self._fail_jobs else None
            self.jobs[request_id] = {"polls": 0, "png": made, "error": error}
        base = f"{self.url}/v2/requests/{request_id}"
        return Reply.json(
            {
                "request_id": request_id,
                "status": "QUEUED",
                "poll_url": f"{self.url}/v1/requests/{request_id}",
                "status_url": f"{base}/status",
                "response_url": base,
            }
        )

    def _v2_poll(self, rest: str) -> Reply:
        request_id, _, tail = rest.partition("/")
        job = self.jobs.get(request_id)
        if job is None:
            return Reply.json({"error": "Request not found"}, 404)
        with self._lock:
            if tail == "status":
                job["polls"] += 1
            done = job["polls"] > self.polls_before_done
            if done and job["error"] is None and "output" not in job:
                self.credits = round(self.credits - self.cost, 4)
                name = f"output_{request_id}.png"
                self.files[name] = job["png"]
                job["output"] = f"{self.url}/files/{name}"
        if done and job["error"] is not None:
            failed = {"status": "FAILED", "error": job["error"], "metrics": {}}
            return Reply.json(failed, 422)
        if not done:
            return Reply.json({"request_id": request_id, "status": "PROCESSING"})
        body = {
            "request_id": request_id,
            "status": "COMPLETED",
            "metrics": {"inference_time": 56.8},
        }
        if tail != "status":
            body["output"] = job["output"]
        return Reply.json(body)

    def _make(self, slug: str, body: dict) -> bytes | Reply:
        """The result image for a valid request, or the error reply (both API versions)."""
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
        return make_png(*parse_size(body.get("size"), fallback), color=self.result_color)

    def _run(self, slug: str, request: RecordedRequest) -> Reply:
        png = self._make(slug, request.json())
        if isinstance(png, Reply):
            return png
        self.credits = round(self.credits - self.cost, 4)
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
