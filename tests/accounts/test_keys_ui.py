"""Provider keys: admins set, replace and remove them; a key is never rendered back."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken, Invite, ProviderCredential

KEYS_URL = reverse("accounts:keys")
SECRET = "sk-live-0123456789abcdefXYZabcd"


def set_url(provider: str) -> str:
    return reverse("accounts:key_set", args=[provider])


def key_state(html: str, provider: str) -> str:
    section = html.split(f'id="key-{provider}"')[1].split("</section>")[0]
    return " ".join(section.split('class="key-state">')[1].split("</p>")[0].split())


@pytest.mark.django_db
def test_admin_sees_one_row_per_provider_none_set(alice_client, settings):
    settings.ONEMIN_API_KEY = settings.OPENAI_API_KEY = settings.SEGMIND_API_KEY = ""
    html = alice_client.get(KEYS_URL).content.decode()
    for provider, label in [
        ("onemin", "1min.ai"),
        ("openai", "OpenAI"),
        ("segmind", "Segmind"),
    ]:
        assert f'<h2 id="key-{provider}-title">{label}</h2>' in html
        assert key_state(html, provider) == "Not set."
        assert f'<label for="id_{provider}_key">API key' in html
    assert html.count('<input type="password" name="key"') == 3
    assert html.count('name="base_url"') == 1  # only OpenAI takes a proxy's base URL


@pytest.mark.django_db
def test_setting_a_key_stores_it_encrypted_and_shows_only_its_end(alice_client, team, alice):
    response = alice_client.post(set_url("onemin"), {"key": SECRET})
    assert response.status_code == 302
    row = ProviderCredential.objects.get()
    assert (row.team, row.provider, row.last4, row.updated_by) == (team, "onemin", "abcd", alice)
    assert SECRET not in row.encrypted_key
    assert SECRET[:12] not in row.encrypted_key
    assert services.provider_key(team.pk, "onemin") == (SECRET, "")
    html = alice_client.get(KEYS_URL).content.decode()
    assert key_state(html, "onemin") == "Set, ends in …abcd"
    assert "1min.ai key saved. It ends in …abcd." in html


@pytest.mark.django_db
def test_the_key_appears_in_no_response_body(alice_client, team, alice, bob_membership):
    services.create_invite(team, alice, credit_limit=1)
    token, _ = services.create_api_token(alice.memberships.get(), "ci")
    responses = [
        alice_client.post(set_url("openai"), {"key": SECRET, "base_url": "https://proxy.example"}),
        alice_client.post(set_url("openai"), {"key": SECRET, "base_url": "ftp://nope"}),  # error
        alice_client.post(set_url("segmind"), {"key": SECRET}, follow=True),
    ]
    pages = [
        "accounts:team",
        "accounts:tokens",
        "accounts:keys",
        "accounts:password_change",
        "accounts:password_done",
    ]
    responses += [alice_client.get(reverse(name)) for name in pages]
    responses += [
        alice_client.get(reverse("accounts:token_revoke", args=[token.prefix])),
        alice_client.get(reverse("accounts:invite", args=[Invite.objects.get().code])),
        alice_client.post(reverse("accounts:invite_create"), {"credit_limit": "1"}),
        alice_client.post(reverse("accounts:tokens"), {"name": "another"}),
    ]
    assert [r.status_code for r in responses] == [302, 200, 200] + [200] * 9
    for response in responses:
        body = response.content.decode()
        assert SECRET not in body
        assert SECRET[:-4] not in body
    assert ApiToken.objects.count() == 2


@pytest.mark.django_db
def test_a_rejected_form_does_not_render_the_key_back(alice_client):
    response = alice_client.post(set_url("openai"), {"key": SECRET, "base_url": "ftp://x.example"})
    html = response.content.decode()
    assert "Enter a valid URL." in html
    assert 'value="ftp://x.example"' in html
    assert SECRET not in html
    assert ProviderCredential.objects.count() == 0


@pytest.mark.django_db
def test_base_url_override_for_openai_compatible_proxies(alice_client, team):
    alice_client.post(set_url("openai"), {"key": SECRET, "base_url": "http://10.0.0.5:4000/v1"})
    assert services.provider_key(team.pk, "openai") == (SECRET, "http://10.0.0.5:4000/v1")
    html = alice_client.get(KEYS_URL).content.decode()
    assert (
        key_state(html, "openai")
        == 'Set, ends in …abcd<br><span class="muted">Base URL http://10.0.0.5:4000/v1</span>'
    )


@pytest.mark.django_db
def test_a_key_with_spaces_inside_is_refused(alice_client):
    response = alice_client.post(set_url("segmind"), {"key": "sk one two three"})
    assert "A key has no spaces or line breaks" in response.content.decode()
    assert ProviderCredential.objects.count() == 0


@pytest.mark.django_db
def test_replacing_and_removing_a_key(alice_client, team):
    alice_client.post(set_url("segmind"), {"key": SECRET})
    alice_client.post(set_url("segmind"), {"key": "sg-second-key-9876"})
    assert ProviderCredential.objects.get().last4 == "9876"
    assert services.provider_key(team.pk, "segmind")[0] == "sg-second-key-9876"
    assert "Replace key" in alice_client.get(KEYS_URL).content.decode()

    response = alice_client.post(reverse("accounts:key_remove", args=["segmind"]))
    assert response.status_code == 302
    assert ProviderCredential.objects.count() == 0
    html = alice_client.get(KEYS_URL).content.decode()
    assert "Segmind key removed." in html


@pytest.mark.django_db
def test_the_instance_wide_key_from_the_environment_is_mentioned(alice_client, settings):
    settings.ONEMIN_API_KEY = "env-key-1111"
    settings.SEGMIND_API_KEY = ""
    alice_client.post(set_url("openai"), {"key": SECRET})
    settings.OPENAI_API_KEY = "env-key-2222"
    html = alice_client.get(KEYS_URL).content.decode()
    assert key_state(html, "onemin") == (
        "Not set for this team: using the instance-wide key from the environment."
    )
    assert "Used instead of the instance-wide key" in key_state(html, "openai")
    assert key_state(html, "segmind") == "Not set."
    assert "env-key-1111" not in html
    assert "env-key-2222" not in html


@pytest.mark.django_db
def test_members_get_404(bob_client, team):
    assert bob_client.get(KEYS_URL).status_code == 404
    assert bob_client.post(set_url("onemin"), {"key": SECRET}).status_code == 404
    services.set_provider_key(team, "onemin", SECRET)
    assert bob_client.post(reverse("accounts:key_remove", args=["onemin"])).status_code == 404
    assert ProviderCredential.objects.filter(team=team).count() == 1


@pytest.mark.django_db
def test_an_outsider_admin_only_touches_their_own_team(charlie_client, charlie_membership, team):
    services.set_provider_key(team, "onemin", SECRET)
    html = charlie_client.get(KEYS_URL).content.decode()
    assert key_state(html, "onemin") in {
        "Not set.",
        "Not set for this team: using the instance-wide key from the environment.",
    }
    charlie_client.post(reverse("accounts:key_remove", args=["onemin"]))
    assert services.provider_key(team.pk, "onemin")[0] == SECRET
    charlie_client.post(set_url("onemin"), {"key": "charlies-own-key"})
    assert services.provider_key(team.pk, "onemin")[0] == SECRET
    assert services.provider_key(charlie_membership.team_id, "onemin")[0] == "charlies-own-key"


@pytest.mark.django_db
def test_unknown_provider_is_404(alice_client):
    assert alice_client.post(set_url("local"), {"key": SECRET}).status_code == 404
    assert alice_client.post(set_url("nope"), {"key": SECRET}).status_code == 404
    assert ProviderCredential.objects.count() == 0


@pytest.mark.django_db
def test_setting_a_key_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(set_url("onemin"), {"key": SECRET}).status_code == 403
    assert ProviderCredential.objects.count() == 0
