"""Records out of Promptbrush: JSON in 1min.ai's aiRecord shape and result images as a zip."""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Prefetch, QuerySet

from gallery.models import Record, RecordImage

CHUNK = 500


def for_export(records: QuerySet[Record]) -> QuerySet[Record]:
    images = RecordImage.objects.select_related("image").order_by("position")
    return records.select_related("user", "team").prefetch_related(
        Prefetch("images", queryset=images)
    )


def serialize_record(record: Record) -> dict[str, Any]:
    """One record as an aiRecord (1min.ai's field names, plus provider, error and cost)."""
    return {
        "uuid": str(record.code),
        "userId": str(record.user.code),
        "teamId": str(record.team.code),
        "model": record.model,
        "type": record.type,
        "provider": record.provider,
        "status": record.status,
        "rating": record.rating,
        "feedback": record.feedback,
        "reviewTags": record.review_tags or [],
        "conversationId": str(record.conversation_id) if record.conversation_id else None,
        "createdAt": record.created.isoformat(),
        "aiRecordDetail": {
            "promptObject": record.prompt_object,
            "resultObject": [image.image.path for image in record.images.all()],
            "responseObject": record.response_object,
        },
        "metadata": record.metadata,
        "additionalData": record.additional_data,
        "error": record.error or None,
        "cost": record.cost,
    }


def iter_json(records: QuerySet[Record]) -> Iterator[str]:
    """`{"aiRecords": [...]}` in chunks, so a large export never sits in memory whole."""
    yield '{"aiRecords": ['
    for i, record in enumerate(for_export(records).iterator(chunk_size=CHUNK)):
        yield ("," if i else "") + json.dumps(serialize_record(record), separators=(",", ":"))
    yield "]}\n"


def build_zip(records: QuerySet[Record]) -> IO[bytes]:
    """Every result image of the records, named <record uuid>/<position>.<ext>, and a
    manifest.json that says which prompt, provider and rating each file came from.
    Built in a temporary file (spilled to disk past 16 MB) and returned rewound."""
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (returned open)
    manifest = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for record in for_export(records).iterator(chunk_size=CHUNK):
            files = []
            for image in record.images.all():
                name = f"{record.code}/{image.position + 1}.{image.image.extension}"
                try:
                    with image.image.file.open("rb") as handle:
                        archive.writestr(name, handle.read())
                except FileNotFoundError:
                    continue
                files.append(name)
            manifest.append(
                {
                    "uuid": str(record.code),
                    "type": record.type,
                    "provider": record.provider,
                    "model": record.model,
                    "prompt": record.prompt,
                    "rating": record.rating,
                    "feedback": record.feedback,
                    "createdAt": record.created.isoformat(),
                    "files": files,
                }
            )
        archive.writestr("manifest.json", json.dumps({"records": manifest}, indent=2))
    out.seek(0)
    return out
