"""Previews: stored once with an upload (and with every result, see test_jobs_e2e), served
with ?preview to whoever may see the image, and to nobody else."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gallery.models import Asset
from tests.conftest import png_bytes
from tests.imagedata import photo_jpeg

pytestmark = pytest.mark.django_db


def test_a_large_upload_gets_a_1600_px_preview_served_on_request(alice_client, alice):
    image = SimpleUploadedFile("big.jpg", photo_jpeg(2000, 1300), "image/jpeg")
    alice_client.post(reverse("editor:upload"), {"image": image})
    asset = Asset.objects.get(owner=alice, kind=Asset.Kind.UPLOAD)
    assert (asset.preview.width, asset.preview.height) == (1600, 1040)
    url = reverse("gallery:file", args=[asset.code])
    assert alice_client.get(url)["Content-Type"] == "image/jpeg"
    assert alice_client.get(url + "?preview")["Content-Type"] == "image/webp"


def test_a_small_jpeg_upload_is_its_own_preview(alice_client, alice):
    image = SimpleUploadedFile("small.jpg", photo_jpeg(800, 600), "image/jpeg")
    alice_client.post(reverse("editor:upload"), {"image": image})
    asset = Asset.objects.get(owner=alice, kind=Asset.Kind.UPLOAD)
    assert asset.preview is None
    url = reverse("gallery:file", args=[asset.code]) + "?preview"
    assert alice_client.get(url)["Content-Type"] == "image/jpeg"


def test_a_preview_is_not_served_to_another_team(alice_client, alice, charlie):
    image = SimpleUploadedFile("cat.png", png_bytes(80, 60), "image/png")
    alice_client.post(reverse("editor:upload"), {"image": image})
    asset = Asset.objects.get(owner=alice, kind=Asset.Kind.UPLOAD)
    outsider = Client()
    outsider.force_login(charlie)
    for code in (asset.code, asset.preview.code):
        url = reverse("gallery:file", args=[code])
        assert outsider.get(url + "?preview").status_code == 404
        assert alice_client.get(url + "?preview").status_code == 200
