"""Records out of Promptbrush: JSON in 1min.ai's aiRecord shape and result images as a zip.

Both go through gallery.serializers.ai_record, the same serialiser as GET /api/features/<uuid>."""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from gallery.models import Record
from gallery.serializers import ai_record, with_ai_record_data

CHUNK = 500
MAX_SLUG = 60


def iter_json(records: QuerySet[Record], base_url: str) -> Iterator[str]:
    """`{"aiRecords": [...]}` in chunks, so a large export never sits in memory whole."""
    yield '{"aiRecords": ['
    for i, record in enumerate(with_ai_record_data(records).iterator(chunk_size=CHUNK)):
        yield ("," if i else "") + json.dumps(ai_record(record, base_url), separators=(",", ":"))
    yield "]}\n"


def folder_name(record: Record, taken: set[str]) -> str:
    """`2026-12-01_14-30_a-red-door`: when and what, as a person looks for it in a file
    browser (the uuid is in the manifest). A second record with the same name gets `-2`."""
    when = timezone.localtime(record.created).strftime("%Y-%m-%d_%H-%M")
    what = slugify(record.prompt)[:MAX_SLUG].rstrip("-") or slugify(record.get_type_display())
    name, n = f"{when}_{what}", 1
    while name in taken:
        n += 1
        name = f"{when}_{what}-{n}"
    taken.add(name)
    return name


def build_zip(records: QuerySet[Record], base_url: str) -> IO[bytes]:
    """Every result image of the records, named <date>_<prompt>/<position>.<ext>, and a
    manifest.json listing, for each record, its files and its aiRecord.
    Built in a temporary file (spilled to disk past 16 MB) and returned rewound."""
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (returned open)
    manifest = []
    taken: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for record in with_ai_record_data(records).iterator(chunk_size=CHUNK):
            files = []
            folder = folder_name(record, taken)
            for image in record.images.all():
                name = f"{folder}/{image.position + 1}.{image.image.extension}"
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
