"""Result keys the 1min.ai way: GET /<resultObject key> downloads a result with no credentials,
as 1min.ai's asset host does; nothing else is served that way, a deleted key and a made-up one
are the same 404, and RESULT_KEYS_PUBLIC=false turns the route off.

Edits run against the loopback 1min.ai server (tests/fakes); ImmediateBackend runs the job."""

import uuid

import pytest
from django.test import Client

from gallery.models import Asset, Record
from gallery.services import read_asset
from tests.api.support import box_mask, png

pytestmark = pytest.mark.django_db(transaction=True)


def _inpaint(api, uploaded, n: int = 2) -> dict:
    image = uploaded(png())["fileContent"]["path"]
    mask = uploaded(box_mask(), "mask.png")["fileContent"]["path"]
    body = {
        "type": "IMAGE_INPAINTER",
        "model": "gpt-image-1",
        "promptObject": {"prompt": "a red door", "imageUrl": image, "maskUrl": mask, "n": n},
    }
    response = api("post", "/api/features", json_body=body)
    assert response.status_code == 200, response.content
    return response.json()["aiRecord"]


def _download(key: str):
    response = Client().get(f"/{key}")  # no session, no API key
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_every_result_and_raw_output_downloads_by_its_key_without_credentials(
    api, uploaded, onemin
):
    record = _inpaint(api, uploaded)
    keys = record["aiRecordDetail"]["resultObject"]
    raw_keys = record["rawResultObject"]
    assert len(keys) == len(raw_keys) == 2

    stored = Record.objects.get(code=record["uuid"]).images.select_related("image", "raw")
    for item, key, raw_key in zip(stored, keys, raw_keys, strict=True):
        for asset, asked in ((item.image, key), (item.raw, raw_key)):
            response, body = _download(asked)
            assert response.status_code == 200, asked
            assert body == read_asset(asset)
            assert response["Content-Type"] == asset.content_type
            assert response["Referrer-Policy"] == "no-referrer"
            assert response["X-Content-Type-Options"] == "nosniff"
    assert _download(keys[0])[1] != _download(raw_keys[0])[1]  # pasted back vs provider's own


def test_uploads_masks_thumbnails_and_made_up_keys_are_the_same_404(api, uploaded, onemin):
    record = _inpaint(api, uploaded, n=1)
    prompt = record["aiRecordDetail"]["promptObject"]
    key = record["aiRecordDetail"]["resultObject"][0]
    thumbnail = Record.objects.get(code=record["uuid"]).images.get().thumbnail
    stem, extension = key.rsplit(".", 1)

    never = _download(f"assets/{uuid.uuid4()}.png")
    assert never[0].status_code == 404
    for private in (
        prompt["imageUrl"],  # the upload
        prompt["maskUrl"],  # the mask
        thumbnail.path,
        f"{stem}.{'webp' if extension != 'webp' else 'png'}",  # the right uuid, another type
        "assets/" + stem.removeprefix("assets/").upper() + "." + extension,
        f"{key}.png",
        "assets/",
        "assets/x",
    ):
        response, body = _download(private)
        assert (response.status_code, body) == (404, never[1]), private


def test_a_deleted_records_keys_are_gone(api, uploaded, onemin, alice_client):
    record = _inpaint(api, uploaded, n=2)
    keys = record["aiRecordDetail"]["resultObject"] + record["rawResultObject"]
    assert all(_download(key)[0].status_code == 200 for key in keys)

    alice_client.post(f"/gallery/{record['uuid']}/delete")

    never = _download(f"assets/{uuid.uuid4()}.png")
    for key in keys:
        assert _download(key)[0].status_code == 404
        assert _download(key)[1] == never[1]  # deleted looks exactly like never-existed
    assert not Asset.objects.filter(kind__in=["RESULT", "RAW"]).exists()


def test_result_keys_public_false_turns_the_route_off(api, uploaded, onemin, settings):
    record = _inpaint(api, uploaded, n=1)
    settings.RESULT_KEYS_PUBLIC = False

    assert _download(record["aiRecordDetail"]["resultObject"][0])[0].status_code == 404
    temporary = record["temporaryUrl"].removeprefix("http://testserver")
    assert Client().get(temporary).status_code == 200  # signed links still work


def test_result_urls_are_signed_absolute_links_for_every_result(api, uploaded, onemin):
    record = _inpaint(api, uploaded, n=3)

    urls = record["resultUrls"]
    assert len(urls) == 3 and urls[0] == record["temporaryUrl"]
    stored = Record.objects.get(code=record["uuid"]).images.select_related("image")
    for url, item in zip(urls, stored, strict=True):
        assert url.startswith("http://testserver/gallery/s/")
        response = Client().get(url.removeprefix("http://testserver"))
        assert b"".join(response.streaming_content) == read_asset(item.image)
