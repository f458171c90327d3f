"""The API's limits (issue 11, items 5-8): one upload limit, text checked in one place, every
number bounded and every parse failure a 4xx, and JSON wherever the API answers."""

import io
import json

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import CreditEntry
from gallery.models import Asset, Record
from tests.api.support import upload_file
from tests.gallery.factories import make_record


@pytest.fixture(autouse=True)
def _answer_at_once(settings):
    # A refused request answers at once; one that slips through must not wait 600 s for a job.
    settings.API_WAIT_SECONDS = 1


def big_png(megabytes: float) -> bytes:
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5) + 1
    pixels = np.random.default_rng(5).integers(0, 256, (side, side, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


def assert_refused(response, status: int, field: str, words: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]["field"] == field, body
    assert words in body["message"], body
    assert (Record.objects.count(), Asset.objects.count(), CreditEntry.objects.count()) == (0,) * 3


# --- item 5: one upload limit ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_api_upload_over_max_upload_mb_is_refused_and_not_stored(api, settings):
    settings.MAX_UPLOAD_MB = 5
    data = big_png(7.7)

    response = upload_file(api, data, "big.png")

    assert_refused(response, 413, "asset", "the limit is 5 MB")


@pytest.mark.django_db
def test_a_page_upload_over_the_limit_is_stopped_as_it_arrives(alice_client, settings):
    settings.MAX_UPLOAD_MB = 1
    upload = SimpleUploadedFile("big.png", big_png(1.5), "image/png")

    response = alice_client.post(reverse("editor:upload"), {"image": upload})

    assert response.status_code == 413
    field = response.content.decode().split('id="field-image"')[1].split("</div>")[0]
    assert "the limit is 1 MB" in field
    assert Asset.objects.count() == 0


# --- item 6: text --------------------------------------------------------------------------


def feature(prompt: str) -> dict:
    return {"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": {"prompt": prompt}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ('"a cat\\u0000 on a mat"', "a NUL character at position 6"),
        ('"a cat \\u001b[31m"', "U+001B"),
        ('"broken \\ud800 text"', "unpaired UTF-16 surrogate"),
    ],
    ids=["nul", "escape", "surrogate"],
)
def test_control_characters_in_the_prompt_are_refused(api, onemin, raw, words):
    body = '{"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": {"prompt": %s}}'

    response = api("post", "/api/features", raw=body % raw)

    assert_refused(response, 400, "prompt", words)
    assert onemin.requests == []


@pytest.mark.django_db
def test_a_nul_in_an_image_path_or_a_parameter_is_refused(api, onemin):
    for key in ("imageUrl", "size"):
        body = {"type": "IMAGE_EDITOR", "model": "gpt-image-1", "promptObject": {"prompt": "x"}}
        body["promptObject"][key] = "assets/x\x00.png"

        assert_refused(api("post", "/api/features", json_body=body), 400, key, "NUL")
    assert onemin.requests == []


@pytest.mark.django_db
def test_a_nul_in_feedback_or_a_search_is_refused(api, alice_membership):
    record = make_record(alice_membership)
    patched = api("patch", f"/api/features/{record.code}", json_body={"feedback": "ok\x00"})
    searched = api("get", "/api/features", data={"q": "cat\x00"})

    assert patched.status_code == searched.status_code == 400
    assert (patched.json()["error"]["field"], searched.json()["error"]["field"]) == (
        "feedback",
        "q",
    )
    record.refresh_from_db()
    assert record.feedback == ""


@pytest.mark.django_db
def test_a_key_with_a_nul_is_simply_not_a_key(client, alice_membership):
    response = client.get("/api/features", headers={"API-KEY": "pb_abc\x00def"})

    assert response.status_code == 401


@pytest.mark.django_db
def test_the_page_form_refuses_control_characters_beside_the_prompt(alice_client, openai):
    model = alice_client.get(reverse("editor:generate")).context["form"].fields["model"].initial
    response = alice_client.post(
        reverse("editor:submit"),
        {"type": "IMAGE_GENERATOR", "provider": "openai", "model": model, "prompt": "a\x07b"},
    )

    assert response.status_code == 422
    field = response.content.decode().split('id="field-prompt"')[1]
    assert "U+0007" in field.split("</div>")[0]
    assert Record.objects.count() == 0


# --- item 7: parse failures and numbers ------------------------------------------------------


@pytest.mark.django_db
def test_deeply_nested_json_is_a_400(api):
    response = api("post", "/api/features", raw="[" * 100_000 + "]" * 100_000)

    assert_refused(response, 400, "body", "nested too deeply")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"offset": "99999999999999999999"}, "offset"),
        ({"page": "99999999999999999999"}, "page"),
        ({"limit": "1" + "0" * 30}, "limit"),
        ({"page": "-1"}, "page"),
        ({"min_rating": "1e309"}, "min_rating"),
    ],
)
def test_out_of_range_numbers_in_the_list_are_a_400(api, query, field):
    response = api("get", "/api/features", data=query)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


# --- item 8: JSON wherever the API answers ---------------------------------------------------


@pytest.mark.django_db
def test_a_body_over_the_memory_limit_is_a_json_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps(feature("x" * 4000))

    response = api("post", "/api/features", raw=body)

    assert_refused(response, 413, "body", "request body is over")


@pytest.mark.django_db
def test_too_many_form_fields_is_a_json_400(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"f{i}": "x" for i in range(50)}

    response = api("post", "/api/assets", data=fields)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errorCode"] == "INVALID_REQUEST"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/features/not-a-uuid", "/api/features/%00"])
@pytest.mark.parametrize("method", ["get", "patch", "options", "trace"])
def test_odd_paths_and_methods_answer_json(api, path, method):
    response = api(method, path)

    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"
