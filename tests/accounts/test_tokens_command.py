"""API tokens and provider keys at the service level, and `manage.py create_api_token`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts import crypto, services
from accounts.models import ApiToken, Membership, ProviderCredential, User


def raw_row(table: str, pk: int) -> str:
    """Everything the database holds for one row, as text."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        return " ".join(str(value) for value in cursor.fetchone())


# --- Tokens -----------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_prefix_and_digest(bob_membership):
    token, raw = services.create_api_token(bob_membership, "laptop")

    secret = raw.split("_", 2)[2]
    assert raw == f"pb_{token.prefix}_{secret}"
    assert len(secret) >= 40
    row = raw_row(ApiToken._meta.db_table, token.pk)
    assert secret not in row
    assert token.prefix in row


def test_a_token_authenticates_and_records_its_last_use(bob_membership):
    token, raw = services.create_api_token(bob_membership, "laptop")
    assert token.last_used is None

    found = services.authenticate_token(raw)

    assert found.pk == token.pk
    assert found.membership == bob_membership
    token.refresh_from_db()
    assert timezone.now() - token.last_used < timedelta(seconds=5)


def test_a_wrong_or_mangled_token_fails(bob_membership):
    _, raw = services.create_api_token(bob_membership, "laptop")

    assert services.authenticate_token(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert services.authenticate_token(raw.removeprefix("pb_")) is None
    assert services.authenticate_token("") is None


def test_a_revoked_token_fails(bob_membership):
    token, raw = services.create_api_token(bob_membership, "laptop")

    services.revoke_api_token(token)

    assert services.authenticate_token(raw) is None


def test_a_deactivated_members_token_fails(bob_membership):
    _, raw = services.create_api_token(bob_membership, "laptop")

    services.set_member_status(bob_membership, active=False)

    assert services.authenticate_token(raw) is None


# --- manage.py create_api_token ---------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_a_working_token_on_its_last_line(bob_membership):
    out, _ = run_command("bob")

    token = out.splitlines()[-1]
    found = services.authenticate_token(token)
    assert found.membership == bob_membership


def test_create_makes_an_ordinary_user_with_a_team_of_their_own(db):
    out, err = run_command("scripts", "--create")

    user = User.objects.get(username="scripts")
    membership = Membership.objects.get(user=user)
    assert (user.is_staff, user.is_superuser, user.has_usable_password()) == (False, False, False)
    assert membership.role == Membership.Role.ADMIN
    assert membership.team.memberships.count() == 1
    assert services.authenticate_token(out.splitlines()[-1]).membership == membership
    assert err == "Created user scripts with a team of their own.\n"


def test_create_for_an_existing_user_adds_a_token_not_a_user(bob_membership):
    out, _ = run_command("bob", "--create")

    assert User.objects.filter(username="bob").count() == 1
    assert services.authenticate_token(out.splitlines()[-1]).membership == bob_membership


def test_an_unknown_user_without_create_is_a_clear_error(db):
    with pytest.raises(CommandError) as caught:
        run_command("nobody")

    assert str(caught.value) == "No user named 'nobody'. Pass --create to make one."
    assert not User.objects.exists()


# --- Provider keys ----------------------------------------------------------------------------


def test_a_provider_key_is_encrypted_at_rest_and_decrypts(team, alice):
    key = "sk-live-1234567890abcdefWXYZ"

    credential = services.set_provider_key(team, "openai", key, user=alice)

    row = raw_row(ProviderCredential._meta.db_table, credential.pk)
    assert key not in row
    assert key[:-4] not in row
    assert credential.last4 == "WXYZ"
    assert services.provider_key(team.pk, "openai") == (key, "")


def test_the_environment_key_is_the_fallback(team, settings):
    settings.SEGMIND_API_KEY = "env-segmind-key"

    assert services.provider_key(team.pk, "segmind") == ("env-segmind-key", "")
    services.set_provider_key(team, "segmind", "team-segmind-key")
    assert services.provider_key(team.pk, "segmind") == ("team-segmind-key", "")
    assert services.configured_providers(team.pk) == {"segmind", "local"}


def test_keys_still_decrypt_after_the_credentials_key_is_rotated(team, settings):
    settings.CREDENTIALS_KEY = "old-credentials-key"
    settings.CREDENTIALS_KEY_FALLBACKS = []
    services.set_provider_key(team, "onemin", "onemin-secret-0001")

    settings.CREDENTIALS_KEY = "new-credentials-key"
    settings.CREDENTIALS_KEY_FALLBACKS = ["old-credentials-key"]
    assert services.provider_key(team.pk, "onemin") == ("onemin-secret-0001", "")

    # Re-encrypted under the new key, the old one can be dropped.
    stored = ProviderCredential.objects.get(team=team, provider="onemin")
    stored.encrypted_key = crypto.reencrypt(stored.encrypted_key)
    stored.save()
    settings.CREDENTIALS_KEY_FALLBACKS = []
    assert services.provider_key(team.pk, "onemin") == ("onemin-secret-0001", "")


def test_a_key_encrypted_under_a_forgotten_secret_reads_as_unset(team, settings):
    settings.CREDENTIALS_KEY = "old-credentials-key"
    services.set_provider_key(team, "onemin", "onemin-secret-0001")

    settings.CREDENTIALS_KEY = "new-credentials-key"
    settings.CREDENTIALS_KEY_FALLBACKS = []

    assert services.provider_key(team.pk, "onemin") == ("", "")
