"""Model life (current / deprecated / retired), model parameters, prompt limits and prices, as
a user meets them: the API's provider list, the edit form, the preview and submitting."""

import json

import pytest
from django.urls import reverse

from accounts.services import create_api_token
from editor import services
from gallery.models import Record
from tests.editor.test_jobs_e2e import mask_png, source_png
from tests.gallery.factories import make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, alice_membership):
    token = create_api_token(alice_membership, "script")[1]

    def call(method: str, path: str, body: dict | None = None):
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        return getattr(client, method)(path, headers={"API-KEY": token}, **kwargs)

    return call


@pytest.fixture
def source(alice_membership):
    return services.upload_image(alice_membership, source_png(), "photo.png")


def openai_models(api) -> dict[str, dict]:
    providers = api("get", "/api/providers").json()["providers"]
    return {m["id"]: m for m in next(p for p in providers if p["id"] == "openai")["models"]}


def submit(membership, source, django_capture_on_commit_callbacks, **kwargs) -> Record:
    edit = {
        "type": "IMAGE_EDITOR",
        "provider": "openai",
        "prompt": "dusk",
        "source": source,
        "params": {},
    }
    with django_capture_on_commit_callbacks(execute=True):
        record = services.start_edit(membership, **(edit | kwargs))
    record.refresh_from_db()
    return record


def test_the_api_lists_each_models_life_as_of_today(api):
    models = openai_models(api)

    assert (models["gpt-image-2"]["status"], models["gpt-image-2"]["shutdownDate"]) == (
        "deprecated",
        "2027-02-10",
    )
    assert models["gpt-image-2"]["replacement"] == "gpt-image-2.6-sunburst"
    assert "shuts down on 2027-02-10" in models["gpt-image-2"]["warning"]
    retired = models["gpt-image-1"]
    assert (retired["status"], retired["shutdownDate"], retired["replacement"]) == (
        "retired",
        "2026-10-23",
        "gpt-image-2.5-sunburst",
    )
    # Shut down today (2026-12-01) counts as retired from the first minute of the day.
    assert {models[m]["status"] for m in ("gpt-image-1.5", "gpt-image-1-mini")} == {"retired"}
    for current in ("gpt-image-2.5-sunburst", "gpt-image-2.5-flare", "gpt-image-2.6-flare"):
        assert (models[current]["status"], models[current]["shutdownDate"]) == ("current", None)


def test_a_retired_model_is_refused_with_its_replacement_named(api, openai, alice_membership):
    response = api(
        "post",
        "/api/features",
        {"type": "IMAGE_GENERATOR", "model": "gpt-image-1.5", "promptObject": {"prompt": "x"}},
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "model"
    assert "gpt-image-1.5 was shut down on 2026-12-01" in error["message"]
    assert "use gpt-image-2.5-sunburst instead" in error["message"]
    assert Record.objects.count() == 0 and openai.requests == []


def test_records_made_with_a_retired_model_still_display(alice_client, alice_membership):
    record = make_record(alice_membership, provider="openai", model="gpt-image-1.5")

    response = alice_client.get(reverse("gallery:detail", args=[record.code]))

    assert response.status_code == 200
    assert "gpt-image-1.5" in response.content.decode()


def test_the_form_offers_no_retired_model_and_warns_about_a_deprecated_one(
    alice_client, openai, source
):
    def form(**choice) -> str:
        query = {"source": str(source.code), "type": "IMAGE_EDITOR", "provider": "openai"}
        response = alice_client.get(
            reverse("editor:submit"), query | choice, headers={"HX-Request": "true"}
        )
        return response.content.decode()

    html = form()
    assert 'value="gpt-image-2.5-sunburst"' in html
    for retired in ("gpt-image-1", "gpt-image-1.5", "gpt-image-1-mini", "chatgpt-image-latest"):
        assert f'value="{retired}"' not in html
    assert "data-model-warning" not in html  # the first model offered is current

    html = form(model="gpt-image-2")
    assert "gpt-image-2 is deprecated and shuts down on 2027-02-10" in html
    assert "use gpt-image-2.6-sunburst instead" in html


def test_the_preview_warns_about_a_deprecated_model(alice_client, openai, source):
    data = {
        "source": str(source.code),
        "type": "IMAGE_EDITOR",
        "provider": "openai",
        "model": "gpt-image-2",
        "prompt": "dusk",
    }
    response = alice_client.post(reverse("editor:preflight"), data, headers={"HX-Request": "true"})

    assert response.status_code == 200, response.content.decode()[:2000]
    assert "gpt-image-2 is deprecated and shuts down on 2027-02-10" in response.content.decode()


def test_xhigh_quality_and_complexity_reach_openai(
    openai, alice_membership, source, django_capture_on_commit_callbacks
):
    record = submit(
        alice_membership,
        source,
        django_capture_on_commit_callbacks,
        model="gpt-image-2.6-sunburst",
        params={"quality": "xhigh", "complexity": "low", "background": "transparent"},
    )

    assert (record.status, record.error) == ("SUCCESS", "")
    sent = openai.requests_to("/v1/images/edits")[0].form()
    assert (sent["quality"], sent["complexity"], sent["background"]) == (
        "xhigh",
        "low",
        "transparent",
    )
    assert "input_fidelity" not in sent


@pytest.mark.parametrize(
    ("model", "params", "field"),
    [
        ("gpt-image-2.5-sunburst", {"quality": "ultra"}, "quality"),
        ("gpt-image-2", {"quality": "xhigh"}, "quality"),
        ("gpt-image-2", {"background": "transparent"}, "background"),
        ("gpt-image-2.6-flare", {"complexity": "extreme"}, "complexity"),
        (
            "gpt-image-2.5-flare",
            {"background": "transparent", "output_format": "jpeg"},
            "background",
        ),
    ],
)
def test_model_parameters_are_checked_before_anything_is_sent(
    openai, alice_membership, source, model, params, field
):
    with pytest.raises(services.EditRejected) as rejected:
        services.start_edit(
            alice_membership,
            type="IMAGE_EDITOR",
            provider="openai",
            model=model,
            prompt="dusk",
            params=params,
            source=source,
        )
    assert rejected.value.field == field
    assert Record.objects.count() == 0 and openai.requests == []


def test_transparent_jpeg_is_a_4xx_naming_the_background(api, openai):
    prompt = {"prompt": "a logo", "background": "transparent", "output_format": "jpeg"}
    response = api(
        "post",
        "/api/features",
        {"type": "IMAGE_GENERATOR", "model": "gpt-image-2.5-sunburst", "promptObject": prompt},
    )

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "background"
    assert "png or webp" in response.json()["error"]["message"]


def test_prompt_limits_follow_the_model(
    openai, onemin, alice_membership, source, django_capture_on_commit_callbacks
):
    long_prompt = "a quiet harbour at dusk, " * 200  # 5000 characters

    record = submit(
        alice_membership,
        source,
        django_capture_on_commit_callbacks,
        model="gpt-image-2.5-sunburst",
        prompt=long_prompt,
    )
    assert record.status == "SUCCESS"
    assert openai.requests_to("/v1/images/edits")[0].form()["prompt"] == long_prompt

    with pytest.raises(services.EditRejected) as rejected:
        services.start_edit(
            alice_membership,
            type="IMAGE_INPAINTER",
            provider="onemin",
            model="gpt-image-1",
            prompt=long_prompt,
            params={},
            source=source,
            mask=mask_png(),
        )
    assert rejected.value.field == "prompt"
    assert "gpt-image-1 takes 4,000" in rejected.value.message
    with pytest.raises(services.EditRejected, match="takes 32,000"):
        services.start_edit(
            alice_membership,
            type="IMAGE_EDITOR",
            provider="openai",
            model="gpt-image-2.5-sunburst",
            prompt="x" * 32_001,
            params={},
            source=source,
        )


def test_the_default_price_scales_with_quality_and_output_pixels(openai):
    def cost(model, quality, size):
        return services.estimate_cost("openai", model, {"quality": quality, "size": size})

    assert cost("gpt-image-2.5-sunburst", "high", "1024x1024") == 16_700
    assert cost("gpt-image-2.5-sunburst", "high", "2048x1024") == 33_400
    assert cost("gpt-image-2.5-sunburst", "max", "1024x1024") == 66_800
    assert cost("gpt-image-2.5-flare", "high", "1024x1024") < cost(
        "gpt-image-2.5-sunburst", "high", "1024x1024"
    )


def test_a_price_row_in_settings_still_overrides_the_models_own(openai, settings):
    settings.CREDIT_PRICES = {**settings.CREDIT_PRICES, "openai:*:high:*": 20_000}

    assert services.estimate_cost("openai", "gpt-image-2.5-sunburst", {"quality": "high"}) == 20_000
