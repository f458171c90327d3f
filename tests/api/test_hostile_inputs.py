"""Inputs from an acceptance tester's hostile sweep that once broke something: each answers a
4xx naming the field (or is simply ignored where it is not the caller's to choose), never a 500,
and leaves nothing behind."""

import pytest
from django.urls import reverse

from tests.gallery.factories import make_record

pytestmark = pytest.mark.django_db


# --- dates at the ends of the calendar in the record filters --------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"date_from": "9999-12-31"}, "date_from"),
    ],
)
def test_a_date_at_the_end_of_the_calendar_is_a_400_on_its_field(
    api, alice_membership, query, field
):
    make_record(alice_membership)
    response = api("get", "/api/features", data=query)

    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["field"] == field
    assert "1970-01-01" in error["message"]


@pytest.mark.parametrize("view", ["gallery:list", "gallery:stats", "gallery:export_json"])
def test_the_gallery_pages_ignore_a_date_past_the_calendar(alice_client, alice_membership, view):
    record = make_record(alice_membership)
    response = alice_client.get(reverse(view), {"date_to": "9999-12-31"})

    assert response.status_code == 200
    if view == "gallery:export_json":
        assert str(record.code) in b"".join(response.streaming_content).decode()


# --- image URLs the URL parsers themselves choke on ------------------------------------------


def _edit_from(api, url: str):
    body = {
        "type": "IMAGE_EDITOR",
        "model": "gpt-image-1",
        "promptObject": {"prompt": "watercolour", "imageUrl": url},
    }
    return api("post", "/api/features", json_body=body)


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1/x.png", "https://xn--/x.png"])
def test_an_image_url_no_parser_can_read_is_a_400_on_its_field(api, onemin, url):
    response = _edit_from(api, url)

    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["field"] == "imageUrl"
    assert "not a valid URL" in error["message"]


def test_a_mask_selection_from_an_unreadable_url_is_a_400(api):
    body = {"mode": "wand", "imageUrl": "http://[::1", "point": [1, 1]}
    response = api("post", "/api/masks/select", json_body=body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "imageUrl"


@pytest.mark.parametrize(
    "url",
    [
        "http://[2002:7f00:1::]/x.png",  # 6to4 of 127.0.0.1
        "http://[2002:a9fe:a9fe::]/latest",  # 6to4 of 169.254.169.254
        "http://[2002:a00:1::1]/x.png",  # 6to4 of 10.0.0.1
    ],
)
def test_an_ipv6_address_wrapping_a_private_ipv4_one_is_refused(api, onemin, url):
    response = _edit_from(api, url)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "imageUrl"
    assert "private or local address" in error["message"]
