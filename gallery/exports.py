"""Records out of Promptbrush: JSON in 1min.ai's aiRecord shape and result images as a zip.

Both go through gallery.serializers.ai_record, the same serialiser as GET /api/features/<uuid>."""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO

from django.db.models import QuerySet

from gallery.models import Record
from gallery.serializers import ai_record, with_ai_record_data

CHUNK = 500


def iter_json(records: QuerySet[Record], base_url: str) -> Iterator[str]:
    """`{"aiRecords": [...]}` in chunks, so a large export never sits in memory whole."""
    yield '{"aiRecords": ['
    for i, record in enumerate(with_ai_record_data(records).iterator(chunk_size=CHUNK)):
        yield ("," if i else "") + json.dumps(ai_record(record, base_url), separators=(",", ":"))
    yield "]}\n"


def build_zip(records: QuerySet[Record], base_url: str) -> IO[bytes]:
    """Every result image of the records, named <record uuid>/<position>.<ext>, and a
    manifest.json listing, for each record, its files and its aiRecord.
    Built in a temporary file (spilled to disk past 16 MB) and returned rewound."""
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (returned open)
    manifest = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for record in with_ai_record_data(records).iterator(chunk_size=CHUNK):
            files = []
            for image in record.images.all():
                name = f"{record.code}/{image.position + 1}.{image.image.extension}"
                try:
                    with image.image.file.open("rb") as handle:
                        archive.writestr(name, handle.read())
                except FileNotFoundError:
                    continue
                files.append(name)
            manifest.append({"files": files, "aiRecord": ai_record(record, base_url)})
        archive.writestr("manifest.json", json.dumps({"records": manifest}, indent=2))
    out.seek(0)
    return out
