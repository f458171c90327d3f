"""A loopback OpenAI Images API (also stands in for compatible proxies).

    with OpenAIServer() as srv:
        provider = OpenAIProvider(make_client(), srv.api_key, srv.base_url)

Routes: POST /v1/images/generations (JSON), POST /v1/images/edits (multipart: `image` or
repeated `image[]`, optional `mask`), GET /v1/models (the model list, with `shutdown_date` where
set), GET /files/<name> (for `return_urls`). Every answer carries `x-request-id: req_<n>`.
"""

from __future__ import annotations

import base64
import io
import itertools
from typing import Any

from PIL import Image

from .base import LoopbackServer, RecordedRequest, Reply, make_png, parse_size


class OpenAIServer(LoopbackServer):
    """Options (plain attributes):
    - `api_key`: accepted bearer token; `models`: None = any, else a set (others: 404);
    - `return_urls`: answer data[].url (served here) instead of b64_json;
    - `b64_prefix`: prefix b64_json with `data:image/png;base64,` as some proxies do;
    - `b64_wrapped`: break b64_json into 76-character lines, as MIME encoders do;
    - `sent_images`: every result PNG answered, in order, as bytes;
    - `result_color`. Results are solid PNGs at the requested size (first image's for auto).
    - `model_list`: what GET /v1/models answers, as [(id, shutdown_date or None)]; None makes
      it a 404, as on a proxy without a model list.
    Edits with a mask check it like OpenAI: PNG with alpha, same size as the first image.
    """

    def __init__(self, api_key: str = "test-openai-key", models: set[str] | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        self.models = models
        self.return_urls = False
        self.b64_prefix = False
        self.b64_wrapped = False
        self.sent_images: list[bytes] = []
        self.result_color: tuple[int, ...] = (30, 200, 30)
        self.files: dict[str, bytes] = {}
        self._counter = itertools.count(1)
        self._truncate_images = 0
        self.model_list: list[tuple[str, str | None]] | None = [
            ("gpt-image-2.6-sunburst", None),
            ("gpt-image-2.5-sunburst", None),
            ("gpt-image-2", "2027-02-10"),
            ("dall-e-3", None),
            ("gpt-4o", None),
        ]

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    # --- named faults ----------------------------------------------------------------------

    @staticmethod
    def _error(message: str, etype: str, code: str | None, param: str | None = None) -> dict:
        return {"error": {"message": message, "type": etype, "param": param, "code": code}}

    def unauthorized_next(self) -> None:
        self.fail_next(
            401,
            self._error(
                "Incorrect API key provided: sk-...", "invalid_request_error", "invalid_api_key"
            ),
            {"x-request-id": "req_unauth"},
        )

    def moderation_blocked_next(self) -> None:
        body = self._error(
            "Your request was rejected by the safety system. If you believe this is an error, "
            "contact us and include the request ID req_mod. safety_violations=[sexual].",
            "image_generation_user_error",
            "moderation_blocked",
        )
        body["error"]["moderation_details"] = {
            "moderation_stage": "input",
            "categories": ["sexual"],
        }
        self.fail_next(400, body, {"x-request-id": "req_mod"})

    def insufficient_quota_next(self) -> None:
        self.fail_next(
            429,
            self._error(
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
                "insufficient_quota",
            ),
            {"x-request-id": "req_quota"},
        )

    def rate_limited_next(
        self, retry_after: str | None = "1", retry_after_ms: str | None = None, *, times: int = 1
    ) -> None:
        headers = {"x-request-id": "req_rl"}
        if retry_after is not None:
            headers["retry-after"] = retry_after
        if retry_after_ms is not None:
            headers["retry-after-ms"] = retry_after_ms
        self.fail_next(
            429,
            self._error(
                "Rate limit reached for images per minute.", "requests", "rate_limit_exceeded"
            ),
            headers,
            times=times,
        )

    def server_error_next(self, status: int = 500, *, times: int = 1) -> None:
        self.fail_next(
            status,
            self._error(
                "The server had an error while processing your request.", "server_error", None
            ),
            {"x-request-id": "req_5xx"},
            times=times,
        )

    def truncated_image_next(self, times: int = 1) -> None:
        """The next `times` result images are cut in half (in b64_json or the URL download)."""
        self._truncate_images += times

    # --- protocol --------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Reply:
        n = next(self._counter)
        headers = {"x-request-id": f"req_{n}"}
        if request.method == "GET" and request.path.startswith("/files/"):
            data = self.files.get(request.path[len("/files/") :])
            if data is None:
                return Reply(404, b"not found")
            return Reply(200, data, {"Content-Type": "image/png"})
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Reply.json(
                self._error(
                    "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
                ),
                401,
                headers,
            )
        if request.method == "GET" and request.path == "/v1/models":
            return self._models(headers)
        if request.method == "POST" and request.path == "/v1/images/generations":
            params = request.json()
            images: list[bytes] = []
        elif request.method == "POST" and request.path == "/v1/images/edits":
            params = request.form()
            images = [p.data for p in request.multipart() if p.name in ("image", "image[]")]
            if not images:
                return self._bad("image is required", "image", headers)
            if request.parts("mask"):
                problem = _mask_problem(request.part("mask").data, images[0])
                if problem:
                    return self._bad(problem, "mask", headers)
        elif request.method == "POST" and request.path == "/v1/images/variations":
            params = request.form()  # dall-e-2's variations: one image, no prompt
            images = [p.data for p in request.parts("image")]
            if len(images) != 1:
                return self._bad("send exactly one image", "image", headers)
        else:
            return Reply.json(self._error("Not found", "invalid_request_error", None), 404, headers)
        if not params.get("prompt") and not request.path.endswith("/variations"):
            return self._bad("prompt is required", "prompt", headers)
        model = params.get("model")
        if self.models is not None and model not in self.models:
            return Reply.json(
                self._error(
                    f"The model '{model}' does not exist or you do not have access to it.",
                    "invalid_request_error",
                    "model_not_found",
                ),
                404,
                headers,
            )
        fallback = (1024, 1024)
        if images:
            with Image.open(io.BytesIO(images[0])) as img:
                fallback = img.size
        size = parse_size(params.get("size"), fallback)
        data = []
        for i in range(int(params.get("n") or 1)):
            png = make_png(*size, color=self.result_color)
            with self._lock:
                if self._truncate_images > 0:
                    self._truncate_images -= 1
                    png = png[: len(png) // 2]
                self.sent_images.append(png)
            if self.return_urls:
                name = f"result_{n}_{i}.png"
                self.files[name] = png
                data.append({"url": f"{self.url}/files/{name}"})
            else:
                b64 = (base64.encodebytes if self.b64_wrapped else base64.b64encode)(png).decode()
                data.append(
                    {"b64_json": ("data:image/png;base64," if self.b64_prefix else "") + b64}
                )
        body: dict[str, Any] = {
            "created": 1761800000,
            "data": data,
            "background": params.get("background", "opaque"),
            "output_format": params.get("output_format", "png"),
            "quality": params.get("quality", "medium"),
            "size": f"{size[0]}x{size[1]}",
            "usage": {
                "input_tokens": 50,
                "input_tokens_details": {"image_tokens": 40, "text_tokens": 10},
                "output_tokens": 1056,
                "total_tokens": 1106,
            },
        }
        return Reply.json(body, 200, headers)

    def _models(self, headers: dict[str, str]) -> Reply:
        """OpenAI's list shape: {"object": "list", "data": [{"id", "object": "model", "created",
        "owned_by", "shutdown_date"?}]}."""
        if self.model_list is None:
            return Reply.json(self._error("Not found", "invalid_request_error", None), 404, headers)
        data = []
        for model_id, shutdown in self.model_list:
            item: dict[str, Any] = {
                "id": model_id,
                "object": "model",
                "created": 1757289600,
                "owned_by": "system",
            }
            if shutdown:
                item["shutdown_date"] = shutdown
            data.append(item)
        return Reply.json({"object": "list", "data": data}, 200, headers)

    def _bad(self, message: str, param: str, headers: dict[str, str]) -> Reply:
        return Reply.json(
            self._error(message, "invalid_request_error", "invalid_value", param), 400, headers
        )


def _mask_problem(mask: bytes, image: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(mask)) as m, Image.open(io.BytesIO(image)) as img:
            if m.format != "PNG" or "A" not in m.getbands():
                return "Invalid mask: it must be a PNG with an alpha channel."
            if m.size != img.size:
                return "Invalid mask: it must have the same dimensions as the image."
    except OSError:
        return "Invalid mask image."
    if len(mask) >= 4 * 1024 * 1024:
        return "Invalid mask: it must be under 4 MB."
    return None
