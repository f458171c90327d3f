"""Model aliases: ids only 1min.ai knows (dall-e-3, flux-schnell, ...) run the team's default
generator, retired ids run the replacement their provider names, an admin's table overrides
both; the record keeps the id asked for and the model that ran. GET /api/models lists them.

Edits run against the loopback 1min.ai / OpenAI servers (tests/fakes); ImmediateBackend runs
the job."""

import pytest

from editor.models import ModelAlias
from gallery.models import Record

pytestmark = pytest.mark.django_db(transaction=True)


def _generate(api, model: str, **body):
    payload = {"type": "IMAGE_GENERATOR", "model": model, "promptObject": {"prompt": "a fox"}}
    return api("post", "/api/features", json_body={**payload, **body})


def test_dall_e_3_runs_the_teams_default_generator(api, onemin):
    response = _generate(api, "dall-e-3")

    assert response.status_code == 200, response.content
    record = response.json()["aiRecord"]
    assert (record["model"], record["provider"], record["providerModel"]) == (
        "dall-e-3",
        "onemin",
        "gpt-image-1",
    )
    assert onemin.requests_to("/api/features")[0].json()["model"] == "gpt-image-1"
    stored = Record.objects.get(code=record["uuid"])
    assert (stored.requested_model, stored.model) == ("dall-e-3", "gpt-image-1")


@pytest.mark.parametrize(
    ("asked", "ran"),
    [("gpt-image-1", "gpt-image-2.5-sunburst"), ("gpt-image-1-mini", "gpt-image-2.5-flare")],
)
def test_a_retired_model_runs_the_replacement_its_provider_names(api, openai, asked, ran):
    response = _generate(api, asked)

    assert response.status_code == 200, response.content
    record = response.json()["aiRecord"]
    assert (record["model"], record["provider"], record["providerModel"]) == (asked, "openai", ran)
    assert openai.requests_to("/v1/images/generations")[0].json()["model"] == ran


def test_a_model_the_provider_still_serves_runs_as_asked(api, onemin):
    record = _generate(api, "gpt-image-1").json()["aiRecord"]

    assert (record["model"], record["providerModel"]) == ("gpt-image-1", "gpt-image-1")
    assert Record.objects.get(code=record["uuid"]).requested_model == ""


def test_the_admin_table_wins_over_settings(api, onemin, openai, settings):
    ModelAlias.objects.create(alias="flux-schnell", provider="openai", model="gpt-image-2")
    ModelAlias.objects.create(alias="midjourney", enabled=False)
    settings.MODEL_ALIASES = {**settings.MODEL_ALIASES, "house-style": "openai"}

    flux = _generate(api, "flux-schnell").json()["aiRecord"]
    assert (flux["provider"], flux["providerModel"]) == ("openai", "gpt-image-2")
    house = _generate(api, "house-style").json()["aiRecord"]
    assert (house["provider"], house["providerModel"]) == ("openai", "gpt-image-2.6-sunburst")
    refused = _generate(api, "midjourney")
    assert (refused.status_code, refused.json()["errorCode"]) == (400, "UNSUPPORTED_MODEL")


def test_a_named_provider_picks_its_own_model_for_an_alias(api, onemin, openai):
    record = _generate(api, "stable-image", provider="openai").json()["aiRecord"]

    assert (record["provider"], record["providerModel"]) == ("openai", "gpt-image-2.6-sunburst")


def test_unknown_models_name_the_listing(api, onemin):
    response = _generate(api, "no-such-model")

    assert (response.status_code, response.json()["errorCode"]) == (400, "UNSUPPORTED_MODEL")
    assert "/api/models?feature=IMAGE_GENERATOR" in response.json()["message"]


def test_models_lists_what_can_be_asked_for_aliases_included(api, openai):
    response = api("get", "/api/models?feature=IMAGE_GENERATOR")

    assert response.status_code == 200
    models = {m["id"]: m for m in response.json()["models"]}
    assert models["gpt-image-2.5-sunburst"] == {
        "id": "gpt-image-2.5-sunburst",
        "provider": "openai",
        "model": "gpt-image-2.5-sunburst",
        "alias": False,
        "status": "current",
    }
    assert (models["dall-e-3"]["alias"], models["dall-e-3"]["provider"]) == (True, "openai")
    assert models["gpt-image-1"]["model"] == "gpt-image-2.5-sunburst"
    assert "patchmatch" not in models  # the local fills do not generate
    assert not [m for m in models.values() if m["status"] == "retired"]


def test_models_for_inpainting_and_a_bad_feature(api):
    inpaint = api("get", "/api/models?feature=IMAGE_INPAINTER").json()["models"]
    assert {"patchmatch", "telea"} <= {m["id"] for m in inpaint}

    for query in ("", "?feature=VIDEO"):
        bad = api("get", f"/api/models{query}")
        assert (bad.status_code, bad.json()["error"]["field"]) == (400, "feature")
