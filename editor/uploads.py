"""One upload limit, MAX_UPLOAD_MB, for every file anyone sends (pages and API alike).

`UploadLimitHandler` is the first of FILE_UPLOAD_HANDLERS: it counts each file's bytes as
they arrive and stops the upload as soon as one passes the limit, so nothing over it is ever
stored, whatever view asked for request.FILES. The view then reads `refused_field(request)` and
answers with `too_large_message()` on that field. The API also refuses a declared
Content-Length over the limit before reading the body at all (`declared_too_large`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

# Room for the multipart framing and the small text fields sent next to the file.
MULTIPART_SLACK = 256 * 1024


def limit_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def too_large_message(size: int | None = None) -> str:
    what = f"This file is {size / 1024 / 1024:.1f} MB" if size else "This file is too large"
    return f"{what}; the limit is {settings.MAX_UPLOAD_MB} MB."


def declared_too_large(request: HttpRequest) -> bool:
    """The body's declared length is over the limit: refuse before reading a byte of it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > limit_bytes() + MULTIPART_SLACK


def refused_field(request: HttpRequest) -> str | None:
    """The form field whose file was stopped at the limit, if any."""
    return getattr(request, "_upload_over_limit", None)


class UploadLimitHandler(FileUploadHandler):
    """Stops the upload at the first file over MAX_UPLOAD_MB; later handlers store the rest."""

    def new_file(self, field_name, *args, **kwargs) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > limit_bytes():
            self.request._upload_over_limit = self.field_name
            # Fields already read (the CSRF token comes first) stay; the rest is drained.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
