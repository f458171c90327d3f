import re

import pytest
from django.urls import reverse

from gallery.models import Record
from gallery.queries import PAGE_SIZE
from tests.gallery.factories import days_ago, make_record

LIST = reverse("gallery:list")


def shown(response) -> list[str]:
    """The record codes on the grid, in order."""
    return re.findall(r'id="record-([0-9a-f-]{36})"', response.content.decode())


@pytest.mark.django_db
def test_it_lists_my_records_newest_first(alice_client, alice_membership):
    old = make_record(alice_membership, prompt="an old one", created=days_ago(3))
    new = make_record(alice_membership, prompt="a new one", created=days_ago(1))
    response = alice_client.get(LIST)
    assert response.status_code == 200
    assert shown(response) == [str(new.code), str(old.code)]
    body = response.content.decode()
    assert "a new one" in body
    assert "local · telea" in body
    assert "Change painted area" in body
    thumb = new.images.get().thumbnail
    assert reverse("gallery:file", args=[thumb.code]) in body


@pytest.mark.django_db
def test_a_member_sees_only_their_own_records(bob_client, bob_membership, alice_membership):
    mine = make_record(bob_membership)
    make_record(alice_membership)
    assert shown(bob_client.get(LIST)) == [str(mine.code)]
    # Asking for the team's scope is not a member's to ask: still only their own.
    assert shown(bob_client.get(LIST, {"scope": "team"})) == [str(mine.code)]


@pytest.mark.django_db
def test_a_team_admin_can_switch_to_the_whole_team(
    alice_client, alice_membership, bob_membership, charlie_membership
):
    alice_record = make_record(alice_membership, created=days_ago(2))
    bob_record = make_record(bob_membership, created=days_ago(1))
    make_record(charlie_membership)
    assert shown(alice_client.get(LIST)) == [str(alice_record.code)]
    response = alice_client.get(LIST, {"scope": "team"})
    assert shown(response) == [str(bob_record.code), str(alice_record.code)]
    assert "by bob" in response.content.decode()


@pytest.mark.django_db
def test_an_outsider_sees_none_of_the_teams_records(charlie_client, alice_membership):
    make_record(alice_membership)
    response = charlie_client.get(LIST, {"scope": "team"})
    assert response.status_code == 200
    assert shown(response) == []
    assert "No edits match these filters." in response.content.decode()


@pytest.mark.django_db
def test_it_requires_signing_in(client, alice_membership):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "IMAGE_GENERATOR"}, ["generated"]),
        ({"provider": "openai"}, ["openai-edit"]),
        ({"model": "gpt-image-1"}, ["openai-edit"]),
        ({"status": "FAILED"}, ["failed"]),
        ({"min_rating": "4"}, ["openai-edit"]),
        ({"min_rating": "2"}, ["openai-edit", "inpaint"]),
        ({"q": "LIGHTHOUSE"}, ["inpaint"]),  # prompt text, any case
        ({"q": "too dark"}, ["openai-edit"]),  # feedback text
        ({"has_feedback": "yes"}, ["openai-edit"]),
        ({"has_feedback": "no"}, ["generated", "failed", "inpaint"]),
        ({"date_from": "2000-01-01", "date_to": "2000-01-01"}, []),
        ({"provider": "local", "status": "SUCCESS"}, ["inpaint"]),
    ],
)
@pytest.mark.django_db
def test_every_filter(alice_client, alice_membership, params, expected):
    records = {
        "inpaint": make_record(
            alice_membership, prompt="Add a lighthouse", rating=2, created=days_ago(4)
        ),
        "openai-edit": make_record(
            alice_membership,
            type=Record.Type.IMAGE_EDITOR,
            provider="openai",
            model="gpt-image-1",
            prompt="Warmer light",
            rating=5,
            feedback="Still too dark on the left",
            created=days_ago(3),
        ),
        "failed": make_record(
            alice_membership,
            provider="segmind",
            model="gpt-image-1-edit",
            status=Record.Status.FAILED,
            error="Bad key",
            created=days_ago(2),
        ),
        "generated": make_record(
            alice_membership,
            type=Record.Type.IMAGE_GENERATOR,
            provider="onemin",
            model="dall-e-3",
            prompt="A fox",
            created=days_ago(1),
        ),
    }
    response = alice_client.get(LIST, params)
    assert response.status_code == 200
    assert shown(response) == [str(records[name].code) for name in expected]


@pytest.mark.django_db
def test_the_date_range_includes_both_end_days(alice_client, alice_membership):
    inside = make_record(alice_membership, created=days_ago(2))
    make_record(alice_membership, created=days_ago(10))
    make_record(alice_membership, created=days_ago(0))
    day = days_ago(2).date().isoformat()
    assert shown(alice_client.get(LIST, {"date_from": day, "date_to": day})) == [str(inside.code)]


@pytest.mark.django_db
def test_a_bad_filter_value_is_explained_and_the_others_still_apply(alice_client, alice_membership):
    local = make_record(alice_membership)
    make_record(alice_membership, provider="openai", model="gpt-image-1")
    response = alice_client.get(LIST, {"min_rating": "9", "provider": "local"})
    assert shown(response) == [str(local.code)]
    assert (
        "Select a valid choice. 9 is not one of the available choices." in response.content.decode()
    )


@pytest.mark.django_db
def test_an_htmx_request_gets_only_the_grid(alice_client, alice_membership):
    record = make_record(alice_membership)
    response = alice_client.get(LIST, {"status": "SUCCESS"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="record-grid"')
    assert "<html" not in body
    assert 'role="search"' not in body
    assert shown(response) == [str(record.code)]
    assert response["Vary"] == "HX-Request, Cookie"


@pytest.mark.django_db
def test_pages_load_more_with_a_real_link_and_an_htmx_partial(alice_client, alice_membership):
    records = [make_record(alice_membership, results=0, created=days_ago(i)) for i in range(30)]
    first = alice_client.get(LIST, {"provider": "local"})
    assert shown(first) == [str(r.code) for r in records[:PAGE_SIZE]]
    more = f"{LIST}?provider=local&amp;page=2"
    assert f'href="{more}"' in first.content.decode()

    second = alice_client.get(LIST, {"provider": "local", "page": 2})
    assert shown(second) == [str(r.code) for r in records[PAGE_SIZE:]]
    assert "Load more" not in second.content.decode()

    items = alice_client.get(LIST, {"provider": "local", "page": 2}, headers={"HX-Request": "true"})
    body = items.content.decode()
    assert body.lstrip().startswith('<li class="record-card"')
    assert shown(items) == [str(r.code) for r in records[PAGE_SIZE:]]


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_records(
    alice_client, alice_membership, bob_membership, django_assert_num_queries, count
):
    for i in range(count):
        make_record(alice_membership if i % 2 == 0 else bob_membership, results=2, mask=True)
    alice_client.get(LIST)  # warm the session and first-run switch
    # session, user, memberships, filter choices, records, first results
    with django_assert_num_queries(6):
        response = alice_client.get(LIST, {"scope": "team"})
    assert len(shown(response)) == min(count, PAGE_SIZE)


@pytest.mark.django_db
def test_an_end_date_before_the_start_is_explained(alice_client, alice_membership):
    record = make_record(alice_membership)
    response = alice_client.get(LIST, {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert "The end date is before the start date." in response.content.decode()
    assert shown(response) == []  # the valid start date still applies
    assert shown(alice_client.get(LIST, {"date_to": "2000-01-01", "date_from": "1999-01-01"})) == []
    assert shown(alice_client.get(LIST, {"date_from": "2000-01-01"})) == [str(record.code)]
