import html

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from core.errors import UserFacingError
from gallery.models import Asset, Record, RecordImage
from gallery.services import record_rating
from tests.gallery.factories import make_record


def rate_url(record: Record) -> str:
    return reverse("gallery:rate", args=[record.code])


def delete_url(record: Record) -> str:
    return reverse("gallery:delete", args=[record.code])


@pytest.mark.django_db
def test_rating_and_feedback_round_trip_over_htmx(alice_client, alice_membership):
    record = make_record(alice_membership)
    response = alice_client.post(
        rate_url(record),
        {"rating": "4", "feedback": "  Great sky, the horizon is a bit soft.  "},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert body.lstrip().startswith('<section id="record-rating"')
    assert "Saved. Rated 4 of 5" in body
    assert "Great sky, the horizon is a bit soft." in body
    record.refresh_from_db()
    assert (record.rating, record.feedback) == (4, "Great sky, the horizon is a bit soft.")
    # and it is editable: the detail page shows it, then a second rating replaces it
    page = html.unescape(
        alice_client.get(reverse("gallery:detail", args=[record.code])).content.decode()
    )
    assert "Rated 4 of 5" in page
    assert 'value="4" id="record-rating-4" checked' in page
    alice_client.post(
        rate_url(record), {"rating": "", "feedback": ""}, headers={"HX-Request": "true"}
    )
    record.refresh_from_db()
    assert (record.rating, record.feedback) == (None, "")


@pytest.mark.django_db
def test_rating_without_javascript_redirects_back(alice_client, alice_membership):
    record = make_record(alice_membership)
    response = alice_client.post(rate_url(record), {"rating": "5", "feedback": "yes"})
    assert response.status_code == 302
    assert response["Location"] == reverse("gallery:detail", args=[record.code])
    record.refresh_from_db()
    assert record.rating == 5


@pytest.mark.parametrize("value", ["0", "6", "four", "3.5"])
@pytest.mark.django_db
def test_an_invalid_rating_is_a_400_with_a_message(alice_client, alice_membership, value):
    record = make_record(alice_membership, rating=2)
    for headers in ({"HX-Request": "true"}, {}):
        response = alice_client.post(rate_url(record), {"rating": value}, headers=headers)
        assert response.status_code == 400
        assert "Choose a rating from 1 to 5." in response.content.decode()
    record.refresh_from_db()
    assert record.rating == 2


@pytest.mark.django_db
def test_outsiders_cannot_rate_or_delete(charlie_client, alice_membership):
    record = make_record(alice_membership)
    assert charlie_client.post(rate_url(record), {"rating": "1"}).status_code == 404
    assert charlie_client.get(delete_url(record)).status_code == 404
    assert charlie_client.post(delete_url(record)).status_code == 404
    record.refresh_from_db()
    assert record.rating is None


@pytest.mark.django_db
def test_a_team_admin_may_look_but_not_rate_or_delete_a_members_edit(alice_client, bob_membership):
    record = make_record(bob_membership)
    page = alice_client.get(reverse("gallery:detail", args=[record.code]))
    assert page.status_code == 200
    assert rate_url(record) not in page.content.decode()
    assert alice_client.post(rate_url(record), {"rating": "1"}).status_code == 403
    assert alice_client.post(delete_url(record)).status_code == 403
    assert Record.objects.filter(pk=record.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_delete_asks_first_then_removes_the_record_and_its_files(alice_client, alice_membership):
    record = make_record(alice_membership, results=2, drift_share=0.01)
    images = list(
        RecordImage.objects.filter(record=record).select_related(
            "image__preview", "raw", "thumbnail", "drift"
        )
    )
    owned = [a for i in images for a in (i.image, i.image.preview, i.raw, i.thumbnail, i.drift)]
    names = [a.file.name for a in owned]
    assert all(default_storage.exists(name) for name in names)

    confirm = alice_client.get(delete_url(record))
    assert confirm.status_code == 200
    assert "Its 2 result images" in confirm.content.decode()
    assert Record.objects.filter(pk=record.pk).exists()

    response = alice_client.post(delete_url(record))
    assert response.status_code == 302
    assert response["Location"] == reverse("gallery:list")
    assert not Record.objects.filter(pk=record.pk).exists()
    assert not Asset.objects.filter(pk__in=[a.pk for a in owned]).exists()
    assert [name for name in names if default_storage.exists(name)] == []
    # the source stays: other edits may start from it
    assert default_storage.exists(record.source.file.name)
    assert alice_client.get(reverse("gallery:detail", args=[record.code])).status_code == 404


@pytest.mark.django_db
def test_record_rating_refuses_a_rating_outside_1_to_5(alice_membership):
    record = make_record(alice_membership, rating=3)
    with pytest.raises(UserFacingError, match="from 1 to 5") as info:
        record_rating(record, rating=6, feedback="")
    assert info.value.field == "rating"
    record.refresh_from_db()
    assert record.rating == 3
    assert record_rating(record, rating=None, feedback="  meh ").feedback == "meh"
    assert record_rating(record, rating=4).feedback == "meh"  # left out: left as it was


@pytest.mark.django_db
def test_review_tags_are_saved_with_the_rating_and_counted_per_provider(
    alice_client, alice_membership
):
    record = make_record(alice_membership, provider="openai", model="gpt-image-2.5-sunburst")
    other = make_record(alice_membership, provider="openai", model="gpt-image-2.5-sunburst")
    url = reverse("gallery:rate", args=[record.code])

    response = alice_client.post(
        url,
        {"rating": "2", "feedback": "drifted", "tags": ["ignored_mask", "colour_shift"]},
        headers={"HX-Request": "true"},
    )

    record.refresh_from_db()
    assert record.review_tags == ["ignored_mask", "colour_shift"]
    html = response.content.decode()
    assert "<li>Ignored the mask</li>" in html and "<li>Colour or lighting shift</li>" in html
    alice_client.post(
        reverse("gallery:rate", args=[other.code]), {"rating": "1", "tags": ["ignored_mask"]}
    )
    stats = alice_client.get(reverse("gallery:stats")).content.decode()
    assert "Ignored the mask (2), Colour or lighting shift (1)" in stats


@pytest.mark.django_db
def test_an_unknown_review_tag_is_refused_next_to_the_field(alice_client, alice_membership):
    record = make_record(alice_membership)
    response = alice_client.post(
        reverse("gallery:rate", args=[record.code]),
        {"rating": "3", "tags": ["made_up"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "Pick review tags from the list." in response.content.decode()
    record.refresh_from_db()
    assert record.review_tags == []
