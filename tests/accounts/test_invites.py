"""Invite links: created by team admins, shown once, single use, expire after 7 days."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invite, Membership
from tests.conftest import PASSWORD

TEAM_URL = reverse("accounts:team")


def invite_url(invite: Invite) -> str:
    return reverse("accounts:invite", args=[invite.code])


def join(invite: Invite, username: str = "erin", password: str = PASSWORD):
    visitor = Client()
    response = visitor.post(
        invite_url(invite), {"username": username, "password": password, "password2": password}
    )
    return visitor, response


@pytest.mark.django_db
def test_admin_creates_an_invite_and_sees_its_absolute_link_once(alice_client, team):
    response = alice_client.post(reverse("accounts:invite_create"), {"credit_limit": "3000"})
    invite = Invite.objects.get()
    assert (invite.team, invite.credit_limit, invite.used_by) == (team, 3000, None)
    assert timedelta(days=6, hours=23) < invite.expires - timezone.now() <= timedelta(days=7)
    html = response.content.decode()
    link = f"http://testserver{invite_url(invite)}"
    assert (
        re.search(r'<input id="new-invite-link" type="text" readonly value="([^"]+)"', html)[1]
        == link
    )
    assert 'data-copy="#new-invite-link"' in html
    assert "no-store" in response["Cache-Control"]

    again = alice_client.get(TEAM_URL).content.decode()
    assert str(invite.code) not in again.replace(
        reverse("accounts:invite_revoke", args=[invite.code]), ""
    )
    assert "Revoke" in again  # listed as open, without its link


@pytest.mark.django_db
def test_invite_link_uses_site_url_when_set(alice_client, settings):
    settings.SITE_URL = "https://brush.example.com"
    response = alice_client.post(reverse("accounts:invite_create"), {"credit_limit": "1"})
    invite = Invite.objects.get()
    assert f'value="https://brush.example.com{invite_url(invite)}"' in response.content.decode()


@pytest.mark.django_db
def test_invite_form_error_is_shown_next_to_the_field(alice_client):
    response = alice_client.post(reverse("accounts:invite_create"), {"credit_limit": "-1"})
    field = response.content.decode().split('id="field-credit_limit"')[-1].split("</div>")[0]
    assert "greater than or equal to 0" in field
    assert Invite.objects.count() == 0


@pytest.mark.django_db
def test_accepting_an_invite_creates_the_account_joins_the_team_and_signs_in(team, alice):
    invite = services.create_invite(team, alice, credit_limit=4200)
    page = Client().get(invite_url(invite))
    assert f"Join {team.name}" in page.content.decode().replace("&#x27;", "'")

    visitor, response = join(invite)
    assert response.status_code == 302
    erin = Membership.objects.get(user__username="erin", team=team)
    assert (erin.team, erin.role, erin.credit_limit) == (team, "MEMBER", 4200)
    assert Invite.objects.get().used_by == erin.user
    assert response["Location"] == reverse("editor:home")
    signed_in = visitor.get(reverse("accounts:tokens"))
    assert signed_in.status_code == 200
    assert "erin" in signed_in.content.decode()


@pytest.mark.django_db
def test_an_invite_works_only_once(team, alice):
    invite = services.create_invite(team, alice, credit_limit=1)
    join(invite, "erin")
    _, second = join(invite, "frank")
    assert second.status_code == 404
    assert "This invite link does not work" in second.content.decode()
    assert not Membership.objects.filter(user__username="frank").exists()
    assert Client().get(invite_url(invite)).status_code == 404


@pytest.mark.django_db
def test_an_expired_invite_is_a_clear_404(team, alice):
    invite = services.create_invite(team, alice, credit_limit=1)
    Invite.objects.filter(pk=invite.pk).update(expires=timezone.now() - timedelta(seconds=1))
    response = Client().get(invite_url(invite))
    assert response.status_code == 404
    assert "expired (links last 7 days)" in response.content.decode()
    _, posted = join(invite)
    assert posted.status_code == 404
    assert not Membership.objects.filter(user__username="erin").exists()


@pytest.mark.django_db
def test_unknown_invite_is_404(db, alice):
    response = Client().get(
        reverse("accounts:invite", args=["00000000-0000-0000-0000-000000000000"])
    )
    assert response.status_code == 404
    assert "This invite link does not work" in response.content.decode()


@pytest.mark.django_db
def test_a_weak_password_is_refused_and_the_invite_stays_usable(team, alice):
    invite = services.create_invite(team, alice, credit_limit=1)
    _, response = join(invite, "erin", "123")
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert Invite.objects.get().used_by is None
    _, ok = join(invite, "erin")
    assert ok.status_code == 302


@pytest.mark.django_db
def test_a_signed_in_visitor_is_asked_to_sign_out_first(bob_client, team, alice):
    invite = services.create_invite(team, alice, credit_limit=1)
    html = bob_client.get(invite_url(invite)).content.decode()
    assert "You are signed in as bob" in html
    assert 'name="password"' not in html
    bob_client.post(invite_url(invite), {"username": "erin", "password": PASSWORD})
    assert Invite.objects.get().used_by is None


@pytest.mark.django_db
def test_revoked_invite_stops_working(alice_client, team, alice):
    invite = services.create_invite(team, alice, credit_limit=1)
    response = alice_client.post(reverse("accounts:invite_revoke", args=[invite.code]))
    assert response.status_code == 302
    assert Invite.objects.count() == 0
    assert "No open invites." in alice_client.get(TEAM_URL).content.decode()
    assert Client().get(invite_url(invite)).status_code == 404


@pytest.mark.django_db
def test_members_and_outsiders_cannot_create_or_revoke_invites(client, bob, charlie, team, alice):
    invite = services.create_invite(team, alice, credit_limit=1)
    client.force_login(bob)
    assert client.post(reverse("accounts:invite_create"), {"credit_limit": "1"}).status_code == 404
    assert client.post(reverse("accounts:invite_revoke", args=[invite.code])).status_code == 404
    client.force_login(charlie)  # an admin, but of another team
    assert client.post(reverse("accounts:invite_revoke", args=[invite.code])).status_code == 404
    assert list(Invite.objects.values_list("code", flat=True)) == [invite.code]


@pytest.mark.django_db
def test_two_different_passwords_are_refused_beside_the_confirmation(team, alice):
    invite = services.create_invite(team, alice, credit_limit=1)
    response = Client().post(
        invite_url(invite), {"username": "erin", "password": PASSWORD, "password2": PASSWORD + "x"}
    )
    assert response.context["form"].errors == {
        "password2": [
            "Confirm password differs from Password: type the same password in both fields."
        ]
    }
    assert not Membership.objects.filter(user__username="erin").exists()
