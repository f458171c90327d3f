"""A rejected submit shows every error at once: the form's own (a parameter out of range) and
the service's (no mask painted, no prompt for a provider that reads it), each beside its field
and together in a summary at the top. Nothing is written."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from editor.catalogue import models_for
from gallery.models import Record
from tests.editor.support import finished_record
from tests.editor.test_views import inpaint_data

HTMX = {"HX-Request": "true"}


def blank_mask() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("L", (64, 48), 0).save(buffer, "PNG")
    return SimpleUploadedFile("mask.png", buffer.getvalue(), "image/png")


def summary(body: str) -> list[str]:
    block = body[body.index("data-error-summary") : body.index("</ul>")]
    return re.findall(r'<a href="#([\w-]+)">', block)


def test_a_form_error_and_an_empty_mask_are_shown_together(alice_client, asset):
    data = inpaint_data(asset, p_radius="99", mask=blank_mask())
    response = alice_client.post(reverse("editor:submit"), data, headers=HTMX)

    assert response.status_code == 422
    body = response.content.decode()
    assert summary(body) == ["field-p_radius", "field-mask"]
    assert "2 things to fix before sending:" in body
    mask_field = body[body.index('id="field-mask"') :]
    assert "The mask is empty" in mask_field[: mask_field.index("</fieldset>")]
    assert Record.objects.count() == 0


def test_a_missing_prompt_and_a_missing_mask_are_shown_together(alice_client, asset, settings):
    settings.OPENAI_API_KEY = "sk-test"  # a provider that reads the prompt; nothing is sent
    model = next(m.id for m in models_for("openai") if "IMAGE_INPAINTER" in m.types)
    data = inpaint_data(asset, provider="openai", model=model)
    del data["mask"]
    del data["p_radius"]
    response = alice_client.post(reverse("editor:submit"), data, headers=HTMX)

    assert response.status_code == 422
    body = response.content.decode()
    assert summary(body) == ["field-prompt", "field-mask"]
    prompt_field = body[body.index('id="field-prompt"') : body.index('id="field-mask"')]
    assert "Describe the change you want in the prompt." in prompt_field
    assert Record.objects.count() == 0


def test_one_error_reads_as_one(alice_client, asset):
    response = alice_client.post(
        reverse("editor:submit"), inpaint_data(asset, mask=blank_mask()), headers=HTMX
    )
    assert response.status_code == 422
    assert "1 thing to fix before sending:" in response.content.decode()


def test_without_javascript_the_rejected_page_is_the_canvas_page_with_its_jobs_and_masks(
    alice_client, alice_membership, asset
):
    """A refused submit without JavaScript answers the whole canvas page: the same jobs and
    earlier masks as opening the image, not a thinner copy."""
    earlier = finished_record(alice_membership, asset)
    opened = alice_client.get(reverse("editor:edit", args=[asset.code])).content.decode()
    response = alice_client.post(
        reverse("editor:submit"), inpaint_data(asset, p_radius="99", mask=blank_mask())
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert f'id="job-{earlier.code}"' in body and f'id="job-{earlier.code}"' in opened
    assert "data-reuse-mask" in opened and "data-reuse-mask" in body  # the earlier mask
