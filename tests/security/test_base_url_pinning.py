"""A team's own provider base URL is checked to resolve to public addresses, and the call then
goes to the address that was checked: a DNS answer that changes between the check and the
connection (DNS rebinding) cannot turn the call towards another host."""

import socket

import pytest

from accounts.services import set_provider_key
from editor import services
from tests.editor.test_jobs_e2e import source_png
from tests.fakes.openai_server import OpenAIServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rebinding_dns(monkeypatch):
    """`team-proxy.test` resolves to 127.0.0.1 the first time it is asked, and to 127.0.0.2
    (where nothing listens) every time after: the name's owner switched it after our check."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "team-proxy.test":
            return real(host, port, *args, **kwargs)
        address = "127.0.0.1" if not asked else "127.0.0.2"
        asked.append(address)
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_job_calls_the_address_its_team_base_url_was_checked_at(
    rebinding_dns, alice_membership, settings, django_capture_on_commit_callbacks
):
    settings.SSRF_ALLOW_LOOPBACK = True  # the fake proxy listens on loopback
    settings.OPENAI_API_KEY = ""
    with OpenAIServer(api_key="team-key-0001") as proxy:
        port = proxy.base_url.split(":")[-1].split("/")[0]
        base_url = f"http://team-proxy.test:{port}/v1"
        set_provider_key(alice_membership.team, "openai", "team-key-0001", base_url=base_url)
        rebinding_dns.clear()  # saving the key read the model list: start from a fresh check
        source = services.upload_image(alice_membership, source_png(), "photo.png")
        with django_capture_on_commit_callbacks(execute=True):
            record = services.start_edit(
                alice_membership,
                type="IMAGE_EDITOR",
                provider="openai",
                model="gpt-image-2.5-sunburst",
                prompt="dusk",
                params={},
                source=source,
            )
        record.refresh_from_db()
        assert (record.status, record.error) == ("SUCCESS", "")
        [call] = proxy.requests_to("/v1/images/edits")
        assert call.headers["host"] == f"team-proxy.test:{port}"
    # Checked once (at 127.0.0.1); the name's later answer (127.0.0.2) was never used.
    assert rebinding_dns == ["127.0.0.1"]
