"""The local fill through the normal edit flow: the page's default model, a model chosen on the
page or over the API, and the stored result at full resolution with the original kept outside."""

import io
import json

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.services import create_api_token
from editor import services
from gallery.models import Record

W, H = 96, 72
BOX = (30, 20, 66, 52)  # x0, y0, x1, y1 of the painted area


def textured(width: int = W, height: int = H) -> np.ndarray:
    """Diagonal stripes with grain: what a smooth fill smears and PatchMatch continues."""
    y, x = np.mgrid[0:height, 0:width]
    wave = ((x + y) // 3) % 2
    rgb = np.stack([60 + 140 * wave, 90 + 60 * wave, 200 - 120 * wave], axis=-1)
    grain = np.random.default_rng(5).integers(-10, 11, (height, width, 1))
    return np.clip(rgb + grain, 0, 255).astype(np.uint8)


def encode(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


def painted(width: int = W, height: int = H, box=BOX) -> np.ndarray:
    m = np.zeros((height, width), np.uint8)
    x0, y0, x1, y1 = box
    m[y0:y1, x0:x1] = 255
    return m


def result_pixels(record: Record) -> np.ndarray:
    with record.images.get().image.file.open("rb") as fh, Image.open(fh) as img:
        return np.asarray(img.convert("RGB"))


def texture_kept(result: np.ndarray, original: np.ndarray, where: np.ndarray) -> float:
    def energy(img):
        gy, gx = np.gradient(img.astype(np.float32).mean(axis=2))
        return float(np.hypot(gx, gy)[where].mean())

    return energy(result) / energy(original)


@pytest.fixture
def source(alice_membership):
    return services.upload_image(alice_membership, encode(textured()), "stripes.png")


def test_the_page_offers_patchmatch_first_and_runs_the_model_chosen(
    alice_client, source, django_capture_on_commit_callbacks
):
    page = alice_client.get(reverse("editor:edit", args=[source.code]))
    assert page.context["form"]["model"].value() == "patchmatch"

    data = {
        "source": str(source.code),
        "type": "IMAGE_INPAINTER",
        "provider": "local",
        "model": "patchmatch",
        "also": ["local:telea"],
        "p_radius": "5",
        "prompt": "",
        "grow": "0",
        "feather": "0",
        "paste_back": "on",
        "mask": SimpleUploadedFile("mask.png", encode(painted()), "image/png"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("editor:submit"), data, headers={"HX-Request": "true"})

    records = {r.model: r for r in Record.objects.all()}
    assert {m: r.status for m, r in records.items()} == {
        "patchmatch": "SUCCESS",
        "telea": "SUCCESS",
    }
    original, inside = textured(), painted() > 0
    kept = {}
    for model, record in records.items():
        result = result_pixels(record)
        assert np.array_equal(result[~inside], original[~inside])
        assert record.response_object["model"] == model
        kept[model] = texture_kept(result, original, inside)
    assert kept["patchmatch"] > 0.7 > 0.4 > kept["telea"]


def test_a_big_photo_is_filled_and_stored_at_full_size_with_the_feather_blended(
    alice_membership, django_capture_on_commit_callbacks
):
    w, h = 2400, 1600  # filled from a scaled copy of the hole's surroundings, pasted at 2400x1600
    big = np.asarray(Image.fromarray(textured(600, 400)).resize((w, h), Image.Resampling.NEAREST))
    upload = services.upload_image(alice_membership, encode(big), "big.png")
    mask = painted(w, h, (1000, 600, 1400, 900))
    with django_capture_on_commit_callbacks(execute=True):
        record = services.start_edit(
            alice_membership,
            type="IMAGE_INPAINTER",
            provider="local",
            model="patchmatch",
            prompt="",
            params={},
            source=upload,
            mask=encode(mask),
            mask_options={"feather": 6},
        )
    record.refresh_from_db()
    assert (record.status, record.error) == ("SUCCESS", "")
    result = result_pixels(record)
    assert result.shape == (h, w, 3)
    assert record.response_object["scaled"] is True and record.response_object["regions"] == 1
    # Outside the feathered edge nothing moved; inside, the fill is blended in.
    far = np.ones((h, w), bool)
    far[600 - 12 : 900 + 12, 1000 - 12 : 1400 + 12] = False
    assert np.array_equal(result[far], big[far])
    edge = result[600 - 3, 1200].astype(int)  # just outside the painted box: partly blended
    assert not np.array_equal(edge, big[600 - 3, 1200])
    core = np.zeros((h, w), bool)
    core[700:800, 1100:1300] = True
    assert not np.array_equal(result[core], big[core])


@pytest.mark.django_db(transaction=True)
def test_the_api_runs_the_local_model_it_names(client, alice_membership):
    token = create_api_token(alice_membership, "script")[1]
    headers = {"API-KEY": token}

    def asset(data: bytes) -> str:
        answer = client.post("/api/assets", {"asset": io.BytesIO(data)}, headers=headers)
        return answer.json()["fileContent"]["path"]

    body = {
        "type": "IMAGE_INPAINTER",
        "provider": "local",
        "model": "patchmatch",
        "promptObject": {
            "prompt": "ignored",
            "imageUrl": asset(encode(textured())),
            "maskUrl": asset(encode(painted())),
        },
    }
    answer = client.post(
        "/api/features", json.dumps(body), content_type="application/json", headers=headers
    )
    assert answer.status_code == 200, answer.content
    record = answer.json()["aiRecord"]
    assert (record["status"], record["model"]) == ("SUCCESS", "patchmatch")
    stored = Record.objects.get(code=record["uuid"])
    result, original, inside = result_pixels(stored), textured(), painted() > 0
    assert np.array_equal(result[~inside], original[~inside])
    assert texture_kept(result, original, inside) > 0.7
