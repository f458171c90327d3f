"""GET /api/features binds the gallery's filter form and pages as the history page does."""

import pytest
from django.urls import reverse

from gallery.models import Record
from gallery.queries import PAGE_SIZE
from tests.gallery.factories import days_ago, make_record

pytestmark = pytest.mark.django_db


def uuids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["uuid"] for r in response.json()["aiRecords"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=DONE", "status"),
        ("type=VIDEO", "type"),
        ("min_rating=9", "min_rating"),
        ("min_rating=four", "min_rating"),
        ("provider=nobody", "provider"),
        ("model=dall-e-9", "model"),
        ("date_from=yesterday", "date_from"),
        ("date_from=2026-02-01&date_to=2026-01-01", "date_to"),
        ("page=0", "page"),
        ("limit=101", "limit"),
        ("offset=20", "offset"),
    ],
)
def test_a_bad_query_value_is_400_naming_the_field(api, query, field):
    response = api("get", f"/api/features?{query}")

    assert (response.status_code, response.json()["error"]["field"]) == (400, field)
    assert response.json()["error"]["message"]


def test_a_known_provider_or_model_nobody_used_is_an_empty_list(api, alice_membership):
    make_record(alice_membership)

    assert uuids(api("get", "/api/features?provider=segmind")) == []
    assert uuids(api("get", "/api/features?model=gpt-image-1")) == []


def test_the_gallery_filters_work_over_the_api(api, alice_membership):
    old = make_record(alice_membership, feedback="", created=days_ago(10))
    new = make_record(alice_membership, feedback="sky too orange", created=days_ago(1))
    failed = make_record(alice_membership, status=Record.Status.FAILED, error="Bad key")

    assert uuids(api("get", "/api/features?has_feedback=yes")) == [str(new.code)]
    since = days_ago(3).date().isoformat()
    assert set(uuids(api("get", f"/api/features?date_from={since}"))) == {
        str(new.code),
        str(failed.code),
    }
    assert uuids(api("get", "/api/features?status=FAILED")) == [str(failed.code)]
    assert str(old.code) in uuids(api("get", "/api/features?provider=local&model=telea"))


def test_a_team_admin_lists_only_their_own_records_over_the_api(api, bob_membership):
    make_record(bob_membership)

    assert uuids(api("get", "/api/features?scope=team")) == []


def test_the_api_pages_like_the_history_page(api, alice_client, alice_membership):
    made = [make_record(alice_membership, created=days_ago(n)) for n in range(PAGE_SIZE + 1)]

    first = api("get", "/api/features").json()
    assert [r["uuid"] for r in first["aiRecords"]] == [str(r.code) for r in made[:PAGE_SIZE]]
    assert first["next"] == "http://testserver/api/features?page=2"
    second = api("get", first["next"].removeprefix("http://testserver")).json()
    assert ([r["uuid"] for r in second["aiRecords"]], second["next"]) == (
        [str(made[-1].code)],
        None,
    )
    for page in (1, 2, 3):
        query = f"limit=10&page={page}"
        shown = alice_client.get(f"{reverse('gallery:list')}?{query}").context["page"].records
        assert uuids(api("get", f"/api/features?{query}")) == [str(r.code) for r in shown]
