"""Segmind: upload data URLs, then run the model through the v2 async API (submit, poll,
fetch; editor.providers.segmind_v2), or through v1 (one POST answering raw image bytes, in
maintenance mode) for a model that has no v2 endpoint.

Protocol: https://www.segmind.com/models/gpt-image-1-edit/api. Auth header `x-api-key`. The
mask follows OpenAI's convention (alpha 0 = edit) because Segmind forwards to OpenAI's model;
its polarity is not documented.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import httpx

from . import segmind_v2
from .base import (
    IMAGE_EDITOR,
    IMAGE_GENERATOR,
    IMAGE_INPAINTER,
    EditRequest,
    EditResult,
    ModelSpec,
    Param,
    Provider,
    ProviderError,
)
from .fetch import check_image, decode_b64_image
from .http import (
    body_snippet,
    expect_json_object,
    is_retryable_status,
    json_body,
    send,
    sleep_within_call,
)
from .retry import parse_reset_at, parse_retry_after

SIZES = ("auto", "1024x1024", "1536x1024", "1024x1536")
_EDITS = (IMAGE_EDITOR, IMAGE_INPAINTER)


def _params(size: str = "auto", quality: str = "auto") -> tuple[Param, ...]:
    return (
        Param("size", size, SIZES),
        Param("quality", quality, ("auto", "low", "medium", "high")),
        Param("background", "opaque", ("opaque", "transparent")),
        Param("output_format", "png", ("png", "jpeg", "webp")),
        Param("output_compression", 100, min=0, max=100),
        Param("moderation", "auto", ("auto", "low")),
    )


class SegmindProvider(Provider):
    id = "segmind"
    name = "Segmind"
    key_setting = "SEGMIND_API_KEY"
    url_settings = {"base_url": "SEGMIND_API_BASE", "upload_url": "SEGMIND_UPLOAD_URL"}
    mask_format = "alpha"
    # max_images: Segmind states no limit for image_urls; 16 is OpenAI's, the model behind it.
    models = (
        ModelSpec("gpt-image-2", _EDITS, _params(), max_images=16, label="GPT Image 2"),
        ModelSpec("gpt-image-1.5-edit", _EDITS, _params(), max_images=16),
        ModelSpec("gpt-image-1-edit", _EDITS, _params(), max_images=16),
        ModelSpec("gpt-image-1-edit-mini", _EDITS, _params(), max_images=16),
        ModelSpec("gpt-image-1", (IMAGE_GENERATOR,), _params()),
        ModelSpec("gpt-image-1-mini", (IMAGE_GENERATOR,), _params("1024x1024", "high")),
    )

    def __init__(
        self,
        client: httpx.Client,
        api_key: str,
        base_url: str = "https://api.segmind.com",
        upload_url: str = "https://workflows-api.segmind.com/upload-asset",
        *,
        models: Iterable[ModelSpec] | None = None,
        poll_interval: float = 1.0,
        poll_timeout: float = 600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(client, api_key, base_url, models=models)
        self.upload_url = upload_url
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self.sleep = sleep_within_call(client, sleep)

    def edit(self, req: EditRequest) -> EditResult:
        spec = self.check_request(req)
        body: dict[str, Any] = {"prompt": req.prompt, **self.request_params(req, spec)}
        body.pop("n", None)  # one image per call on Segmind
        if req.type != IMAGE_GENERATOR:
            limit = spec.max_images if spec is not None else 16
            if len(req.images) > limit:
                raise ProviderError(f"{req.model} takes at most {limit} images.", permanent=True)
            files = list(req.images)
            if req.type == IMAGE_INPAINTER and req.mask is not None:
                files.append(self.upstream_mask(req.model, req.mask))
            urls = self.upload(files)
            body["image_urls"] = urls[: len(req.images)]
            if req.type == IMAGE_INPAINTER:
                body["mask"] = urls[-1]
        job = segmind_v2.submit(self, req.model, body)
        if job is not None:
            return segmind_v2.wait_and_fetch(self, job)
        return self._run_v1(req.model, body)

    def _run_v1(self, model: str, body: dict[str, Any]) -> EditResult:
        """The maintenance-mode sync API: one POST answering the image bytes."""
        assert self.client is not None
        response = send(
            self.client,
            "POST",
            f"{self.base_url}/v1/{model}",
            provider=self.name,
            billable=True,
            json=body,
            headers=self._headers(),
        )
        if response.status_code != 200:
            self.raise_for_response(response)
        image = self._image(response)
        headers = response.headers
        raw = {"api": "v1", "content_type": headers.get("content-type", ""), "bytes": len(image)}
        raw |= segmind_v2.billing_headers(headers)
        return EditResult(
            images=[image],
            response=raw,
            remaining_credits=headers.get("x-remaining-credits"),
            cost=segmind_v2.reported_cost(headers),
        )

    def upload(self, files: list[bytes]) -> list[str]:
        """Upload PNGs as data URLs to Segmind storage; return their URLs in the same order."""
        data_urls = ["data:image/png;base64," + base64.b64encode(f).decode("ascii") for f in files]
        assert self.client is not None
        response = send(
            self.client,
            "POST",
            self.upload_url,
            provider=self.name,
            json={"data_urls": data_urls},
            headers=self._headers(),
        )
        if response.status_code not in (200, 201):
            self.raise_for_response(response)
        urls = expect_json_object(response, self.name).get("file_urls")
        if not isinstance(urls, list) or len(urls) != len(files):
            raise ProviderError(
                f"Segmind's upload answered without the expected file URLs: "
                f"{body_snippet(response)}",
                permanent=True,
            )
        return [str(u) for u in urls]

    def _headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key}

    def _image(self, response: httpx.Response) -> bytes:
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/json":
            # Some Segmind models answer JSON with base64 in "image"; accept that too.
            data = expect_json_object(response, self.name)
            value = data.get("image")
            if isinstance(value, str) and value:
                return decode_b64_image(value, self.name)
            raise ProviderError(
                f"Segmind answered JSON instead of an image: {body_snippet(response)}",
                permanent=True,
            )
        if ctype and not ctype.startswith("image/") and ctype != "application/octet-stream":
            raise ProviderError(
                f"Segmind answered {ctype} instead of an image: {body_snippet(response)}",
                permanent=True,
            )
        check_image(response.content, self.name)
        return response.content

    @classmethod
    def raise_for_response(cls, response: httpx.Response) -> NoReturn:
        status = response.status_code
        body = json_body(response)
        detail = ""
        if isinstance(body, dict):
            detail = str(body.get("error") or body.get("detail") or body.get("message") or "")
        elif status != 405:
            detail = body_snippet(response)
        # Segmind's own rate limit says when it resets; a proxy or load balancer in front of it
        # may send Retry-After instead.
        retry_after = parse_reset_at(response.headers.get("x-rate-limit-reset-at-utc"))
        if retry_after is None:
            retry_after = parse_retry_after(response.headers)

        def fail(text: str, permanent: bool) -> NoReturn:
            raise ProviderError(
                text, permanent=permanent, retry_after=retry_after, status=status, response=body
            )

        if status == 401:
            fail(f"Segmind rejected the API key: {detail or 'unauthorized'}", True)
        if status == 403:
            fail(f"Segmind does not allow this model for the account: {detail}", True)
        if status == 404:
            fail(f"Segmind does not know this model or URL (HTTP 404): {detail}", True)
        if status == 405:
            fail("Segmind refused the request method (HTTP 405).", True)
        if status == 406:
            if "content" in detail.lower() and "type" in detail.lower():
                fail(f"Segmind refused the request's content type: {detail}", True)
            fail(
                "Your Segmind account is out of credits or over its spend limit: "
                f"{detail or 'not enough credits'}",
                True,
            )
        if status == 410:
            fail(f"Segmind has retired this model: {detail}", True)
        if status == 422:
            fail(f"Segmind could not make the image: {detail or 'the job failed'}", True)
        if status == 429:
            fail(f"Segmind is rate limiting requests: {detail or 'too many requests'}", False)
        if status >= 500:
            fail(
                f"Segmind had a server error (HTTP {status}; often a parameter it could not use): "
                f"{detail or 'no detail'}",
                False,
            )
        fail(
            f"Segmind refused the request (HTTP {status}): {detail}",
            not is_retryable_status(status),
        )
