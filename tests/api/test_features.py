"""POST /api/features: the 1min.ai seed bodies, temporaryUrl and async mode.

Edits run against the loopback 1min.ai / OpenAI servers (tests/fakes). Real transactions: the
edit job is enqueued on commit (ImmediateBackend runs it inline)."""

import json

import pytest

from gallery.models import Record
from tests.api.support import box_mask, png, seed_body

pytestmark = pytest.mark.django_db(transaction=True)


# --- the seeds' bodies -----------------------------------------------------------------------


def test_seed_text_to_image_body_works_unchanged(api, onemin, alice_membership):
    response = api("post", "/api/features", raw=seed_body("001"))

    assert response.status_code == 200, response.content
    record = response.json()["aiRecord"]
    assert (record["status"], record["provider"], record["model"]) == (
        "SUCCESS",
        "onemin",
        "gpt-image-1",
    )
    assert record["type"] == "IMAGE_GENERATOR"
    assert record["aiRecordDetail"]["promptObject"]["style"] == "natural"
    assert len(record["aiRecordDetail"]["resultObject"]) == 1
    assert record["teamUser"]["usedCredit"] == 4_000
    sent = onemin.requests_to("/api/features")[0].json()
    assert sent["promptObject"]["prompt"] == json.loads(seed_body("001"))["promptObject"]["prompt"]


def test_seed_image_editor_body_works_with_our_asset_path(api, uploaded, onemin):
    path = uploaded(png())["fileContent"]["path"]
    body = seed_body("000").replace("development/images/2025_12_04_18_10_29_882_cat.png", path)

    response = api("post", "/api/features", raw=body)

    assert response.status_code == 200, response.content
    assert response.json()["aiRecord"]["status"] == "SUCCESS"
    assert response.json()["aiRecord"]["aiRecordDetail"]["promptObject"]["imageUrl"] == path


def test_seed_inpainter_body_with_its_trailing_comma_works(api, uploaded, onemin):
    image = uploaded(png())["fileContent"]["path"]
    mask = uploaded(box_mask(), "mask.png")["fileContent"]["path"]
    body = (
        seed_body("003")
        .replace("development/images/2025_12_04_18_10_29_882_cat.png", image)
        .replace("development/images/2025_12_04_18_11_04_824_image.png", mask)
    )
    assert ",\n}" in body  # the seed's own example is not strict JSON

    response = api("post", "/api/features", raw=body)

    assert response.status_code == 200, response.content
    record = response.json()["aiRecord"]
    assert (record["status"], record["model"]) == ("SUCCESS", "gpt-image-1-mini")


# --- temporaryUrl ----------------------------------------------------------------------------


def test_temporary_url_downloads_the_result_without_a_key(api, uploaded, onemin, client, settings):
    settings.SITE_URL = ""
    image = uploaded(png())["fileContent"]["path"]
    body = {
        "type": "IMAGE_EDITOR",
        "model": "gpt-image-1",
        "promptObject": {"imageUrl": image, "prompt": "watercolour", "size": "1024x1024"},
    }
    record = api("post", "/api/features", json_body=body).json()["aiRecord"]

    url = record["temporaryUrl"]
    assert url.startswith("http://testserver/")
    client.logout()
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    stored = Record.objects.get(code=record["uuid"]).images.get().image
    assert b"".join(response.streaming_content) == stored.file.open("rb").read()

    settings.SIGNED_URL_MAX_AGE = -1
    assert client.get(url.removeprefix("http://testserver")).status_code == 404


# --- async mode, reading, rating, listing ----------------------------------------------------


def test_async_query_answers_202_at_once_with_the_record_to_poll(api, onemin, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    body = json.loads(seed_body("001"))

    response = api("post", "/api/features?async=true", json_body=body)

    assert response.status_code == 202
    assert response.json()["aiRecord"]["status"] == "PROCESSING"
    assert onemin.requests == []
