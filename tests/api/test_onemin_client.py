"""A 1min.ai client, written the way third-party 1min.ai clients and relays are, played against a
live Promptbrush over real HTTP: change the host and the key, nothing else.

It uploads, generates with `"async": true`, polls GET /api/results/<uuid>, downloads every
resultObject key from `<instance>/<key>` with no credentials, calls raise_for_status() on every
answer, sends IMAGE_VARIATOR and `dall-e-3`. Providers are the loopback fakes (tests/fakes);
queued jobs are run by the worker's own entry point (editor.services.run_edit)."""

import io

import httpx
import pytest
from PIL import Image

from accounts.services import create_api_token
from editor.services import run_edit
from gallery.models import Record
from tests.api.support import png

pytestmark = pytest.mark.django_db(transaction=True)


class OneMinClient:
    """What a 1min.ai script does, with the asset host being the instance itself."""

    def __init__(self, host: str, api_key: str) -> None:
        self.host = host
        self.http = httpx.Client(base_url=host, headers={"API-KEY": api_key}, timeout=30)

    def upload(self, data: bytes, name: str) -> str:
        response = self.http.post("/api/assets", files={"asset": (name, data, "image/png")})
        response.raise_for_status()
        return response.json()["fileContent"]["path"]

    def feature(self, body: dict) -> dict:
        response = self.http.post("/api/features", json=body)
        response.raise_for_status()
        return response.json()["aiRecord"]

    def result(self, uuid: str) -> dict:
        response = self.http.get(f"/api/results/{uuid}")
        response.raise_for_status()
        return response.json()["aiRecord"]

    def download(self, key: str) -> bytes:
        response = httpx.get(f"{self.host}/{key}")  # the asset host takes no key
        response.raise_for_status()
        return response.content


@pytest.fixture
def client_1min(live_server, alice_membership) -> OneMinClient:
    return OneMinClient(live_server.url, create_api_token(alice_membership, "1min")[1])


@pytest.fixture
def queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def test_upload_generate_async_poll_and_download_every_key(client_1min, onemin, queued):
    source = client_1min.upload(png(), "cat.png")
    record = client_1min.feature(
        {
            "type": "IMAGE_EDITOR",
            "model": "gpt-image-1",
            "async": True,
            "promptObject": {"imageUrl": source, "prompt": "as a woodcut", "n": 3},
        }
    )
    assert record["status"] == "PROCESSING"
    assert client_1min.result(record["uuid"])["status"] == "PROCESSING"

    run_edit(record["uuid"])

    done = client_1min.result(record["uuid"])
    assert done["status"] == "SUCCESS"
    keys = done["aiRecordDetail"]["resultObject"]
    assert len(keys) == 3
    stored = Record.objects.get(code=record["uuid"]).images.select_related("image")
    for key, item in zip(keys, stored, strict=True):
        data = client_1min.download(key)
        assert data == item.image.file.open("rb").read()
        assert Image.open(io.BytesIO(data)).size == (1024, 1024)  # the seed default size
    assert httpx.get(done["temporaryUrl"]).content == client_1min.download(keys[0])


def test_a_failing_provider_raises_for_status_with_error_code(client_1min, onemin):
    onemin.failure_status_next("The model is overloaded")

    with pytest.raises(httpx.HTTPStatusError) as failure:
        client_1min.feature(
            {"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": {"prompt": "x"}}
        )

    answer = failure.value.response
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "EXTERNAL_API_RESPONSE_WITH_ERROR"
    assert "overloaded" in answer.json()["message"]


def test_variations_and_an_aliased_dall_e_3(client_1min, onemin):
    source = client_1min.upload(png(), "cat.png")
    variations = client_1min.feature(
        {
            "type": "IMAGE_VARIATOR",
            "model": "dall-e-2",
            "promptObject": {"imageUrl": source, "n": 2},
        }
    )
    generated = client_1min.feature(
        {"type": "IMAGE_GENERATOR", "model": "dall-e-3", "promptObject": {"prompt": "a fox"}}
    )

    for record in (variations, generated):
        assert record["status"] == "SUCCESS"
        for key in record["aiRecordDetail"]["resultObject"]:
            assert client_1min.download(key)[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(variations["aiRecordDetail"]["resultObject"]) == 2
    assert (generated["model"], generated["providerModel"]) == ("dall-e-3", "gpt-image-1")


def test_another_users_key_downloads_only_by_name_and_a_deleted_one_is_gone(
    client_1min, onemin, live_server, charlie_membership, alice_client
):
    mine = client_1min.feature(
        {"type": "IMAGE_GENERATOR", "model": "gpt-image-1", "promptObject": {"prompt": "x"}}
    )
    key = mine["aiRecordDetail"]["resultObject"][0]
    charlie = OneMinClient(live_server.url, create_api_token(charlie_membership, "c")[1])

    assert charlie.download(key)  # the unguessable name is the permission, as on 1min.ai
    assert charlie.http.get(f"/api/features/{mine['uuid']}").status_code == 404
    assert charlie.http.get(f"/api/results/{mine['uuid']}").status_code == 404
    listed = charlie.http.get("/api/features").json()["aiRecords"]
    assert key not in str(listed)
    assert httpx.get(f"{live_server.url}/assets/").status_code == 404  # nothing is listed

    alice_client.post(f"/gallery/{mine['uuid']}/delete")

    assert httpx.get(f"{live_server.url}/{key}").status_code == 404
