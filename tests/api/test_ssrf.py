"""Image URLs in a promptObject: fetched only from public addresses.

Edits run against the loopback 1min.ai / OpenAI servers (tests/fakes). Real transactions: the
edit job is enqueued on commit (ImmediateBackend runs it inline)."""

import pytest

from gallery.models import Record
from tests.api.support import png
from tests.fakes.base import LoopbackServer, Reply

pytestmark = pytest.mark.django_db(transaction=True)


# --- SSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/cat.png",
        "http://10.0.0.1/cat.png",
        "http://[::1]/x.png",
        "http://169.254.169.254/latest",
        "ftp://example.com/x.png",
    ],
)
def test_image_urls_to_private_addresses_are_refused(api, onemin, url):
    body = {
        "type": "IMAGE_EDITOR",
        "model": "gpt-image-1",
        "promptObject": {"prompt": "x", "imageUrl": url},
    }

    response = api("post", "/api/features", json_body=body)

    assert (response.status_code, response.json()["error"]["field"]) == (400, "imageUrl")
    assert Record.objects.count() == 0


class ImageHost(LoopbackServer):
    def handle(self, request):
        if request.path == "/redirect":
            return Reply(302, b"", {"Location": "http://10.0.0.1/x.png"})
        return Reply(200, png(32, 24), {"Content-Type": "image/png"})


def test_image_url_is_fetched_when_loopback_is_allowed_by_setting(api, onemin, settings):
    settings.SSRF_ALLOW_LOOPBACK = True
    with ImageHost() as host:
        body = {
            "type": "IMAGE_EDITOR",
            "model": "gpt-image-1",
            "promptObject": {"prompt": "x", "imageUrl": f"{host.url}/cat.png"},
        }
        ok = api("post", "/api/features", json_body=body)
        body["promptObject"]["imageUrl"] = f"{host.url}/redirect"
        redirected = api("post", "/api/features", json_body=body)

    assert ok.status_code == 200, ok.content
    assert Record.objects.get().source.width == 32
    assert (redirected.status_code, redirected.json()["error"]["field"]) == (400, "imageUrl")
