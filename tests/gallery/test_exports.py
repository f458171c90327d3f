import datetime
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from gallery.models import Record
from tests.gallery.factories import days_ago, make_record


def export_json(client, **params) -> dict:
    response = client.get(reverse("gallery:export_json"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="promptbrush-records.json"'
    return json.loads(b"".join(response.streaming_content))


@pytest.mark.django_db
def test_json_export_is_in_airecord_shape(alice_client, alice_membership):
    parent = make_record(alice_membership, created=days_ago(2))
    record = make_record(
        alice_membership,
        results=2,
        rating=4,
        feedback="good",
        review_tags=["great", "seams"],
        cost=4000,
        parent=parent,
        conversation_id=parent.code,
        metadata={"client": "web"},
        additional_data={"group": "x"},
        created=days_ago(1),
    )
    record.refresh_from_db()
    data = export_json(alice_client)
    assert [r["uuid"] for r in data["aiRecords"]] == [str(record.code), str(parent.code)]
    first = data["aiRecords"][0]
    assert data["aiRecords"][1]["feedback"] is None  # no feedback is null, as in 1min.ai's
    images = list(record.images.all())
    links = first.pop("resultUrls")
    assert first.pop("temporaryUrl") == links[0]
    assert first == {
        "uuid": str(record.code),
        "userId": str(alice_membership.user.code),
        "teamId": str(alice_membership.team.code),
        "teamUser": {
            "teamId": str(alice_membership.team.code),
            "userId": str(alice_membership.user.code),
            "userName": "alice",
            "userAvatar": None,
            "status": alice_membership.status,
            "role": "ADMIN",
            "creditLimit": alice_membership.credit_limit,
            "usedCredit": alice_membership.used_credit,
        },
        "model": "telea",
        "providerModel": "telea",
        "type": "IMAGE_INPAINTER",
        "provider": "local",
        "status": "SUCCESS",
        "rating": 4,
        "feedback": "good",
        "reviewTags": ["great", "seams"],
        "conversationId": str(parent.code),
        # 1min.ai's form (JavaScript's toISOString): UTC, milliseconds, Z
        "createdAt": record.created.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{record.created.microsecond // 1000:03d}Z",
        "aiRecordDetail": {
            "promptObject": {"prompt": "Replace the sky with a sunset", "n": 2, "size": "auto"},
            "resultObject": [images[0].image.path, images[1].image.path],
            "responseObject": {"provider_said": "ok", "id": "resp-123"},
        },
        "rawResultObject": [images[0].raw.path, images[1].raw.path],
        "metadata": {"client": "web"},
        "additionalData": {"group": "x"},
        "error": None,
        "durations": {
            "queueMs": 1000,
            "providerMs": 3500,
            "totalMs": first["durations"]["totalMs"],
        },
        "cost": {"estimate": 4000, "actual": None},
        "requestIds": [],
        "missingResults": [],
    }
    # the links download the results without signing in, as the API's do
    alice_client.logout()
    for link, image in zip(links, images, strict=True):
        response = alice_client.get(link.removeprefix("http://testserver"))
        assert b"".join(response.streaming_content) == image.image.file.open("rb").read()


@pytest.mark.django_db
def test_json_export_respects_scope_and_filters(
    alice_client, alice_membership, bob_membership, charlie_membership
):
    failed = make_record(alice_membership, status=Record.Status.FAILED, error="Rate limited")
    make_record(alice_membership)
    bobs = make_record(bob_membership, status=Record.Status.FAILED, error="Bad key")
    make_record(charlie_membership, status=Record.Status.FAILED)
    mine = export_json(alice_client, status="FAILED")
    assert [(r["uuid"], r["error"]) for r in mine["aiRecords"]] == [
        (str(failed.code), "Rate limited")
    ]
    team = export_json(alice_client, status="FAILED", scope="team")
    assert {r["uuid"] for r in team["aiRecords"]} == {str(failed.code), str(bobs.code)}


@pytest.mark.django_db
def test_an_outsider_exports_nothing_of_the_team(charlie_client, alice_membership):
    make_record(alice_membership)
    assert export_json(charlie_client, scope="team") == {"aiRecords": []}
    response = charlie_client.get(reverse("gallery:export_zip"), {"scope": "team"})
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.namelist() == ["manifest.json"]


@pytest.mark.django_db
def test_zip_export_holds_every_result_and_a_manifest(alice_client, alice_membership):
    record = make_record(alice_membership, results=2, rating=5, prompt="A red door")
    make_record(alice_membership, provider="openai", model="gpt-image-1", prompt="not this one")
    response = alice_client.get(reverse("gallery:export_zip"), {"provider": "local"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    folder = timezone.localtime(record.created).strftime("%Y-%m-%d_%H-%M") + "_a-red-door"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.namelist() == [f"{folder}/1.png", f"{folder}/2.png", "manifest.json"]
        for image in record.images.all():
            with default_storage.open(image.image.file.name, "rb") as handle:
                stored = handle.read()
            assert archive.read(f"{folder}/{image.position + 1}.png") == stored
        manifest = json.loads(archive.read("manifest.json"))
    [entry] = manifest["records"]
    assert entry["files"] == [f"{folder}/1.png", f"{folder}/2.png"]
    # the same aiRecord as the JSON export gives (links aside: they are signed when made)
    exported = export_json(alice_client, provider="local")["aiRecords"][0]
    for item in (entry["aiRecord"], exported):
        del item["temporaryUrl"], item["resultUrls"]
    assert entry["aiRecord"] == exported
    assert entry["aiRecord"]["uuid"] == str(record.code)
    assert (entry["aiRecord"]["rating"], entry["aiRecord"]["feedback"]) == (5, None)


@pytest.mark.django_db
def test_zip_folders_are_named_by_date_and_prompt_never_twice_the_same(
    alice_client, alice_membership
):
    when = timezone.make_aware(datetime.datetime(2026, 3, 9, 8, 5))
    for prompt in ["Replace the sky with a SUNSET!", "Replace the sky with a sunset", ""]:
        make_record(alice_membership, prompt=prompt, created=when)
    response = alice_client.get(reverse("gallery:export_zip"))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        folders = sorted({name.split("/")[0] for name in archive.namelist()} - {"manifest.json"})
    assert folders == [
        "2026-03-09_08-05_change-painted-area",
        "2026-03-09_08-05_replace-the-sky-with-a-sunset",
        "2026-03-09_08-05_replace-the-sky-with-a-sunset-2",
    ]
