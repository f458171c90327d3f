"""The team page: members, credit limits, roles, activation. Admins only; others get 404."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import Membership
from tests.conftest import PASSWORD

TEAM_URL = reverse("accounts:team")


def limit_url(membership):
    return reverse("accounts:member_limit", args=[membership.user.code])


def status_url(membership):
    return reverse("accounts:member_status", args=[membership.user.code])


def role_url(membership):
    return reverse("accounts:member_role", args=[membership.user.code])


def reload(membership):
    return Membership.objects.get(pk=membership.pk)


@pytest.mark.django_db
def test_admin_sees_every_member_with_role_status_and_credit(alice_client, bob_membership):
    Membership.objects.filter(pk=bob_membership.pk).update(used_credit=1234)
    html = alice_client.get(TEAM_URL).content.decode()
    assert f'id="member-{bob_membership.user.code}"' in html
    assert "bob" in html
    assert "1,234 of 50,000" in html
    assert 'value="1234"' in html  # the usage bar
    assert 'max="50000"' in html
    assert '<option value="MEMBER" selected>' in html
    assert '<option value="ADMIN" selected>' in html  # alice's own row


@pytest.mark.django_db
def test_members_get_404_and_anonymous_visitors_are_sent_to_sign_in(bob_client, alice):
    assert bob_client.get(TEAM_URL).status_code == 404
    bob_client.logout()
    response = bob_client.get(TEAM_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_outsider_sees_only_their_own_team_and_cannot_touch_its_members(
    charlie_client, bob_membership
):
    html = charlie_client.get(TEAM_URL).content.decode()
    assert "charlie" in html
    assert "bob" not in html
    assert "alice" not in html
    for url, data in [
        (limit_url(bob_membership), {"credit_limit": 1}),
        (status_url(bob_membership), {"active": "0"}),
        (role_url(bob_membership), {"role": "ADMIN"}),
    ]:
        assert charlie_client.post(url, data).status_code == 404
    bob = reload(bob_membership)
    assert (bob.credit_limit, bob.status, bob.role) == (50_000, "ACTIVE", "MEMBER")


@pytest.mark.django_db
def test_a_member_cannot_change_anything(bob_client, bob_membership, alice_membership):
    assert bob_client.post(limit_url(bob_membership), {"credit_limit": 10**9}).status_code == 404
    assert bob_client.post(role_url(bob_membership), {"role": "ADMIN"}).status_code == 404
    assert bob_client.post(status_url(alice_membership), {"active": "0"}).status_code == 404
    assert reload(bob_membership).credit_limit == 50_000
    assert reload(bob_membership).role == "MEMBER"
    assert reload(alice_membership).status == "ACTIVE"


@pytest.mark.django_db
def test_added_member_can_sign_in_with_the_initial_password(alice_client, team):
    response = alice_client.post(
        reverse("accounts:member_add"),
        {"username": "dora", "password": PASSWORD, "credit_limit": "2500"},
    )
    assert response.status_code == 302
    assert "dora can now sign in" in alice_client.get(TEAM_URL).content.decode()
    dora = Membership.objects.get(user__username="dora", team=team)
    assert (dora.team, dora.role, dora.credit_limit) == (team, "MEMBER", 2500)

    fresh = Client()
    signed_in = fresh.post(reverse("accounts:login"), {"username": "dora", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert fresh.get(reverse("accounts:tokens")).status_code == 200


@pytest.mark.django_db
def test_add_member_shows_each_error_next_to_its_field(alice_client, bob):
    def field(html: str, name: str) -> str:
        return html.split(f'id="field-{name}"')[1].split("</div>")[0]

    url = reverse("accounts:member_add")
    response = alice_client.post(
        url, {"username": "BOB", "password": PASSWORD, "credit_limit": "-5"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This username is taken" in field(html, "username")
    assert "greater than or equal to 0" in field(html, "credit_limit")
    assert 'value="BOB"' in html  # what was typed is kept
    weak = alice_client.post(url, {"username": "dora", "password": "123", "credit_limit": "1"})
    assert "This password is too short" in field(weak.content.decode(), "password")
    assert Membership.objects.filter(team__name="alice's team").count() == 2


@pytest.mark.django_db
def test_changed_credit_limit_is_visible_on_the_page(alice_client, bob_membership):
    response = alice_client.post(limit_url(bob_membership), {"credit_limit": "777"})
    assert response.status_code == 302
    assert reload(bob_membership).credit_limit == 777
    html = alice_client.get(TEAM_URL).content.decode()
    assert "bob&#x27;s credit limit is now 777." in html
    assert "0 of 777" in html


@pytest.mark.django_db
def test_htmx_limit_change_answers_with_only_the_member_row(alice_client, bob_membership):
    response = alice_client.post(
        limit_url(bob_membership), {"credit_limit": "900"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="member-{bob_membership.user.code}"')
    assert "<h1>" not in html
    assert 'value="900"' in html
    assert "credit limit is now 900" in html
    assert reload(bob_membership).credit_limit == 900


@pytest.mark.django_db
def test_htmx_limit_error_is_shown_in_the_row_and_nothing_changes(alice_client, bob_membership):
    response = alice_client.post(
        limit_url(bob_membership), {"credit_limit": "lots"}, headers={"HX-Request": "true"}
    )
    assert "Enter a whole number." in response.content.decode()
    assert reload(bob_membership).credit_limit == 50_000


@pytest.mark.django_db
def test_deactivated_member_loses_the_team_and_their_token_at_once(alice_client, bob_membership):
    _, raw = services.create_api_token(bob_membership, "nightly-sync")
    bob_browser = Client()
    bob_browser.force_login(bob_membership.user)
    assert services.authenticate_token(raw) is not None

    response = alice_client.post(status_url(bob_membership), {"active": "0"})
    assert response.status_code == 302
    assert reload(bob_membership).status == "INACTIVE"
    assert services.authenticate_token(raw) is None
    # bob keeps his account and works in his own team; alice's team is gone for him.
    team_page = bob_browser.get(TEAM_URL).content.decode()
    assert "bob&#x27;s team" in team_page and "alice" not in team_page
    tokens_page = bob_browser.get(reverse("accounts:tokens")).content.decode()
    assert "nightly-sync" not in tokens_page
    assert "bob&#x27;s team" in tokens_page
    html = alice_client.get(TEAM_URL).content.decode()
    assert "bob is deactivated." in html
    assert "Reactivate" in html

    alice_client.post(status_url(bob_membership), {"active": "1"})
    assert reload(bob_membership).status == "ACTIVE"
    assert services.authenticate_token(raw) is not None


@pytest.mark.django_db
def test_an_admin_cannot_deactivate_themselves(alice_client, alice_membership):
    response = alice_client.post(
        status_url(alice_membership), {"active": "0"}, headers={"HX-Request": "true"}
    )
    assert "You cannot deactivate yourself." in response.content.decode()
    assert reload(alice_membership).status == "ACTIVE"
    # Without htmx the reason arrives as a message on the page.
    alice_client.post(status_url(alice_membership), {"active": "0"})
    assert "alice: You cannot deactivate yourself." in alice_client.get(TEAM_URL).content.decode()


@pytest.mark.django_db
def test_the_last_active_admin_cannot_be_demoted(alice_client, alice_membership):
    response = alice_client.post(
        role_url(alice_membership), {"role": "MEMBER"}, headers={"HX-Request": "true"}
    )
    assert "last active admin cannot be made a member" in response.content.decode()
    assert reload(alice_membership).role == "ADMIN"


@pytest.mark.django_db
def test_an_inactive_second_admin_does_not_count(alice_client, alice_membership, bob_membership):
    services.set_member_role(bob_membership, "ADMIN")
    services.set_member_status(bob_membership, active=False)
    alice_client.post(role_url(alice_membership), {"role": "MEMBER"})
    assert reload(alice_membership).role == "ADMIN"


@pytest.mark.django_db
def test_promoting_a_member_lets_them_open_the_team_page(alice_client, bob_membership):
    response = alice_client.post(
        role_url(bob_membership), {"role": "ADMIN"}, headers={"HX-Request": "true"}
    )
    assert "bob is now admin." in response.content.decode()
    bob_browser = Client()
    bob_browser.force_login(bob_membership.user)
    assert bob_browser.get(TEAM_URL).status_code == 200


@pytest.mark.django_db
def test_an_admin_with_a_co_admin_may_step_down_and_leaves_the_page(
    alice_client, alice_membership, bob_membership
):
    services.set_member_role(bob_membership, "ADMIN")
    response = alice_client.post(
        role_url(alice_membership), {"role": "MEMBER"}, headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == reverse("editor:home")
    assert reload(alice_membership).role == "MEMBER"
    assert alice_client.get(TEAM_URL).status_code == 404


@pytest.mark.django_db
def test_unknown_member_code_is_404(alice_client, charlie_membership):
    # charlie exists, but not in alice's team
    assert alice_client.post(limit_url(charlie_membership), {"credit_limit": 1}).status_code == 404
    assert reload(charlie_membership).credit_limit == charlie_membership.credit_limit


@pytest.mark.django_db
def test_posts_without_a_csrf_token_are_refused(alice, bob_membership):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(limit_url(bob_membership), {"credit_limit": "1"})
    assert response.status_code == 403
    assert reload(bob_membership).credit_limit == 50_000


@pytest.mark.django_db
def test_nav_shows_admin_links_to_admins_only(alice_client, bob_membership):
    html = alice_client.get(reverse("accounts:tokens")).content.decode()
    assert f'href="{TEAM_URL}"' in html
    assert f'href="{reverse("accounts:keys")}"' in html
    bob_browser = Client()
    bob_browser.force_login(bob_membership.user)
    html = bob_browser.get(reverse("accounts:tokens")).content.decode()
    assert f'href="{reverse("accounts:tokens")}"' in html
    assert f'href="{TEAM_URL}"' not in html


@pytest.mark.django_db
def test_team_page_queries_do_not_grow_with_members_or_invites(alice_client, team, alice):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get(TEAM_URL).status_code == 200
        return len(ctx.captured_queries)

    services.add_member(team, "m0", PASSWORD, credit_limit=1)
    services.create_invite(team, alice, credit_limit=1)
    count()  # the first request of a session does one-off work
    one = count()
    for i in (1, 2):
        services.add_member(team, f"m{i}", PASSWORD, credit_limit=1)
        services.create_invite(team, alice, credit_limit=1)
    assert count() == one
