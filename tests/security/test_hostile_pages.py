"""Page forms under an acceptance tester's hostile sweep: junk posted with a valid CSRF token
answers a 4xx or a safe redirect, never a 500."""

import io

import pytest
from django.urls import reverse

from editor import services
from gallery.models import Record
from tests.api.support import box_mask, png
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


# --- a parameter with decimals on the edit form ----------------------------------------------


@pytest.fixture
def flux(alice_membership, onemin):
    """onemin's flux-fill-dev declares guidance 0..50 with a default of 3.5."""
    source = services.upload_image(alice_membership, png(64, 48), "cat.png")
    mask = io.BytesIO(box_mask())
    mask.name = "mask.png"
    return {
        "type": "IMAGE_INPAINTER",
        "provider": "onemin",
        "model": "black-forest-labs/flux-fill-dev",
        "prompt": "a red balloon",
        "source": str(source.code),
        "mask": mask,
    }


@pytest.mark.parametrize(("sent", "kept"), [(None, 3.5), ("7.25", 7.25), ("4", 4)])
def test_a_decimal_parameter_is_taken_as_the_model_declares_it(alice_client, flux, sent, kept):
    data = flux if sent is None else {**flux, "p_guidance": sent}

    response = alice_client.post(reverse("editor:submit"), data, headers={"HX-Request": "true"})

    assert response.status_code == 200, response.context["form"].errors
    assert Record.objects.get().prompt_object["guidance"] == kept


@pytest.mark.parametrize("sent", ["lots", "NaN", "inf", "51", "-1"])
def test_a_decimal_parameter_out_of_range_is_refused_on_its_field(alice_client, flux, sent):
    response = alice_client.post(
        reverse("editor:submit"), {**flux, "p_guidance": sent}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "p_guidance" in response.context["form"].errors
    assert Record.objects.count() == 0


# --- a provider or model name with a per cent sign ---------------------------------------------


@pytest.mark.parametrize(
    ("field", "sent"), [("provider", "%"), ("model", "50%'s"), ("model", "%(value)s")]
)
@pytest.mark.parametrize("view", ["editor:submit", "editor:preflight"])
def test_a_per_cent_sign_in_a_choice_is_refused_on_its_field(alice_client, flux, field, sent, view):
    """The refusal quotes what was sent, and Django %-formats a choice's message."""
    response = alice_client.post(reverse(view), {**flux, field: sent})

    assert response.status_code == 422
    assert sent[:40] in response.context["form"].errors[field][0]
    assert Record.objects.count() == 0
