"""The API tests' fixtures (alice's key, a client that sends it), for the bad-input corpus."""

from tests.api.conftest import api, token  # noqa: F401
