"""The contract every provider adapter implements.

Adapters turn an EditRequest into HTTP calls and the answer into an EditResult. They never touch
the ORM, credits or the web request: the job in editor.services does that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx
import numpy as np

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

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "default": self.default}
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        return out


@dataclass(frozen=True)
class ModelSpec:
    """A model a provider serves: which record types, which parameters, which limits."""

    id: str
    types: tuple[str, ...]
    params: tuple[Param, ...] = ()
    label: str = ""
    max_side: int = 4096
    free_size: bool = False  # accepts any WxH (multiple of 16) instead of the three fixed sizes

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


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


class Provider:
    """Base class: one subclass per provider module."""

    id: ClassVar[str]
    name: ClassVar[str]
    needs_key: ClassVar[bool] = True
    models: ClassVar[tuple[ModelSpec, ...]] = ()

    def __init__(self, client: httpx.Client | None, api_key: str = "", base_url: str = "") -> None:
        self.client = client
        self.api_key = api_key
        self.base_url = base_url

    def edit(self, req: EditRequest) -> EditResult:
        raise NotImplementedError
