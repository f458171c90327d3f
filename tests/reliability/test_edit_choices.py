"""The edit form runs exactly the provider and model asked for, or nothing: an unknown,
unusable or stale choice is a 422 naming the field, with no record, no credits and no call
upstream (issue 11, item 2). Also: every error the form reports is rendered (item 9)."""

import pytest
from django.test import TestCase
from django.urls import reverse

from accounts import services as accounts_services
from accounts.models import CreditEntry
from gallery.models import Record


def field_html(html: str, name: str) -> str:
    return html.split(f'id="field-{name}"')[1].split("</div>")[0]


def generate(client, **data):
    body = {"type": "IMAGE_GENERATOR", "prompt": "a lighthouse at dusk", **data}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("editor:submit"), body)


def assert_nothing_happened(*servers):
    assert Record.objects.count() == 0
    assert CreditEntry.objects.count() == 0
    for server in servers:
        assert server.requests == []


@pytest.mark.django_db
def test_an_unknown_provider_is_refused_not_swapped_for_another(alice_client, onemin, openai):
    response = generate(alice_client, provider="midjourney", model="gpt-image-1")

    assert response.status_code == 422
    error = field_html(response.content.decode(), "provider")
    assert "&#x27;midjourney&#x27; is not a provider you can use" in error
    assert "1min.ai" in error and "OpenAI" in error
    assert_nothing_happened(onemin, openai)


@pytest.mark.django_db
def test_an_unknown_model_is_refused_not_swapped_for_the_default(alice_client, openai):
    offered = alice_client.get(reverse("editor:generate")).context["form"].fields["model"]
    response = generate(alice_client, provider="openai", model="dall-e-9")

    assert response.status_code == 422
    error = field_html(response.content.decode(), "model")
    assert "&#x27;dall-e-9&#x27; is not a model of OpenAI for this mode" in error
    assert offered.initial in error
    assert_nothing_happened(openai)


@pytest.mark.django_db
def test_a_model_of_another_provider_is_refused(alice_client, onemin, openai):
    response = generate(alice_client, provider="openai", model="black-forest-labs/flux-schnell")

    assert response.status_code == 422
    assert "is not a model of OpenAI" in field_html(response.content.decode(), "model")
    assert_nothing_happened(onemin, openai)


@pytest.mark.django_db
def test_a_page_loaded_before_the_key_was_removed_is_refused(alice_client, team, openai, settings):
    settings.OPENAI_API_KEY = ""
    accounts_services.set_provider_key(team, "openai", openai.api_key, base_url=openai.base_url)
    page = alice_client.get(reverse("editor:generate"))
    model = page.context["form"].fields["model"].initial
    accounts_services.remove_provider_key(team, "openai")

    response = generate(alice_client, provider="openai", model=model)

    assert response.status_code == 422
    error = field_html(response.content.decode(), "provider")
    assert "OpenAI has no API key for your team" in error
    assert_nothing_happened(openai)


@pytest.mark.django_db
def test_preview_refuses_the_same_choices(alice_client, openai):
    response = alice_client.post(
        reverse("editor:preflight"),
        {"type": "IMAGE_GENERATOR", "prompt": "x", "provider": "openai", "model": "dall-e-9"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "is not a model of OpenAI" in field_html(response.content.decode(), "model")
    assert_nothing_happened(openai)


@pytest.mark.django_db
def test_changing_provider_on_refresh_still_offers_the_new_default(alice_client, openai, onemin):
    response = alice_client.get(
        reverse("editor:submit"),
        {"type": "IMAGE_GENERATOR", "provider": "onemin", "model": "an-openai-only-model"},
        headers={"HX-Request": "true"},
    )

    form = response.context["form"]
    assert response.status_code == 200
    assert form["provider"].value() == "onemin"
    assert form["model"].value() == form.fields["model"].initial != "an-openai-only-model"
    assert not form.errors


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["midjourney:v7", "openai:dall-e-9", "openai"])
def test_an_invalid_also_send_to_target_is_shown(alice_client, openai, onemin, target):
    model = alice_client.get(reverse("editor:generate")).context["form"].fields["model"].initial
    response = generate(alice_client, provider="openai", model=model, also=target)

    assert response.status_code == 422
    html = response.content.decode()
    assert "Also send to:" in field_html(html, "also")
    assert "not one of the available choices" in field_html(html, "also")
    assert_nothing_happened(openai, onemin)


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["IMAGE_BOGUS", "IMAGE_INPAINTER"])
def test_a_mode_the_page_does_not_offer_is_refused_and_shown(alice_client, openai, mode):
    model = alice_client.get(reverse("editor:generate")).context["form"].fields["model"].initial
    response = generate(alice_client, provider="openai", model=model, type=mode)

    assert response.status_code == 422
    assert "Mode: Select a valid choice." in response.content.decode()
    assert_nothing_happened(openai)


@pytest.mark.django_db
def test_mask_options_outside_inpainting_are_shown_when_wrong(alice_client, openai):
    model = alice_client.get(reverse("editor:generate")).context["form"].fields["model"].initial
    response = generate(alice_client, provider="openai", model=model, grow="lots")

    assert response.status_code == 422
    assert "Grow (px): Enter a whole number." in response.content.decode()
    assert_nothing_happened(openai)
