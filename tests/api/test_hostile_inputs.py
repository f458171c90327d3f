"""Inputs from an acceptance tester's hostile sweep that once broke something: each answers a
4xx naming the field (or is simply ignored where it is not the caller's to choose), never a 500,
and leaves nothing behind."""

import io
import json
import os

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from PIL import Image

from accounts.models import CreditEntry
from editor.api.errors import server_error
from gallery.models import Asset, Record
from gallery.services import store_asset
from tests.api.support import png
from tests.api.test_ssrf import ImageHost
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


# --- nothing stored for a refused call --------------------------------------------------------


def _stored():
    """What a refused call must leave as it found: asset rows, media files, records, ledger."""
    root = django_settings.STORAGES["default"].get("OPTIONS", {}).get("location")
    files = sum(len(names) for _, _, names in os.walk(root)) if root else 0
    return Asset.objects.count(), files, Record.objects.count(), CreditEntry.objects.count()


@pytest.fixture
def shared_key(charlie_membership):
    """Another team's result, named by its public key: usable as an imageUrl by anyone."""
    result = store_asset(
        charlie_membership,
        png(64, 48),
        kind=Asset.Kind.RESULT,
        extension="png",
        width=64,
        height=48,
    )
    return result.path


@pytest.mark.parametrize(
    ("prompt_object", "top", "field"),
    [
        ({"prompt": "x", "n": 0}, {}, "n"),
        ({"prompt": ""}, {}, "prompt"),
        ({"prompt": "x"}, {"conversationId": "not-a-uuid"}, "conversationId"),
        ({"prompt": "x", "imageUrls": ["assets/nothing.png"]}, {}, "imageUrls"),
        (
            {"prompt": "x", "maskUrl": "{key}", "growMask": -1},
            {"type": "IMAGE_INPAINTER"},
            "growMask",
        ),
    ],
)
def test_a_refused_edit_from_a_shared_result_keeps_no_copy_of_it(
    api, onemin, shared_key, prompt_object, top, field
):
    before = _stored()
    prompt_object = {
        k: v.replace("{key}", shared_key) if isinstance(v, str) else v
        for k, v in prompt_object.items()
    }
    body = {
        "type": "IMAGE_EDITOR",
        "model": "gpt-image-1",
        "promptObject": {"imageUrl": shared_key, **prompt_object},
        **top,
    }

    response = api("post", "/api/features", json_body=body)

    assert response.status_code in (400, 404), response.content[:300]
    assert response.json()["error"]["field"] == field
    assert _stored() == before


def test_a_shared_result_used_as_a_mask_is_read_not_copied(api, uploaded, onemin, shared_key):
    image = uploaded(png(8, 6))["fileContent"]["path"]
    body = {
        "type": "IMAGE_INPAINTER",
        "model": "gpt-image-1",
        "async": True,
        "promptObject": {"prompt": "x", "imageUrl": image, "maskUrl": shared_key},
    }
    uploads = Asset.objects.filter(kind=Asset.Kind.UPLOAD).count()

    response = api("post", "/api/features", json_body=body)

    assert response.status_code == 200, response.content[:300]
    assert Asset.objects.filter(kind=Asset.Kind.UPLOAD).count() == uploads  # only the MASK


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"mode": "wand", "point": [1000, 1000]}, "point"),
        ({"mode": "wand"}, "point"),
        ({"mode": "box", "box": [5, 5, 1, 1]}, "box"),
        ({"mode": "refine", "maskUrl": "{key}", "band": 0}, "band"),
    ],
)
def test_a_refused_selection_on_a_shared_result_keeps_no_copy_of_it(api, shared_key, extra, field):
    before = _stored()
    body = {
        "imageUrl": shared_key,
        **{
            k: v.replace("{key}", shared_key) if isinstance(v, str) else v for k, v in extra.items()
        },
    }

    response = api("post", "/api/masks/select", json_body=body)

    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["field"] == field
    assert _stored() == before


def test_a_refused_edit_from_a_fetched_url_keeps_nothing_it_fetched(api, onemin, settings):
    settings.SSRF_ALLOW_LOOPBACK = True
    before = _stored()
    with ImageHost() as host:
        body = {
            "type": "IMAGE_EDITOR",
            "model": "gpt-image-1",
            "promptObject": {"prompt": "x", "imageUrl": f"{host.url}/cat.png", "n": 0},
        }
        response = api("post", "/api/features", json_body=body)

    assert (response.status_code, response.json()["error"]["field"]) == (400, "n")
    assert _stored() == before


# --- wrong JSON types that used to pass for "nothing" ------------------------------------------


@pytest.mark.parametrize("value", [0, False, "", {}, "assets/x.png"])
def test_image_urls_that_are_not_a_list_are_a_400(api, onemin, uploaded, settings, value):
    settings.API_WAIT_SECONDS = 1  # an edit that slips through must not wait for a worker
    image = uploaded(png())["fileContent"]["path"]
    body = {
        "type": "IMAGE_EDITOR",
        "model": "gpt-image-1",
        "promptObject": {"prompt": "x", "imageUrl": image, "imageUrls": value},
    }
    before = _stored()

    response = api("post", "/api/features", json_body=body)

    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["field"] == "imageUrls"
    assert _stored() == before


# --- a huge value is named, not echoed back whole --------------------------------------------

HUGE = "x" * 1_000_000


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/features", {"type": "IMAGE_GENERATOR", "model": HUGE, "promptObject": {}}, "model"),
        ("/api/features", {"type": HUGE, "model": "gpt-image-1", "promptObject": {}}, "type"),
        (
            "/api/features",
            {
                "type": "IMAGE_GENERATOR",
                "model": "gpt-image-1",
                "provider": HUGE,
                "promptObject": {"prompt": "x"},
            },
            "provider",
        ),
        (
            "/api/features",
            {
                "type": "IMAGE_GENERATOR",
                "model": "gpt-image-1",
                "promptObject": {"prompt": "x", "quality": HUGE},
            },
            "quality",
        ),
        ("/api/masks/select", {"mode": HUGE, "imageUrl": "x"}, "mode"),
        ("/api/masks/select", {"mode": "wand", "imageUrl": "{image}", "point": [HUGE, 1]}, "point"),
        (
            "/api/masks/select",
            {"mode": "wand", "imageUrl": "{image}", "point": [1, 1], "tolerance": HUGE},
            "tolerance",
        ),
    ],
)
def test_a_huge_value_is_refused_without_being_echoed_whole(
    api, onemin, openai, uploaded, settings, path, body, field
):
    settings.API_WAIT_SECONDS = 1
    image = uploaded(png())["fileContent"]["path"]
    body = {k: image if v == "{image}" else v for k, v in body.items()}

    response = api("post", path, json_body=body)

    assert response.status_code in (400, 404), response.content[:300]
    assert response.json()["error"]["field"] == field
    assert len(response.content) < 5_000


# --- selection on images at the ends of the size range ----------------------------------------


def _image(uploaded, w: int, h: int, value: int = 0) -> str:
    buffer = io.BytesIO()
    Image.new("L", (w, h), value).save(buffer, "PNG")
    return uploaded(buffer.getvalue(), "odd.png")["fileContent"]["path"]


@pytest.mark.parametrize("mode", ["wand", "box", "refine"])
def test_a_one_pixel_image_is_refused_for_selection_by_its_size(api, uploaded, mode):
    path = _image(uploaded, 1, 1)
    extra = {"wand": {"point": [0, 0]}, "box": {"box": [0, 0, 1, 1]}, "refine": {"maskUrl": path}}
    before = _stored()

    response = api(
        "post", "/api/masks/select", json_body={"mode": mode, "imageUrl": path, **extra[mode]}
    )

    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["field"] == "imageUrl"
    assert "1x1" in error["message"]
    assert _stored() == before


def test_refine_on_a_very_long_image_picks_a_band_it_accepts(api, uploaded):
    """The default band (2.5% of the longer side) of a 20000 px wide image was 500, over the
    400 the call takes, so a refine that sent no band was refused for it."""
    path = _image(uploaded, 20_000, 40)
    buffer = io.BytesIO()
    mask = Image.new("L", (20_000, 40), 0)
    mask.paste(255, (9_000, 10, 11_000, 30))
    mask.save(buffer, "PNG")
    mask_path = uploaded(buffer.getvalue(), "mask.png")["fileContent"]["path"]

    response = api(
        "post",
        "/api/masks/select",
        json_body={"mode": "refine", "imageUrl": path, "maskUrl": mask_path},
    )

    assert response.json().get("error", {}).get("field") != "band", response.content[:300]


# --- the error code of a failure that is ours -------------------------------------------------


def test_a_500_on_the_api_does_not_blame_the_request(rf):
    """A client reads errorCode to decide whether to change its request: a 500 is ours."""
    response = server_error(rf.get("/api/features"))

    assert response.status_code == 500
    body = json.loads(response.content)
    assert body["errorCode"] == "INTERNAL_ERROR"
    assert body["error"]["message"].startswith("Promptbrush failed")


# --- values a model does not take ---------------------------------------------------------------


def test_megabytes_of_parameters_the_model_does_not_take_are_a_400_not_a_record(api, onemin):
    """Unknown promptObject keys are recorded with the edit, not sent; a record is not a store
    for megabytes, so past 16 KB the call is refused on the biggest of them, nothing kept."""
    notes = {"prompt": "a cat", "myNotes": "n" * 200_000, "tag": "campaign-7"}
    body = {"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": notes}

    response = api("post", "/api/features", json_body=body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "myNotes" and "16 KB" in error["message"]
    assert len(response.content) < 5_000
    assert Record.objects.count() == 0 and onemin.requests == []

    notes["myNotes"] = "kept with the record"
    assert api("post", "/api/features?async=true", json_body=body).status_code == 202
    assert Record.objects.get().prompt_object["myNotes"] == "kept with the record"
