"""The one error type for what a user can fix.

Every layer raises it or a subclass: the pure image engine (ImageError, MaskError), the edit
services (EditRejected), the URL fetcher (FetchRefused) and the JSON API (ApiError). Forms and
pages render it with `form.add_error(field, message)`, the API as
`{"error": {"message", "field"}}`. It lives here, outside every app and free of Django, so the
engine can raise it without importing Django and the API can catch it without importing the
engine.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """`field` names the input to fix (None: the request as a whole); `message` says how, in
    plain words."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
