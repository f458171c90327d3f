"""Every way a user comes to exist gives them a team of their own, so the account can use the
app and `create_api_token` works for it (issue 11, item 10)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Membership, Team, User
from tests.conftest import PASSWORD


def own_membership(username: str) -> Membership:
    user = User.objects.get(username=username)
    return Membership.objects.get(user=user, team=user.personal_team)


def token_for(username: str) -> str:
    out = StringIO()
    call_command("create_api_token", username, stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()[-1]


def assert_has_a_working_own_team(username: str) -> Membership:
    membership = own_membership(username)
    assert membership.role == Membership.Role.ADMIN and membership.is_active
    assert membership.team.name == f"{username}'s team"
    assert services.authenticate_token(token_for(username)) is not None
    return membership


@pytest.mark.django_db
def test_createsuperuser_gives_a_team_and_a_token_works(monkeypatch, settings):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser",
        "--noinput",
        username="root",
        email="root@example.com",
        stdout=StringIO(),
    )

    membership = assert_has_a_working_own_team("root")
    assert membership.credit_limit == settings.DEFAULT_CREDIT_LIMIT
    browser = Client()
    browser.force_login(membership.user)
    assert browser.get(reverse("editor:home")).status_code == 200


@pytest.mark.django_db
def test_a_user_added_on_the_admin_site_gets_a_team(client, alice):
    User.objects.filter(pk=alice.pk).update(is_staff=True, is_superuser=True)
    client.force_login(alice)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "gina",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert_has_a_working_own_team("gina")


@pytest.mark.django_db
def test_setup_and_create_give_exactly_one_own_team(client):
    client.post(
        reverse("accounts:setup"),
        {"username": "root", "email": "", "password": PASSWORD, "password2": PASSWORD},
    )
    call_command("create_api_token", "scripts", "--create", stdout=StringIO(), stderr=StringIO())

    for name in ("root", "scripts"):
        assert_has_a_working_own_team(name)
        assert Team.objects.filter(memberships__user__username=name).count() == 1


@pytest.mark.django_db
def test_an_invited_member_has_an_own_team_but_starts_in_the_inviting_one(team, alice):
    invite = services.create_invite(team, alice, credit_limit=700)
    visitor = Client()
    visitor.post(
        reverse("accounts:invite", args=[invite.code]), {"username": "erin", "password": PASSWORD}
    )

    assert_has_a_working_own_team("erin")
    erin = User.objects.get(username="erin")
    assert services.active_memberships(erin).first().team == team
    page = visitor.get(reverse("accounts:tokens")).content.decode().replace("&#x27;", "'")
    assert "alice's team" in page


@pytest.mark.django_db
def test_a_member_added_by_an_admin_has_an_own_team_but_starts_in_the_admins(alice_client, team):
    alice_client.post(
        reverse("accounts:member_add"),
        {"username": "dora", "password": PASSWORD, "credit_limit": "2500"},
    )

    assert_has_a_working_own_team("dora")
    dora = User.objects.get(username="dora")
    assert services.active_memberships(dora).first().team == team
    # The admin's team page lists the admin's members only, not dora's own team.
    assert Membership.objects.filter(team=team).count() == 2


@pytest.mark.django_db
def test_a_token_from_the_command_is_for_the_team_the_user_works_in(bob_membership):
    token = services.authenticate_token(token_for("bob"))

    assert token.membership == bob_membership
