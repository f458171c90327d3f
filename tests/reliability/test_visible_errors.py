"""Errors somebody sees: every refusal from a page form is a 4xx with its message in the
answer, never a silent redirect (issue 11, item 9, and its class)."""

import pytest
from django.urls import reverse

from gallery.models import Record
from tests.gallery.factories import make_record


@pytest.fixture
def done(alice_membership):
    return make_record(alice_membership, type=Record.Type.IMAGE_GENERATOR)


@pytest.mark.django_db
@pytest.mark.parametrize("rating", ["6", "x", "0", "-1", "1.5", "9" * 30])
def test_a_bad_rating_from_the_job_card_stars_is_shown(alice_client, done, rating):
    url = reverse("gallery:rate", args=[done.code])
    stars = alice_client.post(
        url,
        {"rating": rating, "next": reverse("editor:generate")},
        headers={"HX-Request": "true", "HX-Target": f"stars-{done.code}"},
    )
    page = alice_client.post(url, {"rating": rating, "next": reverse("editor:generate")})

    for response in (stars, page):
        assert response.status_code == 400
        assert "Choose a rating from 1 to 5." in response.content.decode()
    done.refresh_from_db()
    assert done.rating is None


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_switching_team_never_redirects_off_site(client, bob_membership, target):
    client.force_login(bob_membership.user)
    own = bob_membership.user.personal_team

    response = client.post(reverse("accounts:switch_team"), {"team": own.code, "next": target})

    assert response.status_code == 302
    assert response["Location"] == reverse("editor:home")


@pytest.mark.django_db
def test_a_not_found_page_says_why(alice_client, done):
    image = done.images.get().image
    url = reverse("editor:edit", args=[image.code])

    wrong_result = alice_client.get(url, {"from": str(done.code), "result": "2"})
    nowhere = alice_client.get("/no/such/page/")

    assert wrong_result.status_code == 404
    assert "That result is not this image." in wrong_result.content.decode()
    assert nowhere.status_code == 404
    assert "There is nothing at this address." in nowhere.content.decode()


@pytest.mark.django_db
def test_a_forbidden_page_says_why(client, bob_membership, alice_membership):
    record = make_record(bob_membership)
    client.force_login(alice_membership.user)  # the admin may look, not change

    response = client.get(reverse("gallery:delete", args=[record.code]))

    assert response.status_code == 403
    assert "Only the person who made this edit can change it." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"from": "garbage"}, {"result": "x"}, {"result": "11"}])
def test_a_mangled_continue_link_says_so(alice_client, done, query):
    image = done.images.get().image

    response = alice_client.get(reverse("editor:edit", args=[image.code]), query)

    assert response.status_code == 404
    assert "This continue-editing link is broken" in response.content.decode()
