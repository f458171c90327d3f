"""Promptbrush settings. Every value comes from the environment; see README and .env.example."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import (
    env_bool,
    env_int,
    env_json,
    env_list,
    env_secret,
    env_str,
    persistent_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data"))).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY") or persistent_secret_key(DATA_DIR)
# Old keys keep existing sessions and signed links valid while SECRET_KEY is rotated.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Absolute links (temporaryUrl) use this origin when set; otherwise the request's host.
SITE_URL = env_str("SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "accounts",
    "gallery",
    "editor",
    "worker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.ActiveMembershipMiddleware",
    "accounts.middleware.FirstRunMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "accounts.context_processors.membership",
            ],
        },
    }
]

# --- Database: SQLite in DATA_DIR by default, PostgreSQL (or any URL) via DATABASE_URL.
_SQLITE_OPTIONS = {
    # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on busy_timeout instead of failing half-way through.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
DATABASE_URL = env_str("DATABASE_URL")
# Connections per process on PostgreSQL: a pool of at most DATABASE_POOL_MAX. Persistent per-thread
# connections (CONN_MAX_AGE) do not work under ASGI, where every request runs in a new thread: they
# were never reused and piled up to the server's limit. With the pool a request borrows a
# connection and gives it back when it ends; one that finds the pool empty waits up to
# DATABASE_POOL_TIMEOUT seconds.
DATABASE_POOL_MAX = env_int("DATABASE_POOL_MAX", 10)
DATABASE_POOL_TIMEOUT = env_int("DATABASE_POOL_TIMEOUT", 20)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "promptbrush.sqlite3",
            "OPTIONS": _SQLITE_OPTIONS,
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(_SQLITE_OPTIONS)


def postgres_pool(max_size: int, timeout: int) -> dict:
    """psycopg_pool options for Django's built-in PostgreSQL pool (one pool per process)."""
    return {"min_size": 1, "max_size": max_size, "timeout": timeout}


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = postgres_pool(
        DATABASE_POOL_MAX, DATABASE_POOL_TIMEOUT
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "editor:home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files.
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"  # never served directly: every file goes through an access-checked view

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "gallery.storage.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_secret("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("AWS_SECRET_ACCESS_KEY") or None,
            "location": env_str("AWS_LOCATION", ""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Uploads: Pillow checks pixels; these bound the bytes Django will buffer.
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 50)
MAX_IMAGE_MEGAPIXELS = env_int("MAX_IMAGE_MEGAPIXELS", 40)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The first handler stops any file over MAX_UPLOAD_MB as it arrives (editor/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "editor.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Security. Secure cookies and HSTS when served over HTTPS (SECURE_HTTPS=true).
SECURE_HTTPS = env_bool("SECURE_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A strict Content Security Policy: scripts only from our own static files (htmx's tag carries
# the nonce), no inline handlers or styles in markup, images from here or the canvas (blob:).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Django's hardened default silences the deploy check about HSTS preload when it is off on purpose.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD or not SECURE_HTTPS else ["security.W021"]

# --- Background jobs (Django's tasks framework). The database is the one queue (SQLite or
# PostgreSQL); `manage.py run_worker` (worker/) runs its tasks with a thread pool.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_THREADS = env_int("WORKER_THREADS", 32)
# Of those, how many may do image work (before and after the provider call) at once; 0 means
# one per core. More only adds contention.
WORKER_CPU_SLOTS = env_int("WORKER_CPU_SLOTS", 0)
# Called by every worker every --reap-interval seconds (import paths, resolved at start).
WORKER_PERIODIC = [
    "editor.services.job.reap_stale_records",
    # Re-reads each provider's model list once a day (MODEL_LIST_MAX_AGE_HOURS), as tasks.
    "editor.discovery.refresh_stale_model_lists",
]
# A RUNNING job with no heartbeat for this long is requeued (or failed after JOB_MAX_ATTEMPTS).
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 600)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 2)
# Each worker keeps the last sources it decoded, up to this many MB (editor/services/sources.py):
# repeat edits of one picture skip its download and decode. 0 turns it off.
SOURCE_CACHE_BYTES = env_int("SOURCE_CACHE_MB", 128) * 1024 * 1024

# --- Providers. Environment keys are the instance-wide fallback for teams without their own.
# The registry of adapters; accounts asks it which providers take keys (it knows none itself).
PROVIDER_DIRECTORY = "editor.providers.adapter_classes"
ONEMIN_API_BASE = env_str("ONEMIN_API_BASE", "https://api.1min.ai").rstrip("/")
ONEMIN_ASSET_BASE = env_str("ONEMIN_ASSET_BASE", "https://asset.1min.ai").rstrip("/")
ONEMIN_API_KEY = env_secret("ONEMIN_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL", "https://api.openai.com/v1").rstrip("/")
OPENAI_API_KEY = env_secret("OPENAI_API_KEY")
SEGMIND_API_BASE = env_str("SEGMIND_API_BASE", "https://api.segmind.com").rstrip("/")
SEGMIND_UPLOAD_URL = env_str("SEGMIND_UPLOAD_URL", "https://workflows-api.segmind.com/upload-asset")
SEGMIND_API_KEY = env_secret("SEGMIND_API_KEY")
# A total deadline over one provider call (every request and download in it), not per read.
PROVIDER_TIMEOUT_SECONDS = env_int("PROVIDER_TIMEOUT_SECONDS", 300)
# The hard ceiling over all of a job's provider calls and retry waits together.
JOB_TIMEOUT_SECONDS = env_int("JOB_TIMEOUT_SECONDS", 900)
# The most one provider call may send back (all its images, as base64 JSON or downloads).
PROVIDER_MAX_RESPONSE_MB = env_int("PROVIDER_MAX_RESPONSE_MB", 700)
# How long a synchronous POST /api/features waits before answering 202 with the pending record.
API_WAIT_SECONDS = env_int("API_WAIT_SECONDS", 600)
# Which models a compatible proxy's own list (GET {base}/models) offers: "image" (names that
# contain "image") or "all". The worker re-reads each list once it is older than the max age.
PROXY_MODELS = env_str("PROXY_MODELS", "image")
if PROXY_MODELS not in ("image", "all"):
    raise ImproperlyConfigured(f"PROXY_MODELS must be image or all, got {PROXY_MODELS!r}")
MODEL_LIST_MAX_AGE_HOURS = env_int("MODEL_LIST_MAX_AGE_HOURS", 24)
MODEL_LIST_CHECK_SECONDS = 3600  # how often a worker looks for lists older than that
# Model ids 1min.ai scripts send that no provider here runs as they are -> what runs instead:
# "provider:model", "provider" (its first current model for the feature), "" (the team's first
# usable provider and model for the feature) or "replacement" (where the provider retired the id,
# the model it names instead). JSON overrides entries; the admin's Model aliases rows win.
MODEL_ALIASES = (
    dict.fromkeys(
        ("dall-e-3", "dall-e-2", "stable-image", "flux-schnell", "flux-dev", "midjourney"), ""
    )
    | dict.fromkeys(("gpt-image-1", "gpt-image-1-mini"), "replacement")
    | env_json("MODEL_ALIASES", {})
)
# Extra models per provider, without code: {"openai": [{"id": "...", "types": [...], ...}]}
PROVIDER_EXTRA_MODELS = env_json("PROVIDER_EXTRA_MODELS", {})
# Keys derived from this (and older ones, for rotation) encrypt provider credentials at rest.
CREDENTIALS_KEY = env_secret("CREDENTIALS_KEY") or SECRET_KEY
CREDENTIALS_KEY_FALLBACKS = env_list("CREDENTIALS_KEY_FALLBACKS", []) + SECRET_KEY_FALLBACKS
# Fetching imageUrl from the internet; private and loopback addresses are always refused.
ALLOW_REMOTE_IMAGE_URLS = env_bool("ALLOW_REMOTE_IMAGE_URLS", True)

# --- Credits. Price per image by "provider:model:quality:size"; "*" matches anything.
DEFAULT_CREDIT_LIMIT = env_int("DEFAULT_CREDIT_LIMIT", 100_000)
CREDIT_PRICES = {
    "local:*:*:*": 0,
    "onemin:*:low:*": 1_000,
    "onemin:*:medium:*": 4_000,
    "onemin:*:high:*": 16_000,
    "onemin:*:*:*": 4_000,
    "segmind:*:*:*": 14_000,
} | env_json("CREDIT_PRICES", {})
# Actual cost, where a provider reports it: credits per token by "provider:model" pattern (the
# longest matching pattern wins; OpenAI's published prices, 100,000 credits = 1 USD), and credits
# per US dollar for providers that report a billed amount (Segmind's x-cost).
TOKEN_PRICES = {
    "openai:*": {"text_input": 0.5, "image_input": 1.0, "output": 4.0},
    "openai:*mini*": {"text_input": 0.2, "image_input": 0.25, "output": 0.8},
    "openai:*flare*": {"text_input": 0.2, "image_input": 0.25, "output": 0.8},
} | env_json("TOKEN_PRICES", {})
CREDITS_PER_USD = env_int("CREDITS_PER_USD", 100_000)
# Models with a price of their own (OpenAI's, per quality, scaled by the output's pixels) use it
# when no row above matches; anything else costs this per image.
CREDIT_PRICE_FALLBACK = env_int("CREDIT_PRICE_FALLBACK", 5_000)
SIGNED_URL_MAX_AGE = env_int("SIGNED_URL_MAX_AGE", 3600)
# Results (and the provider's raw output) download at /<resultObject key> with no credentials,
# as from 1min.ai's asset host; the key's random uuid is the secret. False: session or signed
# link only.
RESULT_KEYS_PUBLIC = env_bool("RESULT_KEYS_PUBLIC", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
