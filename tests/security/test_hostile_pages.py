"""Page forms under an acceptance tester's hostile sweep: junk posted with a valid CSRF token
answers a 4xx or a safe redirect, never a 500."""

import pytest
from django.urls import reverse

from tests.gallery.factories import make_record

pytestmark = pytest.mark.django_db

# `next` values that are not a path: redirect() would read them as a view's name.
NOT_A_PATH = ["0", "gallery:list", "NaN", "ÄÖ", "a\x00b", "javascript:alert(1)", " 5 "]


@pytest.mark.parametrize("back", NOT_A_PATH)
def test_a_rating_whose_next_is_not_a_path_goes_to_the_record(alice_client, alice_membership, back):
    record = make_record(alice_membership)

    response = alice_client.post(
        reverse("gallery:rate", args=[record.code]), {"rating": "4", "next": back}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("gallery:detail", args=[record.code])
    record.refresh_from_db()
    assert record.rating == 4


@pytest.mark.parametrize("back", NOT_A_PATH)
def test_switching_team_with_a_next_that_is_not_a_path_goes_home(client, bob_membership, back):
    client.force_login(bob_membership.user)
    own = bob_membership.user.personal_team

    response = client.post(reverse("accounts:switch_team"), {"team": own.code, "next": back})

    assert response.status_code == 302
    assert response["Location"] == reverse("editor:home")
