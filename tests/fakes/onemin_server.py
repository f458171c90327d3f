"""A loopback 1min.ai: Asset API, AI Feature API, results, and the asset host for downloads.

    with OneMinServer() as srv:
        provider = OneMinProvider(make_client(), srv.api_key, srv.base_url, srv.asset_base)
        ...
        srv.requests_to("/api/features")[0].json()["promptObject"]

Routes: POST /api/assets (multipart `asset`), POST /api/features (JSON), GET /api/results/<uuid>,
GET /cdn/<key> (= `asset_base`/<key>), GET /signed/<key> (the `temporaryUrl`).
"""

from __future__ import annotations

import io
import itertools
import uuid as uuidlib
from collections.abc import Callable
from typing import Any

from PIL import Image

from .base import LoopbackServer, RecordedRequest, Reply, make_png, parse_size

CREDITS_MESSAGE = "The feature requires 9000 credits, but the Acme team only has 12 credits"
ResultFactory = Callable[[dict[str, Any], dict[str, bytes]], bytes]


class OneMinServer(LoopbackServer):
    """Options (plain attributes, change them any time):
    - `api_key`: the key accepted in `API-KEY` (others get 401);
    - `models`: None accepts any model, else a set; others get 400 UNSUPPORTED_MODEL;
    - `answer_shape`: "aiRecord" (documented), "top_level_temporary_url" (temporaryUrl beside
      aiRecord), or "data" ({"success": true, "data": {"resultObject": [...]}});
    - `asset_downloads_fail`: GET /cdn/<key> answers 403 (so only temporaryUrl works);
    - `cdn_refuses`: result positions (1-based, within a record) whose unsigned read on the
      asset host answers 403; the signed link (`temporaryUrl`, first result only, with its
      X-Amz-Signature) still works;
    - `result_color`, `result_factory(payload, uploaded_assets) -> png bytes`.
    The default result is a solid PNG at the requested size (the source's size for "auto").
    """

    def __init__(self, api_key: str = "test-onemin-key", models: set[str] | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        self.models = models
        self.answer_shape = "aiRecord"
        self.asset_downloads_fail = False
        self.cdn_refuses: set[int] = set()
        self._positions: dict[str, int] = {}  # result key -> its 1-based place in its record
        self.result_color: tuple[int, ...] = (220, 30, 30)
        self.result_factory: ResultFactory | None = None
        self.assets: dict[str, bytes] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self._truncate_images = 0
        self._counter = itertools.count(1)

    @property
    def base_url(self) -> str:
        return self.url

    @property
    def asset_base(self) -> str:
        return f"{self.url}/cdn"

    # --- named faults ----------------------------------------------------------------------

    def unauthorized_next(self) -> None:
        self.fail_next(401, {"errorCode": "HTTP_EXCEPTION", "message": "API Key has been deleted"})

    def out_of_credits_next(self) -> None:
        self.fail_next(
            406,
            {
                "errorCode": "INSUFFICIENT_CREDITS",
                "message": CREDITS_MESSAGE,
            },
            path="/api/features",
        )

    def credits_error_in_200_next(self) -> None:
        """HTTP 200 whose resultObject is {code, message} (seen in third-party fixtures)."""
        record = self._record({"type": "IMAGE_INPAINTER", "model": "gpt-image-1"}, [], "")
        record["aiRecordDetail"]["resultObject"] = {
            "code": "INSUFFICIENT_CREDITS",
            "message": CREDITS_MESSAGE,
        }
        self.fail_next(200, {"aiRecord": record}, path="/api/features")

    def failure_status_next(self, reason: str = "Upstream failure") -> None:
        record = self._record({"type": "IMAGE_INPAINTER", "model": "gpt-image-1"}, [], "")
        record["status"] = "FAILURE"
        record["aiRecordDetail"]["responseObject"] = {"error": reason}
        self.fail_next(200, {"aiRecord": record}, path="/api/features")

    def external_error_next(self, details: str = '{"error": "bad dimensions"}') -> None:
        self.fail_next(
            400,
            {
                "errorCode": "EXTERNAL_API_RESPONSE_WITH_ERROR",
                "message": "External API responded with an error",
                "details": details,
            },
            path="/api/features",
        )

    def rate_limited_next(self, retry_after: str | None = "1", *, times: int = 1) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.fail_next(
            429, {"message": "Too many requests"}, headers, path="/api/features", times=times
        )

    def server_error_next(self, status: int = 500, *, times: int = 1) -> None:
        self.fail_next(
            status,
            {"errorCode": "UNKNOWN_ERROR", "message": "Internal error"},
            path="/api/features",
            times=times,
        )

    def cloudflare_522_next(self) -> None:
        self.fail_next(
            522,
            "<html><title>api.1min.ai | 522: Connection timed out</title></html>",
            {"Content-Type": "text/html"},
            path="/api/features",
        )

    def truncated_image_next(self, times: int = 1) -> None:
        """The next `times` image downloads (cdn or temporaryUrl) stop halfway."""
        self._truncate_images += times

    # --- protocol --------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Reply:
        if request.method == "GET" and request.path.startswith(("/cdn/", "/signed/")):
            return self._download(request)
        if request.headers.get("api-key") != self.api_key:
            return Reply.json(
                {"errorCode": "HTTP_EXCEPTION", "message": "API Key is not active"}, 401
            )
        if request.method == "POST" and request.path == "/api/assets":
            return self._upload(request)
        if request.method == "POST" and request.path == "/api/features":
            return self._feature(request)
        if request.method == "GET" and request.path.startswith("/api/results/"):
            record = self.records.get(request.path.rsplit("/", 1)[1])
            return Reply.json({"aiRecord": record})
        return Reply.json({"errorCode": "NOT_FOUND", "message": "Not found"}, 404)

    def _upload(self, request: RecordedRequest) -> Reply:
        parts = request.parts("asset")
        if len(parts) != 1 or not parts[0].filename:
            return Reply.json({"errorCode": "BAD_REQUEST", "message": "asset file missing"}, 400)
        part = parts[0]
        key = f"images/{next(self._counter):04d}_{part.filename}"
        self.assets[key] = part.data
        name = part.filename
        return Reply.json(
            {
                "asset": {
                    "fieldname": "asset",
                    "originalname": name,
                    "encoding": "7bit",
                    "mimetype": part.content_type,
                    "size": len(part.data),
                    "bucket": "asset.1min.ai",
                    "key": key,
                    "acl": "private",
                    "contentType": "application/octet-stream",
                    "location": f"https://asset.1min.ai.s3.us-east-1.amazonaws.com/{key}",
                },
                "fileContent": {
                    "uuid": str(uuidlib.uuid4()),
                    "path": key,
                    "type": name.rsplit(".", 1)[-1],
                    "name": name,
                    "status": "ACTIVE",
                },
            }
        )

    def _feature(self, request: RecordedRequest) -> Reply:
        try:
            payload = request.json()
        except ValueError:
            return Reply.json({"errorCode": "BAD_REQUEST", "message": "Invalid JSON"}, 400)
        ftype, model = payload.get("type"), payload.get("model")
        prompt_object = payload.get("promptObject") or {}
        if ftype not in ("IMAGE_GENERATOR", "IMAGE_EDITOR", "IMAGE_INPAINTER", "IMAGE_VARIATOR"):
            return Reply.json(
                {"errorCode": "UNKNOWN_ERROR", "message": f"Unsupported feature type: {ftype}"}, 400
            )
        if self.models is not None and model not in self.models:
            return Reply.json(
                {
                    "errorCode": "UNSUPPORTED_MODEL",
                    "message": f"Model {model} is not supported for feature {ftype}",
                },
                400,
            )
        for field in ("imageUrl", "maskUrl") if ftype == "IMAGE_INPAINTER" else ("imageUrl",):
            if ftype != "IMAGE_GENERATOR" and prompt_object.get(field) not in self.assets:
                return Reply.json(
                    {"errorCode": "BAD_REQUEST", "message": f"{field} is not a known asset"}, 400
                )
        count = int(prompt_object.get("n") or prompt_object.get("num_images") or 1)
        keys = []
        for position in range(1, count + 1):
            key = f"images/result_{next(self._counter):04d}.png"
            self.assets[key] = self._result_png(payload)
            self._positions[key] = position
            keys.append(key)
        temporary = f"{self.url}/signed/{keys[0]}?X-Amz-Expires=604800&X-Amz-Signature=fake"
        record = self._record(payload, keys, temporary)
        self.records[record["uuid"]] = record
        if self.answer_shape == "data":
            return Reply.json({"success": True, "data": {"resultObject": keys}})
        if self.answer_shape == "top_level_temporary_url":
            record = dict(record)
            del record["temporaryUrl"]
            return Reply.json({"aiRecord": record, "temporaryUrl": temporary})
        return Reply.json({"aiRecord": record})

    def _result_png(self, payload: dict[str, Any]) -> bytes:
        if self.result_factory is not None:
            return self.result_factory(payload, self.assets)
        source = self.assets.get(payload.get("promptObject", {}).get("imageUrl", ""))
        fallback = (1024, 1024)
        if source:
            with Image.open(io.BytesIO(source)) as img:
                fallback = img.size
        size = parse_size(payload.get("promptObject", {}).get("size"), fallback)
        return make_png(*size, color=self.result_color)

    def _record(self, payload: dict[str, Any], keys: list[str], temporary: str) -> dict[str, Any]:
        return {
            "uuid": str(uuidlib.uuid4()),
            "userId": "user-1",
            "teamId": "team-1",
            "teamUser": {
                "teamId": "team-1",
                "userId": "user-1",
                "userName": "tester",
                "status": "ACTIVE",
                "role": "ADMIN",
                "creditLimit": 100000,
                "usedCredit": 0,
            },
            "model": payload.get("model"),
            "type": payload.get("type"),
            "metadata": {},
            "rating": None,
            "feedback": None,
            "conversationId": None,
            "status": "SUCCESS",
            "createdAt": "2026-10-30T10:00:00.000Z",
            "aiRecordDetail": {
                "promptObject": payload.get("promptObject", {}),
                "resultObject": keys,
                "responseObject": {},
            },
            "additionalData": None,
            "temporaryUrl": temporary,
        }

    def _download(self, request: RecordedRequest) -> Reply:
        prefix = "/cdn/" if request.path.startswith("/cdn/") else "/signed/"
        key = request.path[len(prefix) :]
        refused = (
            self.asset_downloads_fail or self._positions.get(key) in self.cdn_refuses
            if prefix == "/cdn/"
            else not request.query.get("X-Amz-Signature")  # a signed link needs its signature
        )
        if refused:
            return Reply(
                403, b"<Error><Code>AccessDenied</Code></Error>", {"Content-Type": "text/xml"}
            )
        data = self.assets.get(key)
        if data is None:
            return Reply(
                404, b"<Error><Code>NoSuchKey</Code></Error>", {"Content-Type": "text/xml"}
            )
        reply = Reply(200, data, {"Content-Type": "image/png"})
        with self._lock:
            if self._truncate_images > 0:
                self._truncate_images -= 1
                reply.truncate_to = len(data) // 2
        return reply
