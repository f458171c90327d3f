"""Media on S3: django-storages' backend with one boto3 connection per process.

django-storages keeps its boto3 resource in a thread-local, and under ASGI every request runs in a
new thread, so each request paid for a new session and resource (about 65 ms of CPU, loading the
service model). The resource is built once per storage instance instead; the low-level client
under it is thread-safe, and django-storages already shares its `Bucket` the same way.
"""

import threading

from storages.backends.s3 import S3Storage as _S3Storage


class S3Storage(_S3Storage):
    _build_lock = threading.Lock()

    @property
    def connection(self):
        shared = self.__dict__.get("_shared_connection")
        if shared is None:
            with self._build_lock:
                shared = self.__dict__.get("_shared_connection")
                if shared is None:
                    shared = super().connection
                    self.__dict__["_shared_connection"] = shared
        return shared

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_shared_connection", None)
        return state
