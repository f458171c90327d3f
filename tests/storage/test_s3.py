"""Media on a real S3-protocol server: uploads, results and their renditions stored as objects,
served with the same isolation as local files, deleted with their record, and an outage mid-job
failing the job with a reason and a refund."""

import io
import json
import threading

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from accounts.models import CreditEntry
from accounts.services import create_api_token
from gallery.models import Asset, Record
from tests.fakes.openai_server import OpenAIServer
from tests.storage.conftest import BUCKET

pytestmark = pytest.mark.django_db(transaction=True)
W, H = 96, 64


def png(color=(40, 120, 200)) -> bytes:
    pixels = np.zeros((H, W, 3), dtype=np.uint8)
    pixels[:] = color
    pixels[::7, ::5] = (250, 250, 250)
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, "PNG")
    return buf.getvalue()


def mask() -> bytes:
    m = np.zeros((H, W), dtype=np.uint8)
    m[20:40, 30:60] = 255
    buf = io.BytesIO()
    Image.fromarray(m, "L").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def api(client, alice_membership):
    token = create_api_token(alice_membership, "s3 test")[1]

    def call(method, path, body=None, **kw):
        if body is not None:
            kw["data"], kw["content_type"] = json.dumps(body), "application/json"
        return getattr(client, method)(path, headers={"API-KEY": token}, **kw)

    return call


def upload(api, data: bytes, name: str) -> str:
    f = io.BytesIO(data)
    f.name = name
    response = api("post", "/api/assets", data={"asset": f})
    assert response.status_code == 200, response.content
    return response.json()["fileContent"]["path"]


def inpaint(api, provider="local", model="telea") -> dict:
    body = {
        "type": "IMAGE_INPAINTER",
        "provider": provider,
        "model": model,
        "promptObject": {
            "imageUrl": upload(api, png(), "photo.png"),
            "maskUrl": upload(api, mask(), "mask.png"),
            "prompt": "remove it",
        },
    }
    return api("post", "/api/features", body).json()["aiRecord"]


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_every_stored_image_is_an_object_in_the_bucket(s3, api):
    record = inpaint(api)

    assert record["status"] == "SUCCESS", record
    names = {a.file.name for a in Asset.objects.all()}
    kinds = set(Asset.objects.values_list("kind", flat=True))
    assert {"UPLOAD", "MASK", "RESULT", "RAW", "THUMBNAIL"} <= kinds
    assert names <= s3.object_keys()


def test_objects_are_private_and_served_only_to_the_team(s3, api, client, alice, charlie):
    record = inpaint(api)
    result = Record.objects.get(code=record["uuid"]).images.get().image
    acl = s3.client().get_object_acl(Bucket=BUCKET, Key=result.file.name)
    everyone = [g for g in acl["Grants"] if "URI" in g["Grantee"]]
    assert everyone == []  # no public-read or authenticated-read grant

    client.force_login(alice)
    mine = client.get(f"/gallery/files/{result.code}")
    assert mine.status_code == 200
    stored = s3.client().get_object(Bucket=BUCKET, Key=result.file.name)["Body"].read()
    assert body_of(mine) == stored

    client.force_login(charlie)
    assert client.get(f"/gallery/files/{result.code}").status_code == 404


def test_signed_link_serves_from_s3_and_expires(s3, api, client, settings):
    record = inpaint(api)
    url = record["temporaryUrl"].removeprefix("http://testserver")

    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert body_of(response)[:8] == b"\x89PNG\r\n\x1a\n"

    settings.SIGNED_URL_MAX_AGE = -1
    assert client.get(url).status_code == 404


def test_result_keys_stream_from_s3_without_credentials_until_deleted(s3, api, alice_client):
    record = inpaint(api)
    key = record["aiRecordDetail"]["resultObject"][0]
    result = Record.objects.get(code=record["uuid"]).images.get().image

    response = Client().get(f"/{key}")  # no session, no API key: the key is the permission
    assert response.status_code == 200
    assert (
        body_of(response)
        == s3.client().get_object(Bucket=BUCKET, Key=result.file.name)["Body"].read()
    )
    assert (
        Client().get(f"/{record['aiRecordDetail']['promptObject']['imageUrl']}").status_code == 404
    )

    alice_client.post(f"/gallery/{record['uuid']}/delete")
    assert Client().get(f"/{key}").status_code == 404


def test_deleting_a_record_deletes_its_objects(s3, api, alice_client):
    record = inpaint(api)
    owned = Record.objects.get(code=record["uuid"]).images.get()
    keys = {a.file.name for a in (owned.image, owned.raw, owned.thumbnail, owned.drift) if a}
    assert keys <= s3.object_keys()

    response = alice_client.post(f"/gallery/{record['uuid']}/delete")

    assert response.status_code in (302, 303)
    assert keys.isdisjoint(s3.object_keys())
    assert not Record.objects.filter(code=record["uuid"]).exists()


def test_storage_outage_mid_job_fails_the_job_and_refunds(private_s3, api, settings):
    class OutageAfterAnswer(OpenAIServer):
        """Answers the edit, then the storage goes down before the result is stored."""

        def handle(self, request):
            reply = super().handle(request)
            if request.path.endswith("/images/edits"):
                private_s3.stop()
            return reply

    with OutageAfterAnswer() as provider:
        settings.OPENAI_BASE_URL = provider.base_url
        settings.OPENAI_API_KEY = provider.api_key
        settings.PROVIDER_RETRY_SLEEP_SCALE = 0.01
        settings.AWS_MAX_ATTEMPTS = 1
        record = inpaint(api, provider="openai", model="gpt-image-2.5-sunburst")

    stored = Record.objects.get(code=record["uuid"])
    assert stored.status == Record.Status.FAILED
    assert "storage could not be reached" in stored.error
    assert "127.0.0.1" not in stored.error  # no endpoint or bucket layout in what users read
    assert stored.images.count() == 0
    assert not Asset.objects.filter(kind__in=["RESULT", "RAW", "THUMBNAIL", "DRIFT"]).exists()
    assert sum(CreditEntry.objects.values_list("amount", flat=True)) == 0


def test_one_s3_connection_serves_every_thread(s3):
    # Under ASGI each request runs in a new thread; building a boto3 resource per thread cost
    # ~100 ms of CPU per request (bench/bench_storage.py).
    seen = []

    def grab():
        seen.append(default_storage.connection)

    threads = [threading.Thread(target=grab) for _ in "ab"]
    for thread in threads:
        thread.start()
        thread.join()

    assert seen[0] is seen[1]
