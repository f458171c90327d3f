"""IMAGE_VARIATOR: variations of an image, n 1-10, stored like any edit. A model that serves
variations gets them passed through (OpenAI's /images/variations, 1min.ai's IMAGE_VARIATOR);
one that only edits gets an edit with a variation prompt.

Edits run against the loopback 1min.ai / OpenAI servers (tests/fakes); ImmediateBackend runs
the job."""

import pytest

from gallery.models import Record
from tests.api.support import png

pytestmark = pytest.mark.django_db(transaction=True)


def _vary(api, image: str, model: str, **prompt_object):
    body = {
        "type": "IMAGE_VARIATOR",
        "model": model,
        "promptObject": {"imageUrl": image, **prompt_object},
    }
    return api("post", "/api/features", json_body=body)


def test_an_edit_model_makes_variations_from_a_variation_prompt(api, uploaded, onemin):
    image = uploaded(png())["fileContent"]["path"]

    response = _vary(api, image, "gpt-image-1", n=3)

    assert response.status_code == 200, response.content
    record = response.json()["aiRecord"]
    assert (record["type"], record["status"]) == ("IMAGE_VARIATOR", "SUCCESS")
    assert len(record["aiRecordDetail"]["resultObject"]) == 3
    sent = onemin.requests_to("/api/features")[0].json()
    assert sent["type"] == "IMAGE_EDITOR" and sent["promptObject"]["n"] == 3
    assert "variation of this image" in sent["promptObject"]["prompt"]
    assert sent["promptObject"]["imageUrl"] in onemin.assets  # our source went upstream
    listed = api("get", "/api/features?type=IMAGE_VARIATOR").json()["aiRecords"]
    assert [r["uuid"] for r in listed] == [record["uuid"]]  # the same gallery as every edit


def test_a_prompt_steers_the_variations(api, uploaded, onemin):
    image = uploaded(png())["fileContent"]["path"]

    _vary(api, image, "gpt-image-1", prompt="in autumn colours")

    sent = onemin.requests_to("/api/features")[0].json()["promptObject"]["prompt"]
    assert sent.endswith("in autumn colours") and "variation" in sent


def test_openai_variations_pass_through_where_the_model_serves_them(
    api, uploaded, openai, settings
):
    settings.PROVIDER_EXTRA_MODELS = {
        "openai": [
            {
                "id": "dall-e-2",
                "types": ["IMAGE_VARIATOR"],
                "params": [
                    {"name": "n", "default": 1, "min": 1, "max": 10},
                    {"name": "size", "default": "1024x1024", "choices": ["512x512", "1024x1024"]},
                ],
            }
        ]
    }
    image = uploaded(png())["fileContent"]["path"]

    response = _vary(api, image, "dall-e-2", n=2, size="512x512")

    record = response.json()["aiRecord"]
    assert (response.status_code, record["status"], record["provider"]) == (
        200,
        "SUCCESS",
        "openai",
    )
    assert len(record["aiRecordDetail"]["resultObject"]) == 2
    sent = openai.requests_to("/v1/images/variations")[0]
    assert sent.form()["n"] == "2" and sent.form()["size"] == "512x512"
    assert "prompt" not in sent.form() and sent.part("image").image().size == (64, 48)
    assert openai.requests_to("/v1/images/edits") == []


def test_onemin_variations_pass_through_where_the_model_serves_them(
    api, uploaded, onemin, settings
):
    settings.PROVIDER_EXTRA_MODELS = {"onemin": [{"id": "midjourney", "types": ["IMAGE_VARIATOR"]}]}
    image = uploaded(png())["fileContent"]["path"]

    response = _vary(api, image, "midjourney", n=2)

    assert response.status_code == 200, response.content
    sent = onemin.requests_to("/api/features")[0].json()
    assert (sent["type"], sent["model"]) == ("IMAGE_VARIATOR", "midjourney")
    assert "prompt" not in sent["promptObject"] or not sent["promptObject"]["prompt"]


@pytest.mark.parametrize(
    ("model", "prompt_object", "field"),
    [
        ("gpt-image-1", {"n": 11}, "n"),
        ("gpt-image-1", {"n": 0}, "n"),
        ("black-forest-labs/flux-fill-pro", {}, "type"),  # inpaints only: neither edits nor varies
    ],
)
def test_variation_requests_out_of_range_are_refused(
    api, uploaded, onemin, model, prompt_object, field
):
    image = uploaded(png())["fileContent"]["path"]

    response = _vary(api, image, model, **prompt_object)

    assert (response.status_code, response.json()["error"]["field"]) == (400, field)
    assert Record.objects.count() == 0 and onemin.requests_to("/api/features") == []


def test_a_variation_needs_an_image(api, onemin):
    body = {"type": "IMAGE_VARIATOR", "model": "gpt-image-1", "promptObject": {"n": 2}}

    response = api("post", "/api/features", json_body=body)

    assert (response.status_code, response.json()["error"]["field"]) == (400, "imageUrl")
