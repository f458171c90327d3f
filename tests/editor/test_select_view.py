"""The canvas's selection endpoint: refine, wand and box on the member's own image, as JSON."""

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from editor import services
from gallery.models import Asset
from tests.scenes import iou, make_scene

pytestmark = pytest.mark.django_db


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def scene():
    return make_scene(2, size=(768, 512), slack=16)


@pytest.fixture
def asset(alice_membership, scene):
    return services.upload_image(alice_membership, png(scene.image), "scene.png")


def url(asset):
    return reverse("editor:select", args=[asset.code])


def mask_of(client, answer) -> np.ndarray:
    response = client.get(answer["url"])
    assert response.status_code == 200
    return np.asarray(Image.open(io.BytesIO(b"".join(response.streaming_content))).convert("L"))


def masks_stored() -> int:
    return Asset.objects.filter(kind=Asset.Kind.MASK).count()


def test_wand_click_selects_the_flat_object(alice_client, asset, scene):
    x, y = scene.inside
    response = alice_client.post(url(asset), {"mode": "wand", "x": x, "y": y, "tolerance": 20})
    assert response.status_code == 200
    answer = response.json()
    selected = mask_of(alice_client, answer)
    assert selected.shape == scene.truth.shape
    assert iou(selected, scene.truth) >= 0.97
    assert answer["coverage"] == pytest.approx((scene.truth > 0).mean(), abs=0.01)
    stored = Asset.objects.get(kind=Asset.Kind.MASK)
    assert stored.owner.username == "alice" and (stored.width, stored.height) == (768, 512)


def test_refine_snaps_the_painted_mask_to_the_object(alice_client, asset, scene):
    rough = SimpleUploadedFile("mask.png", png(scene.rough), "image/png")
    response = alice_client.post(url(asset), {"mode": "refine", "mask": rough, "size": scene.brush})
    assert response.status_code == 200
    assert iou(scene.rough, scene.truth) < 0.9
    assert iou(mask_of(alice_client, response.json()), scene.truth) >= 0.95


def test_box_selects_the_object(alice_client, asset, scene):
    x0, y0, x1, y1 = scene.box
    response = alice_client.post(
        url(asset), {"mode": "box", "x0": x0, "y0": y0, "x1": x1, "y1": y1}
    )
    assert response.status_code == 200
    assert iou(mask_of(alice_client, response.json()), scene.truth) >= 0.95


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"mode": "lasso"}, "mode", "mode"),
        ({"mode": "wand"}, "point", "Click a point"),
        ({"mode": "wand", "x": 768, "y": 10}, "point", "outside the 768x512 image"),
        ({"mode": "wand", "x": 5, "y": -1}, "point", "outside"),
        ({"mode": "wand", "x": 5, "y": 5, "tolerance": 101}, "tolerance", "100"),
        ({"mode": "wand", "x": "left", "y": 5}, "x", "whole number"),
        ({"mode": "box", "x0": 1, "y0": 1}, "box", "Drag a box"),
        ({"mode": "box", "x0": 10, "y0": 10, "x1": 12, "y1": 300}, "box", "8x8"),
        ({"mode": "box", "x0": 0, "y0": 0, "x1": 768, "y1": 512}, "box", "whole image"),
        ({"mode": "refine"}, "mask", "Send the mask"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(alice_client, asset, data, field, words):
    before = masks_stored()
    response = alice_client.post(url(asset), data)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert words in response.json()["error"]
    assert masks_stored() == before


@pytest.mark.parametrize(
    ("mask", "words"),
    [
        (np.zeros((512, 768), np.uint8), "empty"),
        (np.full((512, 768), 255, np.uint8), "whole image"),
        (np.full((100, 100), 255, np.uint8), "same proportions"),
    ],
)
def test_a_mask_that_cannot_be_refined_is_refused(alice_client, asset, mask, words):
    upload = SimpleUploadedFile("mask.png", png(mask), "image/png")
    response = alice_client.post(url(asset), {"mode": "refine", "mask": upload, "size": 20})
    assert response.status_code == 400
    assert response.json()["field"] == "mask"
    assert words in response.json()["error"]
    assert masks_stored() == 0


def test_an_image_over_the_selection_limit_is_refused(alice_client, asset, settings):
    settings.MAX_IMAGE_MEGAPIXELS = 0.1
    response = alice_client.post(url(asset), {"mode": "wand", "x": 5, "y": 5})
    assert response.status_code == 400
    assert response.json()["field"] == "image"
    assert "megapixels" in response.json()["error"]


def test_another_members_or_teams_image_is_a_404(bob_client, asset):
    assert bob_client.post(url(asset), {"mode": "wand", "x": 5, "y": 5}).status_code == 404
    assert masks_stored() == 0


def test_another_team_gets_a_404(charlie_client, asset):
    assert charlie_client.post(url(asset), {"mode": "wand", "x": 5, "y": 5}).status_code == 404


def test_session_and_csrf_are_required(client, alice, asset):
    response = client.post(url(asset), {"mode": "wand", "x": 5, "y": 5})
    assert response.status_code == 302 and "login" in response["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(url(asset), {"mode": "wand", "x": 5, "y": 5}).status_code == 403
    assert strict.get(url(asset)).status_code == 405
    assert masks_stored() == 0
