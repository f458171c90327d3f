"""Models an admin adds in the database join the catalogue without a release."""

import pytest
from django.core.exceptions import ValidationError

from accounts.services import create_api_token
from editor import services
from editor.models import CatalogueModel
from tests.editor.test_jobs_e2e import source_png
from tests.fakes.openai_server import OpenAIServer

GPT_IMAGE_3 = {
    "types": ["IMAGE_EDITOR"],
    "label": "GPT Image 3",
    "params": [{"name": "quality", "default": "high", "choices": ["high", "low"]}],
}


def openai_models(client, membership):
    token = create_api_token(membership, "script")[1]
    providers = client.get("/api/providers", headers={"API-KEY": token}).json()["providers"]
    return {m["id"]: m for m in next(p for p in providers if p["id"] == "openai")["models"]}


@pytest.mark.django_db
def test_an_admin_added_model_is_listed_with_its_parameters(client, alice_membership):
    CatalogueModel.objects.create(provider="openai", model_id="gpt-image-3", spec=GPT_IMAGE_3)

    model = openai_models(client, alice_membership)["gpt-image-3"]

    assert model["types"] == ["IMAGE_EDITOR"]
    assert model["params"] == [{"name": "quality", "default": "high", "choices": ["high", "low"]}]


@pytest.mark.django_db
def test_an_admin_added_model_is_validated_and_sent_as_named(
    alice_membership, settings, django_capture_on_commit_callbacks
):
    CatalogueModel.objects.create(provider="openai", model_id="gpt-image-3", spec=GPT_IMAGE_3)
    source = services.upload_image(alice_membership, source_png(), "photo.png")
    edit = dict(
        type="IMAGE_EDITOR", provider="openai", model="gpt-image-3", prompt="dusk", source=source
    )
    with OpenAIServer() as server:
        settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = server.base_url, server.api_key

        with pytest.raises(services.EditRejected) as rejected:
            services.start_edit(alice_membership, params={"quality": "medium"}, **edit)
        assert rejected.value.field == "quality"

        with django_capture_on_commit_callbacks(execute=True):
            record = services.start_edit(alice_membership, params={"quality": "low"}, **edit)

    record.refresh_from_db()
    assert (record.status, record.error) == ("SUCCESS", "")
    sent = server.requests_to("/v1/images/edits")[0].form()
    assert (sent["model"], sent["quality"]) == ("gpt-image-3", "low")


@pytest.mark.django_db
def test_a_disabled_or_broken_row_leaves_the_catalogue_working(client, alice_membership):
    CatalogueModel.objects.create(
        provider="openai", model_id="gpt-image-3", spec=GPT_IMAGE_3, enabled=False
    )
    # Saved around the admin's validation: a typo in a key.
    CatalogueModel.objects.create(provider="openai", model_id="typo", spec={"tpyes": []})

    models = openai_models(client, alice_membership)

    assert "gpt-image-3" not in models and "typo" not in models
    assert "gpt-image-2.5-sunburst" in models  # the seeded ones are still there


def test_the_admin_form_names_what_is_wrong_with_a_spec():
    row = CatalogueModel(provider="openai", model_id="x", spec={"tpyes": ["IMAGE_EDITOR"]})
    with pytest.raises(ValidationError) as error:
        row.clean()
    assert "Unknown model field(s): tpyes" in str(error.value)
