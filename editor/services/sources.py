"""Source images for jobs, read and decoded once per worker process and kept for the next job,
with the PNG bands their pasted-back results share with them.

A designer's loop runs many edits on one picture (variants, a retry with another prompt,
another provider), and every job needs the source decoded (paste-back, drift) and often its
stored bytes as they are (sent upstream unchanged). Decoding a 1536x1024 PNG costs ~30 ms of
CPU and reading it from S3 a round trip, so the last few sources stay in memory, bounded by
SOURCE_CACHE_BYTES (setting; 0 turns the cache off).

An asset's file never changes after upload (a new image is a new asset), so its random code and
file name identify the bytes for good. The cached pixels are read-only: a job that tried to
write into them would fail loudly rather than corrupt the next job's source.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.conf import settings

from editor.engine import codec
from gallery.models import Asset
from gallery.services import read_asset

_lock = threading.Lock()
_entries: OrderedDict[tuple[str, str], tuple[bytes, codec.Decoded]] = OrderedDict()
# The source's PNG bands (png_writer.Band) as edits of it find them: a pasted-back result
# equals its source outside the edited rows, so those bands are compressed once per source.
_bands: dict[tuple[str, str], dict] = {}
_held = 0


def _key(asset: Asset) -> tuple[str, str]:
    return (str(asset.code), asset.file.name)


def _cost(entry: tuple[bytes, codec.Decoded]) -> int:
    # The bands, when all are there, take about the stored PNG's size again.
    return 2 * len(entry[0]) + entry[1].pixels.nbytes


def source_bands(asset: Asset) -> dict:
    """The source's PNG bands kept so far, to read and add to (png_writer.encode's same_as);
    a fresh dict, forgotten after use, when the source is not kept."""
    with _lock:
        return _bands.get(_key(asset), {})


def decoded_source(asset: Asset) -> tuple[bytes, codec.Decoded]:
    """The asset's stored bytes and its decoded pixels (raises images.ImageError as decode)."""
    global _held
    key = _key(asset)
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
            return entry
    data = read_asset(asset, "image")
    decoded = codec.decode(data)
    decoded.pixels.flags.writeable = False
    entry = (data, decoded)
    limit = int(getattr(settings, "SOURCE_CACHE_BYTES", 0))
    if _cost(entry) > limit:
        return entry
    with _lock:
        if key not in _entries:
            _entries[key] = entry
            _bands[key] = {}
            _held += _cost(entry)
        while _held > limit and _entries:
            old, dropped = _entries.popitem(last=False)
            _bands.pop(old, None)
            _held -= _cost(dropped)
    return entry
