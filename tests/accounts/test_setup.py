import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Membership, User
from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_every_page_leads_to_setup_while_no_user_exists(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:setup")


@pytest.mark.django_db
def test_setup_creates_the_first_admin_with_a_team_and_signs_in(client):
    response = client.post(
        reverse("accounts:setup"),
        {"username": "ada", "password": PASSWORD, "password2": PASSWORD, "email": ""},
    )
    assert response.status_code == 302
    user = User.objects.get(username="ada")
    assert user.is_superuser
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.ADMIN
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_setup_is_gone_once_a_user_exists(client, alice):
    assert client.get(reverse("accounts:setup")).status_code == 404
    response = client.post(reverse("accounts:setup"), {"username": "mallory", "password": PASSWORD})
    assert response.status_code == 404
    assert not User.objects.filter(username="mallory").exists()


@pytest.mark.django_db
def test_setup_rejects_a_weak_password_next_to_the_field(client):
    response = client.post(reverse("accounts:setup"), {"username": "ada", "password": "123"})
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_setup_refuses_two_different_passwords_beside_the_confirmation(client):
    response = client.post(
        reverse("accounts:setup"),
        {"username": "ada", "password": PASSWORD, "password2": PASSWORD + "x", "email": ""},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {
        "password2": [
            "Confirm password differs from Password: type the same password in both fields."
        ]
    }
    assert not User.objects.exists()


@pytest.mark.django_db
def test_setup_shows_the_password_rules_before_the_first_try(client):
    page = client.get(reverse("accounts:setup")).content.decode()
    assert "<li>Your password must contain at least 8 characters.</li>" in page
    assert 'aria-describedby="id_password_helptext"' in page


@pytest.mark.django_db
def test_sign_in_and_out(client, alice):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    signed_out = client.post(reverse("accounts:logout"), follow=True)
    assert signed_out.redirect_chain[-1][0] == reverse("accounts:login")
    assert "You have signed out." in signed_out.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_a_member_deactivated_in_every_team_is_signed_out_at_once(client, bob_membership):
    client.force_login(bob_membership.user)
    assert client.get("/").status_code == 200
    services.set_member_status(bob_membership, active=False)
    assert client.get("/").status_code == 200  # still in bob's own team
    own = Membership.objects.get(team=bob_membership.user.personal_team)
    services.set_member_status(own, active=False)
    response = client.get("/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    login = client.post(reverse("accounts:login"), {"username": "bob", "password": PASSWORD})
    assert "deactivated in every team" in login.content.decode()
    assert client.get("/").status_code == 302
