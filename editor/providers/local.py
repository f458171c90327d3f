"""The `local` provider: fills the painted area from the rest of the image on this machine.

No key, no network, and it ignores the prompt. A thin adapter over editor.engine.fill, which
holds the algorithms: PatchMatch by default (keeps texture), Telea and Navier-Stokes for thin
scratches. The fill comes back at the size it was sent, changed only inside the mask.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import httpx

from editor.engine import codec, fill, images

from .base import (
    IMAGE_INPAINTER,
    EditRequest,
    EditResult,
    ModelSpec,
    Param,
    Provider,
    ProviderError,
)

# A fill keeps a core busy for seconds; the worker's threads mostly wait on the network. At
# most one fill search per core runs at a time, process-wide (a fill of several regions may
# take several); a thread over the bound waits for a slot (the searches release the GIL, so
# the other jobs keep flowing meanwhile).
FILL_SLOTS = threading.BoundedSemaphore(fill.cores())

_RADIUS = (Param("radius", 5, min=1, max=25, label="Radius (px)"),)


class LocalProvider(Provider):
    id = "local"
    name = "Local (OpenCV)"
    reads_prompt = False
    fills_from_rest = True
    note = (
        "Local inpainting fills the painted area from its surroundings; "
        "it does not read the prompt."
    )
    models = (
        ModelSpec("patchmatch", (IMAGE_INPAINTER,), label="PatchMatch (objects, textures)"),
        ModelSpec("telea", (IMAGE_INPAINTER,), _RADIUS, label="Telea (thin scratches)"),
        ModelSpec(
            "navier-stokes", (IMAGE_INPAINTER,), _RADIUS, label="Navier-Stokes (thin scratches)"
        ),
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
        """Fill the mask (every pixel with any edit strength; the job blends the feathered
        edge). `req.prompt` is not read: this provider has no model that understands text."""
        self.check_request(req)
        if req.type != IMAGE_INPAINTER:
            raise ProviderError("The local provider only inpaints a painted area.", permanent=True)
        if req.model not in fill.METHODS:
            raise ProviderError(
                f"The local provider has no model {req.model!r}; use {', '.join(fill.METHODS)}.",
                permanent=True,
            )
        radius = _radius(req.params.get("radius", 5))
        assert req.mask is not None  # checked by check_request
        try:
            source = codec.decode(req.images[0])
        except images.ImageError as exc:
            raise ProviderError(
                f"The source image could not be read: {exc.message}", permanent=True
            ) from exc
        width, height = source.size
        response: dict[str, Any] = {"model": req.model, "size": f"{width}x{height}"}
        try:
            if req.model == "patchmatch":
                plan = fill.plan(req.mask)
                work = plan.work_size(width, height)
                response |= {
                    "workSize": f"{work[0]}x{work[1]}",
                    "scaled": work != source.size,
                    "regions": len(plan.regions),
                }
            else:
                plan = None
                response["radius"] = radius
            out = fill.fill(
                source.pixels, req.mask, req.model, radius=radius, slots=FILL_SLOTS, fill_plan=plan
            )
        except fill.FillError as exc:
            raise ProviderError(exc.message, permanent=True) from exc
        # The job's own PNG writer, profile included: the fill is the job's result to store.
        return EditResult(images=[codec.encode_png(out, source.icc_profile)], response=response)


def _radius(value: Any) -> int:
    try:
        radius = int(value)
    except (TypeError, ValueError):
        raise ProviderError("The radius must be a whole number.", permanent=True) from None
    if not 1 <= radius <= 25:
        raise ProviderError("The radius must be between 1 and 25.", permanent=True)
    return radius
