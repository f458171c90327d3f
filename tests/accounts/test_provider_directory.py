"""Accounts knows no provider by name: it asks the registry named in PROVIDER_DIRECTORY."""

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from editor.providers import adapter_classes, provider_ids

ACCOUNTS = Path(__file__).resolve().parents[2] / "accounts"

# A provider the accounts code has never heard of, as a registry would describe it.
ACME = SimpleNamespace(
    id="acme", name="Acme Images", key_setting="ACME_API_KEY", team_base_url=False
)


def with_acme():
    return [*adapter_classes(), ACME]


def test_no_accounts_module_names_a_provider():
    for path in ACCOUNTS.rglob("*.py"):
        if "migrations" in path.parts:
            continue  # history may name what existed then
        strings = {
            node.value
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert not strings & set(provider_ids()), f"{path.name} names a provider"


@pytest.mark.django_db
def test_a_provider_added_to_the_registry_gets_a_key_row_and_its_instance_key(
    alice_client, team, settings
):
    settings.PROVIDER_DIRECTORY = f"{__name__}.with_acme"
    settings.ACME_API_KEY = ""
    html = alice_client.get(reverse("accounts:keys")).content.decode()
    assert '<h2 id="key-acme-title">Acme Images</h2>' in html
    assert "acme" not in services.configured_providers(team.pk)

    settings.ACME_API_KEY = "acme-instance-key"
    assert services.provider_key(team.pk, "acme") == ("acme-instance-key", "")
    assert "acme" in services.configured_providers(team.pk)

    response = alice_client.post(
        reverse("accounts:key_set", args=["acme"]), {"key": "acme-team-0001"}
    )
    assert response.status_code == 302
    assert services.provider_key(team.pk, "acme") == ("acme-team-0001", "")


@pytest.mark.django_db
def test_a_slug_the_registry_does_not_list_is_refused(alice_client, team):
    with pytest.raises(ValidationError, match="Unknown provider 'acme'"):
        services.set_provider_key(team, "acme", "some-key-0001")
    assert (
        alice_client.post(reverse("accounts:key_set", args=["acme"]), {"key": "x" * 9}).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_base_url_is_refused_for_a_provider_that_takes_none(team):
    with pytest.raises(ValidationError, match="takes no base URL"):
        services.set_provider_key(team, "segmind", "some-key-0001", base_url="https://p.example")


@pytest.mark.django_db
def test_keyless_providers_are_always_configured_and_removed_ones_never(team, settings):
    settings.ONEMIN_API_KEY = settings.OPENAI_API_KEY = settings.SEGMIND_API_KEY = ""
    services.set_provider_key(team, "openai", "team-openai-0001")
    assert services.configured_providers(team.pk) == {"openai", "local"}

    settings.PROVIDER_DIRECTORY = f"{__name__}.without_openai"
    assert services.configured_providers(team.pk) == {"local"}


def without_openai():
    return [cls for cls in adapter_classes() if cls.id != "openai"]
