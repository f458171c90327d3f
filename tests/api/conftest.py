"""Fixtures of the API tests: alice's API key and a client that sends it."""

import json

import pytest

from accounts.services import create_api_token
from tests.api.support import upload_file


@pytest.fixture
def token(alice_membership) -> str:
    return create_api_token(alice_membership, "script")[1]


@pytest.fixture
def api(client, token):
    """Calls with alice's API key: api("post", "/api/features", json={...})."""

    def call(method: str, path: str, *, json_body=None, raw: str | bytes | None = None, **kw):
        headers = {"API-KEY": token, **kw.pop("headers", {})}
        if json_body is not None:
            raw = json.dumps(json_body)
        if raw is not None:
            kw["data"], kw["content_type"] = raw, "application/json"
        return getattr(client, method)(path, headers=headers, **kw)

    return call


@pytest.fixture
def uploaded(api):
    def go(data: bytes, name: str = "cat.png") -> dict:
        response = upload_file(api, data, name)
        assert response.status_code == 200, response.content
        return response.json()

    return go
