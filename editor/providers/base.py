"""The contract every provider adapter implements.

Adapters turn an EditRequest into HTTP calls and the answer into an EditResult. They never touch
the ORM, credits or the web request: the job in editor.services does that.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, NoReturn

import httpx
import numpy as np
from PIL import Image

from editor.engine import masks

from .discovery import ListedModel
from .spec import (  # re-exported: adapters and services import them from here
    IMAGE_EDITOR,
    IMAGE_GENERATOR,
    IMAGE_INPAINTER,
    IMAGE_VARIATOR,
    RECORD_TYPES,
    ModelSpec,
    Param,
)

__all__ = [
    "IMAGE_EDITOR",
    "IMAGE_GENERATOR",
    "IMAGE_INPAINTER",
    "IMAGE_VARIATOR",
    "RECORD_TYPES",
    "EditRequest",
    "EditResult",
    "ModelSpec",
    "Param",
    "Provider",
    "ProviderError",
]


class ProviderError(Exception):
    """A provider call failed. `permanent` errors are never retried (bad key, policy, 4xx)."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
        response: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.status = status
        self.response = response
        self.request_ids: list[str] = []  # the provider's ids of the calls made so far
        # Set once a billable request was accepted: what the provider has, in words for the
        # user (http.not_sent_again), so a later deadline can say it again.
        self.accepted = ""


class StoppedWaiting(ProviderError):
    """Promptbrush gave up (a job still running past its time, a Retry-After too long to wait,
    an answer pointing at a private address), not the provider refusing: permanent, yet a job
    the provider already accepted may still finish and be billed. `reason` is the message
    without its advice ("try again after ..."), which would be wrong once the job was accepted
    (after_acceptance)."""

    def __init__(self, message: str, *, reason: str = "", **kwargs: Any) -> None:
        super().__init__(message, permanent=True, **kwargs)
        self.reason = reason or message


@dataclass
class EditRequest:
    """Everything an adapter needs for one call. Images are PNG bytes already normalised."""

    type: str
    model: str
    prompt: str
    params: dict[str, Any] = field(default_factory=dict)  # size, n, quality, output_format, ...
    images: list[bytes] = field(default_factory=list)  # PNG bytes; first one is the source
    # Canonical edit strength: uint8 array HxW at the first image's size, 255 = edit, 0 = keep.
    mask: np.ndarray | None = None


@dataclass
class EditResult:
    images: list[bytes]  # encoded image bytes as the provider sent them, one per result
    response: dict[str, Any] = field(default_factory=dict)  # raw provider JSON, images elided
    usage: dict[str, Any] = field(default_factory=dict)  # token counts as reported (OpenAI)
    remaining_credits: str | None = None
    cost: float | None = None  # what the provider says the call cost, in USD (Segmind x-cost)
    request_ids: list[str] = field(default_factory=list)  # one per call, in order
    # Results the provider made that could not be fetched, as "result 3 (key): why".
    missing: list[str] = field(default_factory=list)


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the image header, or None when it cannot be read."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except (OSError, ValueError):
        return None


# Mask conventions: (converter from editor.engine.masks, the words a user reads before sending).
MASK_FORMATS: dict[str, tuple[Callable[[np.ndarray], bytes], str]] = {
    "alpha": (
        masks.to_alpha_png,
        "PNG with an alpha channel: fully transparent where the model may paint, opaque elsewhere",
    ),
    "white_on_black": (
        masks.to_white_on_black_png,
        "Greyscale PNG: white where the model may paint, black where it must keep, grey between",
    ),
}


class Provider:
    """Base class: one subclass per provider module.

    `models` is the seeded catalogue; pass `models=` to the constructor to use an extended one
    (see editor.providers.extend_models).
    """

    id: ClassVar[str]
    name: ClassVar[str]
    # Settings name of the instance-wide key (the fallback for teams without their own);
    # "" for a provider that needs no key.
    key_setting: ClassVar[str] = ""
    # Constructor keyword -> settings name, for every endpoint the adapter calls.
    url_settings: ClassVar[Mapping[str, str]] = {}
    # A team may point `base_url` at a compatible proxy of its own.
    team_base_url: ClassVar[bool] = False
    # False for adapters that ignore the prompt (an empty prompt is then fine).
    reads_prompt: ClassVar[bool] = True
    # Fills the mask from the image's unpainted pixels (local): a mask with none left is
    # refused when the edit is sent, not run into a failed record (services.plan).
    fills_from_rest: ClassVar[bool] = False
    # The provider publishes its model list (`list_models`); `official_host` is its own host,
    # anything else is a compatible proxy (see editor.providers.discovery).
    lists_models: ClassVar[bool] = False
    official_host: ClassVar[str] = ""
    models: tuple[ModelSpec, ...] = ()  # class-level seed; an instance may carry its own
    note: ClassVar[str] = ""  # plain words shown next to the provider (e.g. what it ignores)
    # How the mask travels upstream: a key of MASK_FORMATS, or "" when it stays on this machine.
    mask_format: ClassVar[str] = ""

    def __init__(
        self,
        client: httpx.Client | None,
        api_key: str = "",
        base_url: str = "",
        *,
        models: Iterable[ModelSpec] | None = None,
    ) -> None:
        self.client = client
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        if models is not None:
            self.models = tuple(models)
        self.request_ids: list[str] = []
        if client is not None:  # every answer's request id, uploads and polls included
            client.event_hooks = {
                **client.event_hooks,
                "response": [*client.event_hooks["response"], self._note_response],
            }

    def _note_response(self, response: httpx.Response) -> None:
        self.note_request_id(response.headers.get("x-request-id"))

    def note_request_id(self, request_id: Any) -> None:
        if isinstance(request_id, str) and request_id and request_id not in self.request_ids:
            self.request_ids.append(request_id)

    def call(self, req: EditRequest) -> EditResult:
        """`edit`, with the request ids of every call made attached to the result or error."""
        try:
            result = self.edit(req)
        except ProviderError as exc:
            exc.request_ids = list(self.request_ids)
            raise
        result.request_ids = list(self.request_ids)
        return result

    @classmethod
    def needs_key(cls) -> bool:
        return bool(cls.key_setting)

    @classmethod
    def from_settings(
        cls,
        settings: Any,
        client: httpx.Client | None,
        *,
        api_key: str = "",
        base_url: str = "",
        models: Iterable[ModelSpec] | None = None,
    ) -> Provider:
        """An adapter with its endpoints from `settings` (django.conf.settings or any object
        with those attributes); a team's `base_url` wins where the adapter allows one."""
        urls = {keyword: getattr(settings, name) for keyword, name in cls.url_settings.items()}
        if base_url and cls.team_base_url:
            urls["base_url"] = base_url
        return cls(client, api_key, models=models, **urls)

    @classmethod
    def is_official(cls, base_url: str) -> bool:
        return httpx.URL(base_url).host == cls.official_host

    @classmethod
    def fit_model(cls, model_id: str) -> ModelSpec:
        """The declaration for a model the provider lists but the catalogue does not seed."""
        raise NotImplementedError(f"{cls.name} publishes no model list.")

    def list_models(self) -> list[ListedModel] | None:
        """The provider's model list; None when the base URL has no list (a proxy without
        /models). Raises ProviderError for a refused key or a broken answer."""
        raise NotImplementedError(f"{self.name} publishes no model list.")

    def model_spec(self, model_id: str) -> ModelSpec | None:
        return next((m for m in self.models if m.id == model_id), None)

    def upstream_mask(self, model: str, mask: np.ndarray) -> bytes:
        """The mask file exactly as this provider receives it (also shown before sending)."""
        convert, _words = MASK_FORMATS[self.mask_format]
        spec = self.model_spec(model)
        if spec is not None and spec.inverse_mask:
            mask = 255 - mask
        return encode_mask(convert, mask)

    def edit(self, req: EditRequest) -> EditResult:
        raise NotImplementedError

    def check_request(self, req: EditRequest) -> ModelSpec | None:
        """The model's spec (None for a model outside the catalogue, sent as given); raises a
        permanent ProviderError when the request cannot be sent at all."""
        spec = self.model_spec(req.model)
        if spec is not None and req.type not in spec.types:
            raise ProviderError(
                f"{self.name} model {req.model} does not do {req.type}; "
                f"it does {', '.join(spec.types)}.",
                permanent=True,
            )
        if req.type != IMAGE_GENERATOR and not req.images:
            raise ProviderError(f"{req.type} needs a source image.", permanent=True)
        if req.type == IMAGE_INPAINTER:
            if req.mask is None:
                raise ProviderError("Inpainting needs a mask.", permanent=True)
            if not req.mask.any():
                raise ProviderError("The mask is empty: paint the area to change.", permanent=True)
            size = _image_size(req.images[0])
            if size is not None and req.mask.shape != (size[1], size[0]):
                raise ProviderError(
                    f"The mask is {req.mask.shape[1]}x{req.mask.shape[0]} but the image is "
                    f"{size[0]}x{size[1]}; they must be the same size.",
                    permanent=True,
                )
        return spec

    def request_params(self, req: EditRequest, spec: ModelSpec | None) -> dict[str, Any]:
        """The parameters to send: those the model declares for this record type (request value,
        else default; None is left out). A model outside the catalogue gets req.params as given.
        `output_compression` goes only with jpeg/webp output."""
        if spec is None:
            out = {k: v for k, v in req.params.items() if v is not None}
        else:
            out = {}
            for p in spec.params_for(req.type):
                value = req.params.get(p.name, p.default)
                if value is not None:
                    out[p.name] = value
        if str(out.get("output_format", "")).lower() not in ("jpeg", "jpg", "webp"):
            out.pop("output_compression", None)
        return out

    @classmethod
    def raise_for_response(cls, response: httpx.Response) -> NoReturn:
        """The only place that reads the provider's error body; always raises ProviderError."""
        raise ProviderError(
            f"{cls.name} answered HTTP {response.status_code}.",
            permanent=response.status_code < 500 and response.status_code not in (408, 409, 429),
            status=response.status_code,
        )


def encode_mask(convert: Callable[[np.ndarray], bytes], mask: np.ndarray) -> bytes:
    """Run a converter from editor.engine.masks; its ValueError becomes permanent."""
    try:
        return convert(mask)
    except ValueError as exc:
        raise ProviderError(str(exc), permanent=True) from exc
