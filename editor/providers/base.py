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

IMAGE_GENERATOR = "IMAGE_GENERATOR"
IMAGE_EDITOR = "IMAGE_EDITOR"
IMAGE_INPAINTER = "IMAGE_INPAINTER"
RECORD_TYPES = (IMAGE_GENERATOR, IMAGE_EDITOR, IMAGE_INPAINTER)


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


@dataclass(frozen=True)
class Param:
    """One request parameter a model accepts, with its allowed values and default."""

    name: str
    default: Any = None
    choices: tuple[Any, ...] | None = None
    min: int | None = None
    max: int | None = None
    label: str = ""
    # Record types this parameter applies to; None = every type the model serves.
    types: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "default": self.default}
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        if self.label:
            out["label"] = self.label
        if self.types is not None:
            out["types"] = list(self.types)
        return out

    def applies_to(self, record_type: str) -> bool:
        return self.types is None or record_type in self.types

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Param:
        """Build a Param from admin JSON; unknown keys are an error (they are usually typos)."""
        _check_keys(data, {"name", "default", "choices", "min", "max", "label", "types"}, "param")
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError("A param needs a non-empty string 'name'.")
        choices = data.get("choices")
        if choices is not None and not isinstance(choices, list | tuple):
            raise ValueError(f"Param {name!r}: 'choices' must be a list.")
        for bound in ("min", "max"):
            if data.get(bound) is not None and not isinstance(data[bound], int | float):
                raise ValueError(f"Param {name!r}: {bound!r} must be a number.")
        types = data.get("types")
        return cls(
            name=name,
            default=data.get("default"),
            choices=tuple(choices) if choices is not None else None,
            min=data.get("min"),
            max=data.get("max"),
            label=str(data.get("label") or ""),
            types=_record_types(types, f"param {name!r}") if types is not None else None,
        )


def _check_keys(data: Mapping[str, Any], allowed: set[str], what: str) -> None:
    if not isinstance(data, Mapping):
        raise ValueError(f"Each {what} must be a JSON object.")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"Unknown {what} field(s): {', '.join(unknown)}.")


def _record_types(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"{what}: 'types' must be a list of record types.")
    types = tuple(value)
    bad = [t for t in types if t not in RECORD_TYPES]
    if bad or not types:
        raise ValueError(
            f"{what}: 'types' must be a non-empty subset of {', '.join(RECORD_TYPES)}."
        )
    return types


@dataclass(frozen=True)
class ModelSpec:
    """A model a provider serves: which record types, which parameters, which limits."""

    id: str
    types: tuple[str, ...]
    params: tuple[Param, ...] = ()
    label: str = ""
    max_side: int = 4096
    free_size: bool = False  # accepts any WxH (multiple of 16) instead of the three fixed sizes
    inverse_mask: bool = False  # the provider reads white = keep, black = edit (1min.ai Ideogram)
    max_images: int = 1  # how many input images an edit may carry (the first is the source)

    def param(self, name: str, record_type: str | None = None) -> Param | None:
        return next(
            (
                p
                for p in self.params
                if p.name == name and (record_type is None or p.applies_to(record_type))
            ),
            None,
        )

    def params_for(self, record_type: str) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.applies_to(record_type))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label or self.id,
            "types": list(self.types),
            "params": [p.as_dict() for p in self.params],
            "max_side": self.max_side,
            "free_size": self.free_size,
            "max_images": self.max_images,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelSpec:
        """Build a ModelSpec from admin JSON (see editor.providers.catalogue_from_spec)."""
        allowed = {"id", "types", "params", "label", "max_side", "free_size", "inverse_mask"}
        _check_keys(data, allowed | {"max_images"}, "model")
        model_id = data.get("id")
        if not isinstance(model_id, str) or not model_id.strip():
            raise ValueError("A model needs a non-empty string 'id'.")
        params = data.get("params") or []
        if not isinstance(params, list):
            raise ValueError(f"Model {model_id!r}: 'params' must be a list.")
        spec = cls(
            id=model_id.strip(),
            types=_record_types(data.get("types"), f"model {model_id!r}"),
            params=tuple(Param.from_dict(p) for p in params),
            label=str(data.get("label") or ""),
            max_side=int(data.get("max_side", 4096)),
            free_size=bool(data.get("free_size", False)),
            inverse_mask=bool(data.get("inverse_mask", False)),
            max_images=int(data.get("max_images", 1)),
        )
        for record_type in spec.types:
            names = [p.name for p in spec.params_for(record_type)]
            if len(names) != len(set(names)):
                raise ValueError(
                    f"Model {model_id!r}: a param name appears twice for {record_type}."
                )
        return spec


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
    usage: dict[str, Any] = field(default_factory=dict)
    remaining_credits: str | None = None


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
