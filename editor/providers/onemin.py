"""1min.ai: upload through the Asset API, run through the AI Feature API, fetch result keys.

Protocol: https://docs.1min.ai/docs/api/ai-feature-api. Auth header `API-KEY`. Masks go as
white-on-black L PNGs (white = edit); Ideogram reads the inverse, so its spec sets `inverse_mask`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import httpx

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
from .fetch import fetch_image
from .http import (
    body_snippet,
    expect_json_object,
    is_retryable_status,
    json_body,
    send,
    sleep_within_call,
)
from .retry import call_with_retries, parse_retry_after

GPT_SIZES = ("1024x1024", "1024x1536", "1536x1024")
_GEN, _EDIT, _INPAINT = (IMAGE_GENERATOR,), (IMAGE_EDITOR,), (IMAGE_INPAINTER,)


def _gpt_params(*, style: bool, free_size: bool) -> tuple[Param, ...]:
    size = Param("size", "1024x1024", None if free_size else GPT_SIZES)
    background = (
        (Param("background", "auto", ("auto", "opaque")),)
        if free_size  # gpt-image-2: background on every type; `transparent` is rejected
        else (
            Param("background", "opaque", ("opaque", "transparent"), types=_GEN),
            # The editor's own list (seed page, 1m-ed-g1): no "opaque" here.
            Param(
                "background",
                "auto",
                ("auto", "preserve", "transparent", "white", "black"),
                types=_EDIT,
            ),
        )
    )
    return (
        size,
        Param("n", 1, min=1, max=10),
        Param("quality", "medium", ("low", "medium", "high")),
        *((Param("style", "vivid", ("vivid", "natural"), types=_GEN),) if style else ()),
        Param("output_format", "png", ("png", "jpeg", "webp")),
        Param("output_compression", 85, min=0, max=100),
        *background,
    )


_ALL_GPT = (IMAGE_GENERATOR, IMAGE_EDITOR, IMAGE_INPAINTER)


class OneMinProvider(Provider):
    id = "onemin"
    name = "1min.ai"
    key_setting = "ONEMIN_API_KEY"
    url_settings = {"base_url": "ONEMIN_API_BASE", "asset_base": "ONEMIN_ASSET_BASE"}
    mask_format = "white_on_black"
    models = (
        ModelSpec("gpt-image-1", _ALL_GPT, _gpt_params(style=True, free_size=False)),
        ModelSpec("gpt-image-1-mini", _ALL_GPT, _gpt_params(style=False, free_size=False)),
        ModelSpec(
            "gpt-image-2",
            _ALL_GPT,
            _gpt_params(style=False, free_size=True),
            max_side=3840,
            free_size=True,
        ),
        ModelSpec(
            "black-forest-labs/flux-fill-pro",
            _INPAINT,
            (
                Param("steps", 50, min=1, max=50),
                Param("guidance", 60, min=0, max=100),
                Param("safety_tolerance", 3, min=0, max=6),
                Param("prompt_upsampling", False, (False, True)),
                Param("output_format", "jpg", ("jpg", "png")),
                Param("seed"),
            ),
            label="Flux Fill Pro",
        ),
        ModelSpec(
            "black-forest-labs/flux-fill-dev",
            _INPAINT,
            (
                Param("num_inference_steps", 28, min=1, max=50),
                Param("guidance", 3.5, min=0, max=50),
                Param("output_quality", 80, min=0, max=100),
                Param("megapixels", "1", ("1", "0.25")),
                Param("seed"),
            ),
            label="Flux Fill Dev",
        ),
        ModelSpec(
            "ideogram-3",
            _INPAINT,
            (
                Param("num_images", 1, min=1, max=8),
                Param("rendering_speed", "DEFAULT", ("FLASH", "TURBO", "DEFAULT", "QUALITY")),
                Param("magic_prompt", "AUTO", ("AUTO", "ON", "OFF")),
            ),
            label="Ideogram 3",
            inverse_mask=True,  # Ideogram reads white = keep, black = edit
        ),
    )

    def __init__(
        self,
        client: httpx.Client,
        api_key: str,
        base_url: str = "https://api.1min.ai",
        asset_base: str = "https://asset.1min.ai",
        *,
        models: Iterable[ModelSpec] | None = None,
        poll_interval: float = 2.0,
        poll_timeout: float = 600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(client, api_key, base_url, models=models)
        self.asset_base = asset_base.rstrip("/")
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self.sleep = sleep_within_call(client, sleep)

    # --- the call ---------------------------------------------------------------------------

    def edit(self, req: EditRequest) -> EditResult:
        spec = self.check_request(req)
        prompt_object: dict[str, Any] = {"prompt": req.prompt}
        prompt_object.update(self.request_params(req, spec))
        if "num_images" in prompt_object and "num_images" not in req.params and "n" in req.params:
            prompt_object["num_images"] = req.params["n"]  # Ideogram counts with num_images
        if req.type != IMAGE_GENERATOR:
            prompt_object["imageUrl"] = self.upload(req.images[0], "image.png")
        if req.type == IMAGE_INPAINTER:
            assert req.mask is not None  # checked by check_request
            prompt_object["maskUrl"] = self.upload(
                self.upstream_mask(req.model, req.mask), "mask.png"
            )
        payload = {"type": req.type, "model": req.model, "promptObject": prompt_object}
        response = send(
            self._client,
            "POST",
            f"{self.base_url}/api/features",
            provider=self.name,
            billable=True,
            json=payload,
            headers=self._headers(),
        )
        if response.status_code != 200:
            self.raise_for_response(response)
        data = self._wait_if_processing(expect_json_object(response, self.name))
        keys, temporary_url = _results(data)
        record = data.get("aiRecord") if isinstance(data.get("aiRecord"), dict) else {}
        self.note_request_id(record.get("uuid"))
        images, missing = self._download(keys, temporary_url)
        return EditResult(images=images, response=data, missing=missing)

    def upload(self, data: bytes, filename: str) -> str:
        """POST the file to the Asset API; return the asset path feature calls take."""
        response = send(
            self._client,
            "POST",
            f"{self.base_url}/api/assets",
            provider=self.name,
            files={"asset": (filename, data, "image/png")},
            headers=self._headers(),
        )
        if response.status_code not in (200, 201):
            self.raise_for_response(response)
        body = expect_json_object(response, self.name)
        file_content = body.get("fileContent") or {}
        path = file_content.get("path") or (body.get("asset") or {}).get("key")
        if not isinstance(path, str) or not path:
            raise ProviderError(
                f"1min.ai accepted the upload but sent no asset path: {body_snippet(response)}",
                permanent=True,
            )
        return path

    @property
    def _client(self) -> httpx.Client:
        assert self.client is not None
        return self.client

    def _headers(self) -> dict[str, str]:
        return {"API-KEY": self.api_key}

    def _wait_if_processing(self, data: dict[str, Any]) -> dict[str, Any]:
        """Poll GET /api/results/<uuid> while the record says PROCESSING (async answers); a poll
        that fails for a moment is repeated after the wait 1min.ai asks for."""
        deadline = time.monotonic() + self.poll_timeout
        while True:
            record = data.get("aiRecord")
            if not isinstance(record, dict) or record.get("status") not in ("PROCESSING", "QUEUED"):
                return data
            uuid = record.get("uuid")
            if not uuid or time.monotonic() > deadline:
                raise ProviderError(
                    "1min.ai is still processing the edit; Promptbrush stopped waiting and did "
                    "not send it again.",
                    permanent=True,
                )
            self.sleep(self.poll_interval)
            data = call_with_retries(functools.partial(self._record, uuid), sleep=self.sleep)

    def _record(self, uuid: str) -> dict[str, Any]:
        """GET /api/results/<uuid>: the record as it stands now (a GET, safe to repeat)."""
        response = send(
            self._client,
            "GET",
            f"{self.base_url}/api/results/{uuid}",
            provider=self.name,
            headers=self._headers(),
        )
        if response.status_code != 200:
            self.raise_for_response(response)
        return expect_json_object(response, self.name)

    def _download(
        self, keys: list[str], temporary_url: str | None
    ) -> tuple[list[bytes], list[str]]:
        """Every result: from the asset host, else the signed link where 1min.ai gave one (only
        the first result has one). Results that cannot be fetched are reported, not fatal,
        unless none can be: the feature call was billed, so it is never sent again."""
        images: list[bytes] = []
        missing: list[str] = []
        for i, key in enumerate(keys or [temporary_url or ""]):
            urls = [key if key.startswith(("http://", "https://")) else f"{self.asset_base}/{key}"]
            if i == 0 and temporary_url and temporary_url not in urls:
                urls.append(temporary_url)
            reasons: list[str] = []
            for url in urls:
                try:
                    images.append(self._fetch(url))
                    break
                except ProviderError as exc:
                    reasons.append(exc.message)
            else:
                if i > 0 or not temporary_url:
                    reasons.append("1min.ai gave no signed link for it")
                name = httpx.URL(key).path.lstrip("/") if "://" in key else key
                missing.append(f"result {i + 1} ({name}): {' '.join(reasons)}")
        if not images:
            raise ProviderError(
                "1min.ai made the image but Promptbrush could not download any result, so it "
                "was not sent again. " + " ".join(missing),
                permanent=True,
            )
        return images, missing

    def _fetch(self, url: str) -> bytes:
        """One download; a passing failure (429, 5xx, cut short) is tried once more, after the
        wait the host asks for (a GET is safe to repeat; the billed feature call never is)."""
        return call_with_retries(
            lambda: fetch_image(self._client, url, provider=self.name), attempts=2, sleep=self.sleep
        )

    # --- errors -----------------------------------------------------------------------------

    @classmethod
    def raise_for_response(cls, response: httpx.Response) -> NoReturn:
        status = response.status_code
        data = json_body(response)
        if not isinstance(data, dict):
            hint = (
                " (Cloudflare: the 1min.ai server did not answer in time)" if status == 522 else ""
            )
            raise ProviderError(
                f"1min.ai answered HTTP {status}{hint} with a body that is not JSON: "
                f"{body_snippet(response) or 'empty body'}",
                permanent=not is_retryable_status(status),
                retry_after=parse_retry_after(response.headers),
                status=status,
            )
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        code = data.get("errorCode") or data.get("code") or error.get("code") or ""
        message = str(data.get("message") or error.get("message") or "").strip()
        details = data.get("details")

        def fail(text: str, permanent: bool = True) -> NoReturn:
            raise ProviderError(
                text,
                permanent=permanent,
                retry_after=parse_retry_after(response.headers),
                status=status,
                response=data,
            )

        if status == 401:
            fail(
                f"1min.ai rejected the API key: {message or 'unauthorized'}. Check the 1min.ai key."
            )
        if status == 406 or code == "INSUFFICIENT_CREDITS":
            fail(f"Your 1min.ai team is out of credits: {message or 'not enough credits'}")
        if code == "UNSUPPORTED_MODEL":
            fail(
                f"The model is not supported by 1min.ai for this kind of edit ({message}). "
                "Pick another model."
            )
        if code == "EXTERNAL_API_RESPONSE_WITH_ERROR":
            extra = f" Details: {details}" if details else ""
            fail(f"The model behind 1min.ai rejected the request: {message or code}.{extra}")
        if status == 429:
            fail(f"1min.ai is rate limiting requests: {message or 'too many requests'}.", False)
        if status >= 500:
            fail(f"1min.ai had a server error (HTTP {status}): {message or code}.", False)
        fail(f"1min.ai refused the request (HTTP {status} {code}): {message}".rstrip(": "))


def _results(data: dict[str, Any]) -> tuple[list[str], str | None]:
    """Result keys and temporaryUrl from any of the known answer shapes; raises on an error
    reported inside a 200 (resultObject {code, message} or status FAILURE)."""
    record = data.get("aiRecord")
    if not isinstance(record, dict):
        record = data.get("data") if isinstance(data.get("data"), dict) else {}
    detail = record.get("aiRecordDetail")
    detail = detail if isinstance(detail, dict) else {}
    result = detail.get("resultObject", record.get("resultObject"))
    temporary_url = record.get("temporaryUrl") or data.get("temporaryUrl")
    if isinstance(result, dict) and (result.get("code") or result.get("message")):
        code, message = result.get("code", ""), result.get("message", "")
        if code == "INSUFFICIENT_CREDITS":
            raise ProviderError(f"Your 1min.ai team is out of credits: {message}", permanent=True)
        raise ProviderError(f"1min.ai reported an error: {code} {message}".strip(), permanent=True)
    # FAILURE is 1min.ai's polling word; FAILED is the aiRecord status of a compatible server
    if record.get("status") in ("FAILURE", "FAILED") or data.get("success") is False:
        reason = detail.get("responseObject") or record.get("error") or data.get("error") or ""
        raise ProviderError(f"1min.ai could not make the image. {reason}".strip(), permanent=True)
    if isinstance(result, str):
        result = [result]
    keys: list[str] = []
    for item in result if isinstance(result, list) else []:
        if isinstance(item, dict):
            item = item.get("url") or item.get("path") or item.get("key")
        if isinstance(item, str) and item:
            keys.append(item.lstrip("/") if not item.startswith("http") else item)
    if not keys and not isinstance(temporary_url, str):
        raise ProviderError("1min.ai answered without a result image.", permanent=True)
    return keys, temporary_url if isinstance(temporary_url, str) else None
