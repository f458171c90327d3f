"""Editor pages through Django's test client: upload, canvas, form refresh, submit, text to
image, preview (the job cards are in test_job_cards.py)."""

import base64
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from gallery.models import Asset, Record
from tests.conftest import png_bytes
from tests.editor.support import finished_record, mask_png
from tests.gallery.factories import make_record


def inpaint_data(asset, **extra):
    data = {
        "source": str(asset.code),
        "type": "IMAGE_INPAINTER",
        "provider": "local",
        "model": "telea",
        "p_radius": "5",
        "prompt": "",
        "grow": "0",
        "feather": "0",
        "paste_back": "on",
        "mask": SimpleUploadedFile("mask.png", mask_png(), "image/png"),
    }
    data.update(extra)
    return data


# ---- start page and upload ------------------------------------------------------------------


def test_home_lists_my_recent_uploads(alice_client, asset):
    response = alice_client.get(reverse("editor:home"))
    assert response.status_code == 200
    assert [a.code for a in response.context["uploads"]] == [asset.code]
    assert reverse("editor:edit", args=[asset.code]) in response.content.decode()


def test_home_does_not_list_another_members_uploads(bob_client, asset):
    response = bob_client.get(reverse("editor:home"))
    assert list(response.context["uploads"]) == []


def test_upload_stores_the_image_and_opens_the_canvas(alice_client, alice):
    image = SimpleUploadedFile("cat.png", png_bytes(80, 60), "image/png")
    response = alice_client.post(reverse("editor:upload"), {"image": image})
    asset = Asset.objects.get(owner=alice, kind=Asset.Kind.UPLOAD)
    assert (asset.name, asset.width, asset.height) == ("cat.png", 80, 60)
    assert response["Location"] == reverse("editor:edit", args=[asset.code])
    # A PNG is heavy for pages: a WebP preview is stored with it, once.
    assert (asset.preview.kind, asset.preview.content_type) == ("PREVIEW", "image/webp")
    assert (asset.preview.width, asset.preview.height) == (80, 60)


def test_upload_answers_json_to_the_progress_uploader(alice_client, alice):
    image = SimpleUploadedFile("cat.png", png_bytes(), "image/png")
    response = alice_client.post(
        reverse("editor:upload"), {"image": image}, headers={"Accept": "application/json"}
    )
    asset = Asset.objects.get(owner=alice, kind=Asset.Kind.UPLOAD)
    assert response.json() == {
        "url": reverse("editor:edit", args=[asset.code]),
        "code": str(asset.code),
    }


def test_upload_of_a_text_file_says_why_next_to_the_field(alice_client):
    bad = SimpleUploadedFile("notes.png", b"hello, not an image", "image/png")
    response = alice_client.post(reverse("editor:upload"), {"image": bad})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "image": ["The image file is not a PNG, JPEG or WebP image."]
    }
    assert 'id="field-image"' in response.content.decode()
    assert Asset.objects.count() == 0


def test_upload_error_as_json(alice_client):
    bad = SimpleUploadedFile("notes.txt", b"hello", "text/plain")
    response = alice_client.post(
        reverse("editor:upload"), {"image": bad}, headers={"Accept": "application/json"}
    )
    assert (response.status_code, response.json()) == (
        400,
        {"error": "The image file is not a PNG, JPEG or WebP image."},
    )


def test_upload_over_the_size_limit_is_refused(alice_client, settings):
    settings.MAX_UPLOAD_MB = 0
    image = SimpleUploadedFile("cat.png", png_bytes(), "image/png")
    response = alice_client.post(reverse("editor:upload"), {"image": image})
    assert response.context["form"].errors["image"][0].endswith("the limit is 0 MB.")
    assert Asset.objects.count() == 0


def test_upload_without_a_file(alice_client):
    response = alice_client.post(reverse("editor:upload"), {})
    assert response.context["form"].errors == {"image": ["This field is required."]}


def test_pages_need_sign_in(client, alice):
    response = client.get(reverse("editor:generate"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# ---- canvas page ------------------------------------------------------------------------------


def test_canvas_page_offers_only_usable_providers(alice_client, asset):
    response = alice_client.get(reverse("editor:edit", args=[asset.code]))
    form = response.context["form"]
    assert form.fields["provider"].choices == [("local", "Local (OpenCV)")]
    assert [c[0] for c in form.fields["model"].choices] == ["patchmatch", "telea", "navier-stokes"]
    assert form.param_names == []  # PatchMatch, the default, has no knobs to set
    body = response.content.decode()
    assert 'aria-label="Image photo.png, 64 by 48 pixels.' in body
    assert f'data-asset="{asset.code}"' in body
    assert response.context["cost"] == 0


def test_outsider_gets_404_on_the_canvas(charlie_client, asset):
    assert charlie_client.get(reverse("editor:edit", args=[asset.code])).status_code == 404


def test_team_member_cannot_open_anothers_upload(bob_client, asset):
    assert bob_client.get(reverse("editor:edit", args=[asset.code])).status_code == 404


def test_refresh_for_another_mode_rebuilds_the_form_partial(alice_client, asset):
    response = alice_client.get(
        reverse("editor:submit"),
        {"source": str(asset.code), "type": "IMAGE_GENERATOR", "prompt": "a red boat"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="edit-form"')
    assert "<html" not in body
    assert response.context["form"].errors == {}
    assert "No provider your team has set up can do this." in body  # local only inpaints
    assert ">\na red boat</textarea>" in body


def test_refresh_keeps_the_prompt_and_shows_no_errors_without_js(alice_client, asset):
    response = alice_client.get(
        reverse("editor:submit"),
        {"source": str(asset.code), "type": "IMAGE_INPAINTER", "model": "navier-stokes"},
    )
    assert "<html" in response.content.decode()
    form = response.context["form"]
    assert (form.fields["provider"].initial, form.fields["model"].initial) == (
        "local",
        "navier-stokes",
    )
    assert form.errors == {}


def test_continue_from_a_result_sets_the_parent(alice_client, alice_membership, asset):
    with_result = finished_record(alice_membership, asset)
    result = with_result.images.get().image
    url = reverse("editor:edit", args=[result.code])
    response = alice_client.get(url, {"from": str(with_result.code), "result": "1"})
    assert response.context["asset"] == result
    assert response.context["form"]["parent"].value() == str(with_result.code)
    # A result number that is not this image is not found.
    assert alice_client.get(url, {"from": str(with_result.code), "result": "2"}).status_code == 404


# ---- submit ---------------------------------------------------------------------------------


def test_submit_with_htmx_answers_a_job_card_that_is_done(
    alice_client, asset, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("editor:submit"), inpaint_data(asset), headers={"HX-Request": "true"}
        )
    record = Record.objects.get()
    assert (record.type, record.provider, record.model, record.source) == (
        "IMAGE_INPAINTER",
        "local",
        "telea",
        asset,
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="job-group')
    assert f'id="job-{record.code}"' in body
    assert response.headers["HX-Trigger"] == '{"creditsChanged": {"used": 0, "limit": 100000}}'


def test_submit_without_js_redirects_back_to_the_canvas(alice_client, asset):
    response = alice_client.post(reverse("editor:submit"), inpaint_data(asset))
    assert response["Location"] == reverse("editor:edit", args=[asset.code])
    assert Record.objects.count() == 1


def test_an_empty_mask_is_shown_beside_the_mask_options(alice_client, asset):
    data = inpaint_data(asset, mask=SimpleUploadedFile("m.png", mask_png(box=(0, 0, 0, 0))))
    response = alice_client.post(reverse("editor:submit"), data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="edit-form"')
    assert Record.objects.count() == 0
    [error] = response.context["form"].non_field_errors()
    assert f'<p class="error" role="alert" data-error-for="mask">{error}</p>' in body


def test_an_out_of_range_parameter_is_shown_beside_that_field(alice_client, asset):
    response = alice_client.post(
        reverse("editor:submit"),
        inpaint_data(asset, p_radius="99", prompt="keep me"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors == {"p_radius": ["Ensure this value is less than or equal to 25."]}
    body = response.content.decode()
    assert ">\nkeep me</textarea>" in body
    field_start = body.index('id="field-p_radius"')
    field_end = body.index("</div>", field_start)
    assert "Ensure this value is less than or equal to 25." in body[field_start:field_end]
    # and in the summary at the top, linking to the field
    assert 'href="#field-p_radius">Radius (px): Ensure this value' in body[:field_start]
    assert Record.objects.count() == 0


def test_a_prompt_over_4000_characters_is_refused_beside_the_prompt(alice_client, asset):
    response = alice_client.post(
        reverse("editor:submit"),
        inpaint_data(asset, prompt="x" * 4001),
        headers={"HX-Request": "true"},
    )
    assert response.context["form"].errors == {
        "prompt": ["Ensure this value has at most 4000 characters (it has 4001)."]
    }


def test_engine_rejection_lands_on_the_named_field(alice_client, alice_membership, asset):
    alice_membership.credit_limit = 0
    alice_membership.save()
    # Every price for local is 0, so make local cost something through the price table.
    with override_settings(CREDIT_PRICES={"*:*:*:*": 500}):
        response = alice_client.post(
            reverse("editor:submit"), inpaint_data(asset), headers={"HX-Request": "true"}
        )
    assert response.status_code == 422
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert "credit" in errors[0].lower()
    assert Record.objects.count() == 0


def test_submit_to_several_models_makes_one_grouped_card_each(
    alice_client, asset, django_capture_on_commit_callbacks
):
    data = inpaint_data(asset, also=["local:navier-stokes"])
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("editor:submit"), data, headers={"HX-Request": "true"})
    records = list(Record.objects.order_by("id"))
    assert [(r.provider, r.model) for r in records] == [
        ("local", "telea"),
        ("local", "navier-stokes"),
    ]
    assert records[0].group == records[1].group is not None
    body = response.content.decode()
    assert body.count("data-job\n") + body.count("data-job ") == 2
    assert '<div class="job-group several"' in body


def test_outsider_cannot_submit_on_someone_elses_image(charlie_client, asset):
    response = charlie_client.post(reverse("editor:submit"), inpaint_data(asset))
    assert response.status_code == 404
    assert Record.objects.count() == 0


# ---- text to image ----------------------------------------------------------------------------


def test_generate_page_without_usable_provider_says_so(alice_client):
    response = alice_client.get(reverse("editor:generate"))
    body = response.content.decode()
    assert "No provider your team has set up can do this." in body
    assert '<a href="/accounts/keys/">Provider keys</a>' in body  # alice administers her team
    assert response.context["form"].fields["type"].initial == "IMAGE_GENERATOR"


def test_generate_with_openai_offers_its_parameters(alice_client, settings):
    settings.OPENAI_API_KEY = "sk-test"
    response = alice_client.get(reverse("editor:generate"))
    form = response.context["form"]
    assert form.fields["provider"].choices[0] == ("openai", "OpenAI")
    assert {"n", "size", "quality", "output_format"} <= set(form.param_names)
    assert response.context["cost"] > 0


def test_generate_without_js_posts_and_returns_to_the_page(alice_client, settings):
    settings.OPENAI_API_KEY = "sk-test"
    response = alice_client.post(
        reverse("editor:submit"),
        {
            "type": "IMAGE_GENERATOR",
            "provider": "openai",
            "model": alice_client.get(reverse("editor:generate"))
            .context["form"]
            .fields["model"]
            .initial,
            "prompt": "a lighthouse at dusk",
            "p_n": "2",
        },
    )  # the job is queued: commit hooks do not run inside this test's transaction
    assert response["Location"] == reverse("editor:generate")
    record = Record.objects.get()
    assert (record.type, record.provider, record.prompt, record.source) == (
        "IMAGE_GENERATOR",
        "openai",
        "a lighthouse at dusk",
        None,
    )
    page = alice_client.get(reverse("editor:generate"))
    assert f'id="job-{record.code}"' in page.content.decode()


def _record_with_prompt(membership, prompt, *, rating=None):
    return make_record(membership, results=0, prompt=prompt, rating=rating)


def test_the_form_offers_my_recent_prompts_newest_first_with_their_best_rating(
    alice_client, alice_membership, bob_membership, asset
):
    _record_with_prompt(alice_membership, "a red balloon over the roofs", rating=2)
    _record_with_prompt(alice_membership, "a red balloon over the roofs", rating=5)
    _record_with_prompt(alice_membership, "remove the lamp post")
    _record_with_prompt(bob_membership, "bob's secret prompt")

    html = alice_client.get(reverse("editor:edit", args=[asset.code])).content.decode()

    history = html[html.index('class="recent-prompts"') :]
    assert history.index("remove the lamp post") < history.index("a red balloon over the roofs")
    assert 'data-use-prompt="a red balloon over the roofs"' in history
    assert "rated 5 of 5 · used 2 times" in history
    assert "bob&#x27;s secret prompt" not in html and "bob's secret prompt" not in html


# ---- preview what is sent -------------------------------------------------------------------


def test_preview_shows_each_providers_mask_and_size_and_writes_nothing(
    alice_client, alice_membership, asset, settings
):
    settings.OPENAI_API_KEY = "sk-test"  # configured, and never called: nothing is sent
    data = inpaint_data(
        asset,
        prompt="a potted plant",
        also=["openai:gpt-image-2.5-sunburst"],
    )

    response = alice_client.post(reverse("editor:preflight"), data, headers={"HX-Request": "true"})

    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert "Local (OpenCV) · telea" in html and "The mask stays on this machine" in html
    assert "OpenAI · gpt-image-2.5-sunburst" in html
    assert "PNG with an alpha channel: fully transparent where the model may paint" in html
    assert "Image: PNG, 64x48 px." in html
    encoded = html.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    mask = Image.open(io.BytesIO(base64.b64decode(encoded)))
    assert (mask.mode, mask.size) == ("RGBA", (64, 48))
    assert mask.getpixel((20, 20))[3] == 0 and mask.getpixel((50, 40))[3] == 255
    assert Record.objects.count() == 0
    assert Asset.objects.filter(kind=Asset.Kind.MASK).count() == 0
    alice_membership.refresh_from_db()
    assert alice_membership.used_credit == 0


def test_preview_refuses_what_submitting_would_refuse(alice_client, asset, settings):
    settings.OPENAI_API_KEY = "sk-test"
    data = inpaint_data(asset, provider="openai", model="gpt-image-2.5-sunburst", prompt="")
    data.pop("p_radius")

    response = alice_client.post(reverse("editor:preflight"), data, headers={"HX-Request": "true"})

    assert response.status_code == 422
    html = response.content.decode()
    start = html.index('id="field-prompt"')  # the error sits inside the prompt's field
    end = html.find('id="field-', start + 1)
    assert "Describe the change you want in the prompt." in html[start : end if end > 0 else None]
    assert Record.objects.count() == 0
