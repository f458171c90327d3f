"""The API tests' fixtures (alice's key, a client that sends it), for the reliability tests."""

from tests.api.conftest import api, token, uploaded  # noqa: F401
