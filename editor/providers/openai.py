"""OpenAI Images API and compatible proxies: JSON generations, multipart edits.

Protocol: https://developers.openai.com/api/reference/resources/images/methods/edit.
Inpainting is an edit with a `mask` part: an RGBA PNG whose alpha is 0 exactly where the model
may paint, same size as the first image, under 4 MB.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

import httpx

from . import openai_models
from .base import (
    IMAGE_GENERATOR,
    IMAGE_INPAINTER,
    IMAGE_VARIATOR,
    EditRequest,
    EditResult,
    ModelSpec,
    Provider,
    ProviderError,
)
from .discovery import ListedModel, parse_model_list
from .fetch import decode_b64_image, fetch_image
from .http import (
    body_snippet,
    expect_json_object,
    is_retryable_status,
    json_body,
    send,
)
from .retry import parse_retry_after

MAX_MASK_BYTES = 4 * 1024 * 1024


class OpenAIProvider(Provider):
    id = "openai"
    name = "OpenAI"
    key_setting = "OPENAI_API_KEY"
    url_settings = {"base_url": "OPENAI_BASE_URL"}
    team_base_url = True  # any OpenAI-compatible proxy
    mask_format = "alpha"
    models = openai_models.SEEDED
    # GET {base}/models lists what this key may call, with shutdown dates; on any other host
    # than this one (a proxy) that list is the offer (editor.providers.discovery).
    lists_models = True
    official_host = "api.openai.com"

    def __init__(
        self,
        client: httpx.Client,
        api_key: str,
        base_url: str = "https://api.openai.com/v1",
        *,
        models: Iterable[ModelSpec] | None = None,
    ) -> None:
        super().__init__(client, api_key, base_url, models=models)

    @classmethod
    def fit_model(cls, model_id: str) -> ModelSpec:
        return openai_models.family_for(model_id)

    def list_models(self) -> list[ListedModel] | None:
        assert self.client is not None
        response = send(
            self.client,
            "GET",
            f"{self.base_url}/models",
            provider=self.name,
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        if response.status_code in (404, 405, 501):
            return None  # a proxy without /models: the seeded families stay on offer
        if response.status_code != 200:
            self.raise_for_response(response)
        try:
            return parse_model_list(json_body(response))
        except ValueError as exc:
            raise ProviderError(
                f"{self.base_url}/models did not answer a model list ({exc}): "
                f"{body_snippet(response) or 'empty body'}",
                permanent=True,
            ) from exc

    def edit(self, req: EditRequest) -> EditResult:
        spec = self.check_request(req)
        params = self.request_params(req, spec)
        if req.model.startswith("gpt-image-2"):
            params.pop("input_fidelity", None)  # fixed high on gpt-image-2*; sending it errors
        headers = {"Authorization": f"Bearer {self.api_key}"}
        assert self.client is not None
        if req.type == IMAGE_VARIATOR:
            # OpenAI's variations endpoint (dall-e-2 and the proxies that keep it): one image,
            # no prompt; reached only for a model the catalogue says serves IMAGE_VARIATOR.
            response = send(
                self.client,
                "POST",
                f"{self.base_url}/images/variations",
                provider=self.name,
                billable=True,
                data={"model": req.model, "response_format": "b64_json", **_form(params)},
                files=[("image", ("image.png", req.images[0], "image/png"))],
                headers=headers,
            )
        elif req.type == IMAGE_GENERATOR:
            response = send(
                self.client,
                "POST",
                f"{self.base_url}/images/generations",
                provider=self.name,
                billable=True,
                json={"model": req.model, "prompt": req.prompt, **params},
                headers=headers,
            )
        else:
            response = send(
                self.client,
                "POST",
                f"{self.base_url}/images/edits",
                provider=self.name,
                billable=True,
                data={"model": req.model, "prompt": req.prompt, **_form(params)},
                files=self._files(req, spec),
                headers=headers,
            )
        if response.status_code != 200:
            self.raise_for_response(response)
        return self._result(response)

    def _files(self, req: EditRequest, spec: ModelSpec | None) -> list[tuple[str, Any]]:
        limit = spec.max_images if spec is not None else 16
        if len(req.images) > limit:
            raise ProviderError(
                f"{req.model} takes at most {limit} images; this edit has {len(req.images)}.",
                permanent=True,
            )
        part = "image" if len(req.images) == 1 else "image[]"
        files: list[tuple[str, Any]] = [
            (part, (f"image-{i}.png", data, "image/png")) for i, data in enumerate(req.images)
        ]
        if req.type == IMAGE_INPAINTER and req.mask is not None:
            mask = self.upstream_mask(req.model, req.mask)
            if len(mask) >= MAX_MASK_BYTES:
                raise ProviderError(
                    "The mask PNG is over OpenAI's 4 MB limit; use a smaller image.",
                    permanent=True,
                )
            files.append(("mask", ("mask.png", mask, "image/png")))
        return files

    def _result(self, response: httpx.Response) -> EditResult:
        data = expect_json_object(response, self.name)
        items = data.get("data")
        if not isinstance(items, list) or not items:
            raise ProviderError(
                f"OpenAI answered without images: {body_snippet(response)}", permanent=True
            )
        assert self.client is not None
        images: list[bytes] = []
        elided: list[Any] = []
        for item in items:
            if not isinstance(item, dict):
                raise ProviderError("OpenAI sent a result entry that is not an object.")
            if isinstance(item.get("b64_json"), str) and item["b64_json"]:
                images.append(decode_b64_image(item["b64_json"], self.name))
                elided.append({**item, "b64_json": f"<{len(images[-1])} bytes>"})
            elif isinstance(item.get("url"), str) and item["url"]:
                images.append(fetch_image(self.client, item["url"], provider=self.name))
                elided.append(item)
            else:
                raise ProviderError("OpenAI sent a result entry with neither b64_json nor url.")
        raw = {**data, "data": elided}
        request_id = response.headers.get("x-request-id")
        if request_id:
            raw["x_request_id"] = request_id
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return EditResult(images=images, response=raw, usage=usage)

    @classmethod
    def raise_for_response(cls, response: httpx.Response) -> NoReturn:
        status = response.status_code
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            error = {"message": error} if isinstance(error, str) else {}
        code = str(error.get("code") or "")
        etype = str(error.get("type") or "")
        message = str(error.get("message") or "").strip() or body_snippet(response) or "no detail"
        request_id = response.headers.get("x-request-id")
        suffix = f" (request id {request_id})" if request_id else ""
        retry_after = parse_retry_after(response.headers)
        should_retry = response.headers.get("x-should-retry")

        def fail(text: str, permanent: bool) -> NoReturn:
            if should_retry in ("true", "false"):
                permanent = should_retry == "false"
            raise ProviderError(
                text + suffix,
                permanent=permanent,
                retry_after=retry_after,
                status=status,
                response=body,
            )

        if code == "moderation_blocked" or "safety system" in message:
            fail(
                "OpenAI's safety system rejected this request (moderation_blocked). "
                "Rephrase the prompt or use another image.",
                True,
            )
        if status == 401:
            fail(f"OpenAI rejected the API key: {message}", True)
        if status == 403:
            fail(
                f"OpenAI refused access (HTTP 403; the organization may need verification "
                f"for image models): {message}",
                True,
            )
        if status == 404 or code == "model_not_found":
            fail(f"OpenAI does not offer this model (it may be retired): {message}", True)
        if status == 429 and (code == "insufficient_quota" or etype == "insufficient_quota"):
            fail(f"The OpenAI account is out of quota; check its billing: {message}", True)
        if status == 429:
            fail(f"OpenAI is rate limiting requests: {message}", False)
        if status >= 500:
            fail(f"OpenAI had a server error (HTTP {status}): {message}", False)
        fail(
            f"OpenAI refused the request (HTTP {status}{' ' + code if code else ''}): {message}",
            not is_retryable_status(status),
        )


def _form(params: dict[str, Any]) -> dict[str, str]:
    """Multipart form fields are strings; booleans go as true/false."""
    return {
        k: ("true" if v else "false") if isinstance(v, bool) else str(v) for k, v in params.items()
    }
