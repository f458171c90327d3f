"""imageUrl may be any URL Promptbrush itself issued (a path, a result key, a signed link, an
upload's `location`, a file link; relative or absolute), read from storage without a network
fetch, granting exactly what downloading it would. Foreign URLs still go through the SSRF guard.

SITE_URL is a loopback address here: a network fetch of it would be refused, so an edit that
works proves the URL was read internally."""

import json

import pytest

from accounts.services import create_api_token
from gallery.models import Record
from gallery.services import read_asset
from tests.api.support import png, upload_file

pytestmark = pytest.mark.django_db(transaction=True)
SITE = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _edit(api, image_url: str):
    body = {
        "type": "IMAGE_EDITOR",
        "model": "gpt-image-1",
        "promptObject": {"prompt": "watercolour", "imageUrl": image_url},
    }
    return api("post", "/api/features", json_body=body)


def _source(response) -> object:
    assert response.status_code == 200, response.content
    return Record.objects.get(code=response.json()["aiRecord"]["uuid"]).source


def test_every_form_of_our_own_upload_url_names_the_upload(api, uploaded, onemin):
    answer = uploaded(png())
    path, location = answer["fileContent"]["path"], answer["asset"]["location"]
    code = answer["fileContent"]["uuid"]
    assert location.startswith(SITE + "/gallery/s/")

    for url in (
        path,
        "/" + path,
        code,
        location,
        location.removeprefix(SITE),
        f"{SITE}/{path}",
        f"http://testserver/{path}",  # the request's own host
        f"{SITE}/gallery/files/{code}",
    ):
        assert str(_source(_edit(api, url)).code) == code, url
    assert onemin.requests_to("/api/assets")  # the source went upstream, read from storage


def test_a_result_key_or_result_url_chains_into_the_next_edit(api, uploaded, onemin):
    first = _edit(api, uploaded(png())["fileContent"]["path"]).json()["aiRecord"]
    result = Record.objects.get(code=first["uuid"]).images.get().image

    for url in (
        first["aiRecordDetail"]["resultObject"][0],
        f"{SITE}/{first['aiRecordDetail']['resultObject'][0]}",
        first["resultUrls"][0],
        first["temporaryUrl"].removeprefix(SITE),
    ):
        assert _source(_edit(api, url)) == result, url


def test_another_users_result_key_is_copied_their_upload_path_is_not_found(
    api, uploaded, onemin, client, charlie_membership
):
    charlie_key = create_api_token(charlie_membership, "x")[1]

    def as_charlie(method, path, json_body=None, **kw):
        if json_body is not None:
            kw.update(data=json.dumps(json_body), content_type="application/json")
        return getattr(client, method)(path, headers={"API-KEY": charlie_key}, **kw)

    upload = upload_file(as_charlie, png(color=(1, 2, 3)), "c.png").json()
    theirs = _edit(as_charlie, upload["fileContent"]["path"]).json()["aiRecord"]
    their_result = Record.objects.get(code=theirs["uuid"]).images.get().image

    copied = _source(_edit(api, theirs["aiRecordDetail"]["resultObject"][0]))
    assert copied.team_id != their_result.team_id and copied.pk != their_result.pk
    assert read_asset(copied) == read_asset(their_result)

    signed = _source(_edit(api, upload["asset"]["location"]))  # a signed link is permission
    assert signed.team_id != their_result.team_id

    file_link = f"{SITE}/gallery/files/{upload['fileContent']['uuid']}"
    for private in (upload["fileContent"]["path"], file_link):
        refused = _edit(api, private)
        assert (refused.status_code, refused.json()["error"]["field"]) == (404, "imageUrl")


def test_our_host_with_a_path_that_names_nothing_is_not_fetched(api, onemin):
    response = _edit(api, f"{SITE}/somewhere/cat.png")

    assert (response.status_code, response.json()["error"]["field"]) == (404, "imageUrl")


def test_a_foreign_host_with_our_path_is_fetched_through_the_guard(api, uploaded, onemin):
    path = uploaded(png())["fileContent"]["path"]

    response = _edit(api, f"http://10.0.0.1/{path}")

    assert (response.status_code, response.json()["error"]["field"]) == (400, "imageUrl")
