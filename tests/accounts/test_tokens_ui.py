"""API tokens in the UI: shown once, stored as a digest, listed by prefix, revocable."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken

TOKENS_URL = reverse("accounts:tokens")


def shown_token(html: str) -> str | None:
    match = re.search(r'<input id="new-token" type="text" readonly value="([^"]+)"', html)
    return match[1] if match else None


@pytest.mark.django_db
def test_a_new_token_is_shown_once_and_only_its_digest_is_stored(bob_client, bob_membership):
    response = bob_client.post(TOKENS_URL, {"name": "batch export"})
    html = response.content.decode()
    raw = shown_token(html)
    token = ApiToken.objects.get()
    assert (token.membership, token.name, token.revoked) == (bob_membership, "batch export", None)
    secret = raw.split("_", 2)[2]
    assert raw == f"pb_{token.prefix}_{secret}"
    assert len(secret) >= 40
    assert "Copy it now: it won't be shown again." in html
    assert 'data-copy="#new-token"' in html
    assert "no-store" in response["Cache-Control"]
    # Only the prefix and an HMAC digest are kept: the secret part appears in no column.
    stored = ApiToken.objects.values_list("name", "prefix", "digest").get()
    assert all(secret not in value for value in stored)
    assert token.digest == services._digest(secret)
    assert services.authenticate_token(raw).pk == token.pk

    again = bob_client.get(TOKENS_URL).content.decode()
    assert shown_token(again) is None
    assert secret not in again
    assert f"pb_{token.prefix}_…" in again
    assert "batch export" in again


@pytest.mark.django_db
def test_token_needs_a_name(bob_client):
    response = bob_client.post(TOKENS_URL, {"name": ""})
    field = response.content.decode().split('id="field-name"')[1].split("</div>")[0]
    assert "This field is required." in field
    assert ApiToken.objects.count() == 0


@pytest.mark.django_db
def test_the_list_shows_created_and_last_used(bob_client, bob_membership):
    _, raw = services.create_api_token(bob_membership, "ci")
    assert "never" in bob_client.get(TOKENS_URL).content.decode()
    services.authenticate_token(raw)
    token = ApiToken.objects.get()
    html = bob_client.get(TOKENS_URL).content.decode()
    assert "never" not in html
    assert token.last_used.strftime("%-d %b %Y") in html


@pytest.mark.django_db
def test_revoke_asks_for_confirmation_then_the_token_stops_working(bob_client, bob_membership):
    token, raw = services.create_api_token(bob_membership, "ci")
    url = reverse("accounts:token_revoke", args=[token.prefix])
    confirm = bob_client.get(url).content.decode()
    assert "Revoke “ci”?" in confirm
    assert services.authenticate_token(raw) is not None  # a GET changes nothing

    response = bob_client.post(url)
    assert response.status_code == 302
    assert services.authenticate_token(raw) is None
    html = bob_client.get(TOKENS_URL).content.decode()
    assert "Token “ci” is revoked" in html
    assert f"pb_{token.prefix}_…" not in html
    assert bob_client.post(url).status_code == 404  # already revoked


@pytest.mark.django_db
def test_another_users_token_is_404(charlie_client, bob_membership):
    token, raw = services.create_api_token(bob_membership, "bob's")
    url = reverse("accounts:token_revoke", args=[token.prefix])
    assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(url).status_code == 404
    assert services.authenticate_token(raw) is not None
    assert "bob&#x27;s" not in charlie_client.get(TOKENS_URL).content.decode()


@pytest.mark.django_db
def test_even_a_team_admin_cannot_revoke_a_members_token(alice_client, bob_membership):
    token, raw = services.create_api_token(bob_membership, "bob's")
    url = reverse("accounts:token_revoke", args=[token.prefix])
    assert alice_client.post(url).status_code == 404
    assert services.authenticate_token(raw) is not None


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, alice):
    response = client.get(TOKENS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    client.post(TOKENS_URL, {"name": "x"})
    assert ApiToken.objects.count() == 0


@pytest.mark.django_db
def test_creating_a_token_needs_the_csrf_token(bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert client.post(TOKENS_URL, {"name": "x"}).status_code == 403
    assert ApiToken.objects.count() == 0
