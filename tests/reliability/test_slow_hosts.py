"""The deadline class beyond edit jobs: every outbound call we make has a total deadline, so a
host sending one byte a second cannot hold a web request or the worker (issue 11, item 3)."""

import time

import pytest

from editor import discovery
from gallery.models import Asset, Record
from tests.fakes.base import LoopbackServer, Reply

pytestmark = pytest.mark.django_db(transaction=True)


class ImageHost(LoopbackServer):
    def handle(self, request):
        return Reply(404, b"")


def test_an_image_url_that_trickles_is_refused_at_its_deadline(api, onemin, settings):
    settings.SSRF_ALLOW_LOOPBACK = True
    settings.IMAGE_URL_TIMEOUT_SECONDS = 1
    with ImageHost() as host:
        host.trickle_next(Reply(200, b"\x89PNG" + b"x" * 5000, {"Content-Type": "image/png"}), 0.05)
        body = {
            "type": "IMAGE_EDITOR",
            "model": "gpt-image-1",
            "promptObject": {"prompt": "x", "imageUrl": f"{host.url}/cat.png"},
        }
        started = time.monotonic()
        response = api("post", "/api/features", json_body=body)
        seconds = time.monotonic() - started

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "imageUrl"
    assert "did not finish sending within 1 s" in error["message"]
    assert seconds < 10  # the trickle alone would take over 4 minutes
    assert (Record.objects.count(), Asset.objects.count()) == (0, 0)
    assert onemin.requests == []


def test_a_model_list_that_trickles_is_given_up_at_the_deadline(openai, settings):
    settings.PROVIDER_TIMEOUT_SECONDS = 1
    openai.trickle_next(
        Reply.json({"data": [{"id": "gpt-image-9"}] * 200}), 0.05, path="/v1/models"
    )

    started = time.monotonic()
    row = discovery.refresh("openai", settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY)

    assert time.monotonic() - started < 10
    assert "did not finish within 1 s" in row.error
    assert row.listed is None
