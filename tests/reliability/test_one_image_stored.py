"""Uploads from the page and the API, and what a provider sends back, are stored as exactly
one image: a ZIP appended after the image's end is not kept (issue 11, item 11)."""

import io
import zipfile

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from accounts import services as accounts_services
from gallery.models import Asset, Record
from tests.fakes import openai_server

PAYLOAD = b"SECRET-PAYLOAD"


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.txt", PAYLOAD)
    return buffer.getvalue()


def photo(mode: str = "RGB", size=(64, 48)) -> Image.Image:
    rng = np.random.default_rng(7)
    channels = len(mode)
    pixels = rng.integers(0, 255, (size[1], size[0], channels), dtype=np.uint8)
    return Image.fromarray(pixels, mode)


def encoded(img: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def stored_bytes(asset: Asset) -> bytes:
    with asset.file.open("rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_a_page_upload_with_a_zip_appended_stores_only_the_image(alice_client):
    png = encoded(photo(), "PNG")
    upload = SimpleUploadedFile("cat.png", png + zip_bytes(), "image/png")

    response = alice_client.post(reverse("editor:upload"), {"image": upload})

    assert response.status_code == 302
    assert stored_bytes(Asset.objects.get(kind=Asset.Kind.UPLOAD)) == png


@pytest.mark.django_db
def test_an_api_upload_with_a_zip_appended_stores_only_the_image(client, alice_membership):
    _, token = accounts_services.create_api_token(alice_membership, "t")
    jpeg = encoded(photo(), "JPEG", quality=90)
    upload = SimpleUploadedFile("cat.jpg", jpeg + zip_bytes(), "image/jpeg")

    response = client.post(reverse("api:assets"), {"asset": upload}, HTTP_API_KEY=token)

    assert response.status_code == 200
    assert stored_bytes(Asset.objects.get(kind=Asset.Kind.UPLOAD)) == jpeg


@pytest.mark.django_db
def test_a_provider_image_with_a_zip_appended_is_stored_without_it(
    alice_client, openai, monkeypatch
):
    real_png = openai_server.make_png
    monkeypatch.setattr(openai_server, "make_png", lambda *a, **k: real_png(*a, **k) + zip_bytes())
    model = alice_client.get(reverse("editor:generate")).context["form"].fields["model"].initial

    with TestCase.captureOnCommitCallbacks(execute=True):
        alice_client.post(
            reverse("editor:submit"),
            {"type": "IMAGE_GENERATOR", "provider": "openai", "model": model, "prompt": "a cat"},
        )

    record = Record.objects.get()
    assert record.status == Record.Status.SUCCESS, record.error
    image = record.images.get()
    for asset in (image.image, image.raw):
        data = stored_bytes(asset)
        assert PAYLOAD not in data
        assert data.endswith(b"IEND\xaeB`\x82")
