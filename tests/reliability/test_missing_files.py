"""An asset whose row is still here but whose file is gone from storage (an operator cleaned the
disk, a bucket object was lost): every path that reads it answers a 4xx naming the input, or a
page saying the file is gone, never a 500; nothing is charged and no record is half-made."""

import pytest
from django.urls import reverse

from accounts.models import CreditEntry
from editor import services
from editor.services.job import run_edit
from gallery.models import Asset, Record
from gallery.services import signed_asset_url
from tests.api.support import box_mask, png
from tests.gallery.factories import make_asset, make_record

pytestmark = pytest.mark.django_db


def lose_file(asset: Asset) -> None:
    asset.file.storage.delete(asset.file.name)
    assert not asset.file.storage.exists(asset.file.name)


def lose(api_upload: dict) -> None:
    lose_file(Asset.objects.get(code=api_upload["fileContent"]["uuid"]))


def nothing_spent_or_made(records_before: int = 0) -> None:
    assert Record.objects.count() == records_before
    assert sum(CreditEntry.objects.values_list("amount", flat=True)) == 0


# --- the JSON API ---------------------------------------------------------------------------


def _feature(api, prompt_object: dict, type_: str = "IMAGE_INPAINTER"):
    body = {"type": type_, "model": "gpt-image-1", "promptObject": {"prompt": "a red door"}}
    body["promptObject"].update(prompt_object)
    return api("post", "/api/features", json_body=body)


def test_a_mask_url_whose_file_is_gone_is_a_400_on_mask_url(api, uploaded, onemin):
    image = uploaded(png(64, 64))
    mask = uploaded(box_mask(64, 64), "mask.png")
    lose(mask)

    response = _feature(
        api, {"imageUrl": image["fileContent"]["path"], "maskUrl": mask["fileContent"]["path"]}
    )

    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["field"] == "maskUrl"
    assert "no longer stored" in error["message"]
    assert "POST /api/assets" in error["message"]
    assert "/tmp" not in error["message"]
    nothing_spent_or_made()
    assert onemin.requests == []


def test_an_image_url_whose_file_is_gone_is_a_400_on_image_url(api, uploaded, onemin):
    image = uploaded(png(64, 64))
    lose(image)

    response = _feature(api, {"imageUrl": image["fileContent"]["path"]}, "IMAGE_EDITOR")

    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["field"] == "imageUrl"
    assert "no longer stored" in error["message"]
    nothing_spent_or_made()
    assert onemin.requests == []


def test_a_shared_link_to_a_file_that_is_gone_is_a_400_on_image_url(
    api, client, onemin, charlie_membership
):
    """Another team's result by its signed link is copied first: the copy finds no file."""
    theirs = make_asset(charlie_membership, Asset.Kind.RESULT)
    link = signed_asset_url(theirs)
    lose_file(theirs)
    assets_before = Asset.objects.count()

    response = _feature(api, {"imageUrl": link}, "IMAGE_EDITOR")

    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["field"] == "imageUrl"
    assert Asset.objects.count() == assets_before
    nothing_spent_or_made()


@pytest.mark.parametrize("lost", ["imageUrl", "maskUrl"])
def test_a_mask_selection_from_a_file_that_is_gone_is_a_400_on_its_field(api, uploaded, lost):
    image = uploaded(png(64, 64))
    mask = uploaded(box_mask(64, 64), "mask.png")
    lose(image if lost == "imageUrl" else mask)
    assets_before = Asset.objects.count()

    response = api(
        "post",
        "/api/masks/select",
        json_body={
            "imageUrl": image["fileContent"]["path"],
            "mode": "refine",
            "maskUrl": mask["fileContent"]["path"],
        },
    )

    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["field"] == lost
    assert "no longer stored" in error["message"]
    assert Asset.objects.count() == assets_before


# --- pages ----------------------------------------------------------------------------------


def test_the_editor_says_when_the_image_file_is_gone(alice_client, alice_membership):
    asset = services.upload_image(alice_membership, png(64, 64), "photo.png")
    lose_file(asset)

    response = alice_client.get(reverse("editor:edit", args=[asset.code]))

    assert response.status_code == 404
    assert "no longer stored" in response.content.decode()


def test_continuing_from_a_result_whose_file_is_gone_says_so(alice_client, alice_membership):
    record = make_record(alice_membership)
    result = record.images.get().image
    lose_file(result)

    url = reverse("editor:edit", args=[result.code]) + f"?from={record.code}&result=1"
    response = alice_client.get(url)

    assert response.status_code == 404
    assert "no longer stored" in response.content.decode()


def test_a_lost_preview_falls_back_to_the_full_file(alice_client, alice_membership):
    record = make_record(alice_membership)
    result = record.images.get().image
    lose_file(result.preview)

    response = alice_client.get(reverse("gallery:file", args=[result.code]) + "?preview")

    assert response.status_code == 200
    with result.file.open("rb") as fh:
        assert b"".join(response.streaming_content) == fh.read()


def test_run_again_with_a_mask_file_that_is_gone_is_refused(alice_client, alice_membership):
    record = make_record(alice_membership, mask=True)
    lose_file(record.mask)

    response = alice_client.post(reverse("editor:rerun", args=[record.code]))

    assert response.status_code == 422
    assert "no longer stored" in response.content.decode()
    nothing_spent_or_made(records_before=1)


def test_run_again_on_a_card_says_why_it_was_refused(alice_client, alice_membership):
    record = make_record(alice_membership, mask=True)
    lose_file(record.mask)

    response = alice_client.post(
        reverse("editor:rerun", args=[record.code]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "no longer stored" in response.content.decode()
    nothing_spent_or_made(records_before=1)


def test_selecting_on_an_image_whose_file_is_gone_is_a_400(alice_client, alice_membership):
    asset = services.upload_image(alice_membership, png(64, 64), "photo.png")
    lose_file(asset)

    response = alice_client.post(
        reverse("editor:select", args=[asset.code]),
        {"mode": "box", "x0": 2, "y0": 2, "x1": 30, "y1": 30},
    )

    assert response.status_code == 400
    assert response.json()["field"] == "image"
    assert "no longer stored" in response.json()["error"]
    assert not Asset.objects.filter(kind=Asset.Kind.MASK).exists()


# --- the job --------------------------------------------------------------------------------


def test_a_job_whose_source_file_went_missing_fails_plainly_and_refunds(
    alice_membership, onemin, django_capture_on_commit_callbacks
):
    source = services.upload_image(alice_membership, png(64, 64), "photo.png")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        record = services.start_edit(
            alice_membership,
            type="IMAGE_EDITOR",
            provider="onemin",
            model="gpt-image-1",
            prompt="a red door",
            params={},
            source=source,
        )
    lose_file(source)
    for callback in queued:
        callback()  # the worker picks it up after the file went

    record.refresh_from_db()
    assert record.status == Record.Status.FAILED
    assert "no longer stored" in record.error
    assert "/tmp" not in record.error and "Errno" not in record.error
    assert sum(CreditEntry.objects.values_list("amount", flat=True)) == 0
    assert onemin.requests == []
    run_edit(str(record.code))  # a second delivery changes nothing
    record.refresh_from_db()
    assert record.status == Record.Status.FAILED
