"""What goes upstream for one record: the sources normalised and capped to the model's limit,
and the mask prepared with the record's options at the size the provider receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from editor import catalogue
from editor.engine import codec, images, masks, renditions
from editor.providers.base import IMAGE_INPAINTER, EditRequest
from editor.services.params import NOT_PARAMS
from editor.services.sources import decoded_source
from gallery.models import Record
from gallery.services import read_asset


@dataclass
class Prepared:
    request: EditRequest
    original: codec.Decoded | None = None  # the full-resolution source, decoded once
    mask_full: np.ndarray | None = None  # prepared (inverted/grown/feathered) at full size
    extra: dict[str, Any] = field(default_factory=dict)


VARIATION_PROMPT = (
    "Make a variation of this image: keep its subject, composition, style and colours, "
    "and vary the details naturally, as a second take of the same picture."
)


def variation_prompt(prompt: str) -> str:
    """What an edit model is told when it stands in for a variations endpoint it lacks."""
    return f"{VARIATION_PROMPT} {prompt.strip()}".strip()


def canonical_mask(record: Record, size: tuple[int, int], data: bytes | None = None) -> np.ndarray:
    """The record's mask at `size` with its options applied (`data`: its bytes, if read)."""
    options = record.options or {}
    assert record.mask is not None
    return masks.prepare(
        masks.load_mask(data if data is not None else read_asset(record.mask), size),
        invert=bool(options.get("invert")),
        grow=int(options.get("grow") or 0),
        feather=int(options.get("feather") or 0),
    )


def prepare(record: Record) -> Prepared:
    """The EditRequest for `record`, with what paste-back needs afterwards."""
    spec = catalogue.model_spec(record.provider, record.model, record.team_id)
    max_side = spec.max_side if spec is not None else images.FREE_MAX_SIDE
    params = {k: v for k, v in record.prompt_object.items() if k not in NOT_PARAMS}
    sent_type, prompt = record.type, record.prompt
    if spec is not None and spec.runs_as(record.type) != record.type:
        sent_type, prompt = spec.runs_as(record.type) or record.type, variation_prompt(prompt)
    prepared = Prepared(EditRequest(sent_type, record.model, prompt, params))
    if record.source is None:
        return prepared
    source_bytes, original = decoded_source(record.source)
    upstream = renditions.shrink(original.pixels, max_side)
    prepared.original = original
    if upstream is original.pixels and _plain_colour_png(record.source.content_type, source_bytes):
        prepared.request.images.append(source_bytes)  # stored as a plain PNG on upload
    else:
        prepared.request.images.append(codec.encode_png(upstream, original.icc_profile))
    for asset in record.extra_images.all().order_by("id"):
        extra = codec.decode(read_asset(asset, "extra_images"))
        shrunk = renditions.shrink(extra.pixels, max_side)
        prepared.request.images.append(codec.encode_png(shrunk, extra.icc_profile))
    if record.type == IMAGE_INPAINTER:
        mask_bytes = read_asset(record.mask, "mask")
        prepared.mask_full = canonical_mask(record, original.size, mask_bytes)
        if upstream.shape[:2] == original.pixels.shape[:2]:
            prepared.request.mask = prepared.mask_full
        else:  # grow and feather at the size sent, from the same bytes
            upstream_size = (upstream.shape[1], upstream.shape[0])
            prepared.request.mask = canonical_mask(record, upstream_size, mask_bytes)
    return prepared


def _plain_colour_png(content_type: str, data: bytes) -> bool:
    """A stored PNG providers can take as it is: RGB or RGBA (a greyscale upload is kept as it
    came, and some edit endpoints refuse a greyscale image)."""
    return content_type == "image/png" and images.open_header(data).mode in ("RGB", "RGBA")
