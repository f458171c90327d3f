"""The live job cards of the editor pages: polling, failure reasons, stars, run again."""

import json

import pytest
from django.urls import reverse

from editor import services
from gallery.models import Record
from tests.editor.support import finished_record, mask_png

pytestmark = pytest.mark.django_db


# ---- job cards --------------------------------------------------------------------------------


def test_job_card_of_a_done_job_stops_polling(alice_client, alice_membership, asset):
    record = finished_record(alice_membership, asset)
    url = reverse("editor:job_card", args=[record.code])
    response = alice_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 286
    body = response.content.decode()
    assert "every 2s" not in body
    image = record.images.get()
    assert reverse("gallery:file", args=[image.image.code]) + "?download" in body
    assert f"?from={record.code}&amp;result=1" in body
    # The result can go onto the canvas at full size, compared with its source.
    assert f'data-full="{reverse("gallery:file", args=[image.image.code])}"' in body
    assert f'data-original="{reverse("gallery:file", args=[record.source.code])}"' in body


def test_job_card_of_a_queued_job_keeps_polling(alice_client, alice_membership, asset):
    record = services.start_edit(
        alice_membership,
        type="IMAGE_INPAINTER",
        provider="local",
        model="telea",
        prompt="",
        params={},
        source=asset,
        mask=mask_png(),
    )  # no commit hooks run: the job stays queued
    response = alice_client.get(
        reverse("editor:job_card", args=[record.code]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "Queued" in body


def test_failed_job_card_shows_the_reason(alice_client, alice_membership, asset):
    record = finished_record(alice_membership, asset)
    Record.objects.filter(pk=record.pk).update(status="FAILED", error="The key was refused.")
    response = alice_client.get(reverse("editor:job_card", args=[record.code]))
    assert '<p class="job-error" role="alert" data-job-error>The key was refused.</p>' in (
        response.content.decode()
    )


def test_a_failed_card_polled_by_htmx_brings_the_refunded_credit_figures(
    alice_client, alice_membership, asset
):
    record = finished_record(alice_membership, asset)
    Record.objects.filter(pk=record.pk).update(status="FAILED", error="The key was refused.")
    alice_membership.refresh_from_db()
    response = alice_client.get(
        reverse("editor:job_card", args=[record.code]), headers={"HX-Request": "true"}
    )
    figures = {"used": alice_membership.used_credit, "limit": alice_membership.credit_limit}
    assert json.loads(response["HX-Trigger"]) == {"creditsChanged": figures}


def test_outsider_and_team_member_get_404_on_job_cards(
    charlie_client, bob_client, alice_membership, asset
):
    record = finished_record(alice_membership, asset)
    url = reverse("editor:job_card", args=[record.code])
    assert charlie_client.get(url).status_code == 404
    assert bob_client.get(url).status_code == 404
    assert charlie_client.post(reverse("editor:rerun", args=[record.code])).status_code == 404
    assert (
        charlie_client.post(reverse("gallery:rate", args=[record.code]), {"rating": 5}).status_code
        == 404
    )
    record.refresh_from_db()
    assert record.rating is None


def test_rating_from_the_card(alice_client, alice_membership, asset):
    record = finished_record(alice_membership, asset)
    card = alice_client.get(reverse("editor:job_card", args=[record.code])).content.decode()
    # the stars post to the record page's rating endpoint, not one of the editor's own
    assert f'hx-post="{reverse("gallery:rate", args=[record.code])}"' in card
    response = alice_client.post(
        reverse("gallery:rate", args=[record.code]),
        {"rating": "4"},
        headers={"HX-Request": "true", "HX-Target": f"stars-{record.code}"},
    )
    record.refresh_from_db()
    assert record.rating == 4
    assert f'value="4" id="rate-{record.code.hex}-4" checked' in response.content.decode()
    assert response.content.decode().lstrip().startswith('<form method="post"')


def test_stars_keep_the_feedback_and_return_to_the_editor_without_javascript(
    alice_client, alice_membership, asset
):
    record = finished_record(alice_membership, asset)
    Record.objects.filter(pk=record.pk).update(feedback="sharp edges", review_tags=["seams"])
    back = reverse("editor:edit", args=[asset.code])
    response = alice_client.post(
        reverse("gallery:rate", args=[record.code]), {"rating": "5", "next": back}
    )
    assert response["Location"] == back
    record.refresh_from_db()
    assert (record.rating, record.feedback, record.review_tags) == (5, "sharp edges", ["seams"])
    elsewhere = alice_client.post(
        reverse("gallery:rate", args=[record.code]),
        {"rating": "3", "next": "https://evil.example/"},
    )
    assert elsewhere["Location"] == reverse("gallery:detail", args=[record.code])


@pytest.mark.parametrize("value", ["6", "x", "0"])
def test_a_bad_star_rating_shows_a_message_on_the_card(
    alice_client, alice_membership, asset, value
):
    record = finished_record(alice_membership, asset)
    url = reverse("gallery:rate", args=[record.code])
    htmx = {"HX-Request": "true", "HX-Target": f"stars-{record.code}"}
    for headers in (htmx, {}):
        response = alice_client.post(url, {"rating": value}, headers=headers)
        assert response.status_code == 400
        assert "Choose a rating from 1 to 5." in response.content.decode()
    record.refresh_from_db()
    assert record.rating is None


def test_rerun_adds_a_new_card(
    alice_client, alice_membership, asset, django_capture_on_commit_callbacks
):
    record = finished_record(alice_membership, asset)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("editor:rerun", args=[record.code]), headers={"HX-Request": "true"}
        )
    new = Record.objects.exclude(pk=record.pk).get()
    assert (new.source, new.model, new.status) == (asset, "telea", "SUCCESS")
    assert f'id="job-{new.code}"' in response.content.decode()


def test_a_card_asked_for_another_page_says_so_with_no_content(
    alice_client, alice_membership, asset
):
    """A tab adds a job it hears of only when its own list would show it."""
    record = finished_record(alice_membership, asset)
    other = services.upload_image(alice_membership, mask_png(), "other.png")
    url = reverse("editor:job_card", args=[record.code])
    assert alice_client.get(url, {"around": str(asset.code)}).status_code == 200
    for page in (str(other.code), "generate", "not-a-code", "00000000-0000-4000-8000-000000000000"):
        response = alice_client.get(url, {"around": page})
        assert (response.status_code, response.content) == (204, b"")
