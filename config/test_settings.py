"""Test settings: the base settings with a fast hasher, temp storage and plain static files."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="promptbrush-test-"))

from config.settings import *  # noqa: F403
from config.settings import DATABASES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="promptbrush-media-"))
if STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    STORAGES["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": "/media/"},
    }

_test_url = os.environ.get("TEST_DATABASE_URL")
if _test_url:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(_test_url)}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

WHITENOISE_AUTOREFRESH = True  # no collectstatic before tests

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file rather than shared-cache memory, so threads meet WAL, IMMEDIATE transactions and
    # busy_timeout as in production (shared-cache memory fails at once with "table is locked").
    _test_db = Path(tempfile.mkdtemp(prefix="promptbrush-testdb-")) / "test.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}
