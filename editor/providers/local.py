"""Local inpainting with OpenCV: no key, no network, fills the masked area from its surroundings.

Big images are inpainted at most `MAX_SIDE` px on the long side; the engine pastes the result
back into the full-resolution original inside the mask.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import cv2
import httpx
import numpy as np
from PIL import Image

from .base import (
    IMAGE_INPAINTER,
    EditRequest,
    EditResult,
    ModelSpec,
    Param,
    Provider,
    ProviderError,
)

MAX_SIDE = 2048
_RADIUS = (Param("radius", 5, min=1, max=25, label="Radius (px)"),)
_FLAGS = {"telea": cv2.INPAINT_TELEA, "navier-stokes": cv2.INPAINT_NS}


class LocalProvider(Provider):
    id = "local"
    name = "Local (OpenCV)"
    reads_prompt = False
    note = (
        "Local inpainting fills the painted area from its surroundings; "
        "it does not read the prompt."
    )
    models = (
        ModelSpec("telea", (IMAGE_INPAINTER,), _RADIUS, label="Telea"),
        ModelSpec("navier-stokes", (IMAGE_INPAINTER,), _RADIUS, label="Navier-Stokes"),
    )

    def __init__(
        self,
        client: httpx.Client | None = None,
        api_key: str = "",
        base_url: str = "",
        *,
        models: Iterable[ModelSpec] | None = None,
    ) -> None:
        super().__init__(client, api_key, base_url, models=models)

    def edit(self, req: EditRequest) -> EditResult:
        self.check_request(req)
        if req.type != IMAGE_INPAINTER:
            raise ProviderError("The local provider only inpaints a painted area.", permanent=True)
        flag = _FLAGS.get(req.model)
        if flag is None:
            raise ProviderError(
                f"The local provider has no model {req.model!r}; use telea or navier-stokes.",
                permanent=True,
            )
        radius = _radius(req.params.get("radius", 5))
        assert req.mask is not None  # checked by check_request
        try:
            with Image.open(io.BytesIO(req.images[0])) as img:
                img.load()
                source = img.convert("RGBA") if "A" in img.getbands() else img.convert("RGB")
        except (OSError, ValueError) as exc:
            raise ProviderError(
                f"The source image could not be read: {exc}", permanent=True
            ) from exc
        pixels = np.asarray(source)
        if req.mask.shape != pixels.shape[:2]:
            raise ProviderError(
                f"The mask is {req.mask.shape[1]}x{req.mask.shape[0]} but the image is "
                f"{pixels.shape[1]}x{pixels.shape[0]}.",
                permanent=True,
            )
        mask = np.where(req.mask > 127, 255, 0).astype(np.uint8)
        if not mask.any():
            raise ProviderError("The mask is empty: paint the area to change.", permanent=True)

        h, w = mask.shape
        scale = min(1.0, MAX_SIDE / max(h, w))
        if scale < 1.0:
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
            mask = cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
            mask = np.where(mask > 0, 255, 0).astype(np.uint8)  # keep every painted pixel

        out = np.empty_like(pixels)
        out[..., :3] = cv2.inpaint(np.ascontiguousarray(pixels[..., :3]), mask, radius, flag)
        if pixels.shape[2] == 4:
            out[..., 3] = cv2.inpaint(np.ascontiguousarray(pixels[..., 3]), mask, radius, flag)
        buf = io.BytesIO()
        Image.fromarray(out, source.mode).save(buf, "PNG")
        response: dict[str, Any] = {
            "model": req.model,
            "radius": radius,
            "size": f"{out.shape[1]}x{out.shape[0]}",
            "scaled": scale < 1.0,
        }
        return EditResult(images=[buf.getvalue()], response=response)


def _radius(value: Any) -> int:
    try:
        radius = int(value)
    except (TypeError, ValueError):
        raise ProviderError("The radius must be a whole number.", permanent=True) from None
    if not 1 <= radius <= 25:
        raise ProviderError("The radius must be between 1 and 25.", permanent=True)
    return radius
