"""The JSON API's asset upload and its API-KEY authentication.

Edits run against the loopback 1min.ai / OpenAI servers (tests/fakes). Real transactions: the
edit job is enqueued on commit (ImmediateBackend runs it inline)."""

import pytest

from accounts.services import create_api_token, revoke_api_token, set_member_status
from tests.api.support import png, upload_file

pytestmark = pytest.mark.django_db(transaction=True)


# --- assets ----------------------------------------------------------------------------------


def test_asset_upload_answers_like_1min_ai(uploaded, alice):
    body = uploaded(png(), "cat.png")

    assert body["fileContent"]["path"] == body["asset"]["key"]
    assert body["fileContent"]["path"].startswith("assets/")
    assert body["fileContent"]["name"] == "cat.png"
    assert body["asset"]["mimetype"] == "image/png"
    assert body["asset"]["size"] == len(png())
    assert alice.assets.get(kind="UPLOAD").name == "cat.png"


def test_asset_upload_refuses_what_is_not_an_image(api, alice):
    response = upload_file(api, b"hello, not an image", "notes.png")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "asset"
    assert alice.assets.count() == 0


def test_asset_upload_needs_the_asset_field(api):
    response = api("post", "/api/assets", data={"file": "x"})

    assert (response.status_code, response.json()["error"]["field"]) == (400, "asset")


# --- auth ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/features", "/api/providers", "/api/assets"])
def test_no_token_is_401(client, path, alice):
    response = client.get(path)

    assert response.status_code == 401
    assert response.json()["error"]["field"] == "API-KEY"


def test_bad_token_is_401(client, token):
    response = client.get("/api/features", headers={"API-KEY": token[:-2] + "xx"})

    assert response.status_code == 401


def test_revoked_token_is_401(client, alice_membership):
    row, raw = create_api_token(alice_membership, "old")
    revoke_api_token(row)

    assert client.get("/api/features", headers={"API-KEY": raw}).status_code == 401


def test_deactivated_member_token_stops_working(client, bob_membership):
    _row, raw = create_api_token(bob_membership, "bob's")
    assert client.get("/api/providers", headers={"API-KEY": raw}).status_code == 200
    set_member_status(bob_membership, False)

    assert client.get("/api/providers", headers={"API-KEY": raw}).status_code == 401
