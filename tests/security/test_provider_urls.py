"""URLs a provider hands back (a result to download, a job's status page, a signed link) are
fetched only from the hosts the instance configured for that provider or from public
addresses: a provider, or a team's OpenAI-compatible proxy, cannot point the worker at the
cloud's metadata service or the private network. The job fails plainly and is refunded."""

import io

import numpy as np
import pytest
from PIL import Image

from accounts.models import CreditEntry
from accounts.services import set_provider_key
from editor import services
from gallery.models import Record

pytestmark = pytest.mark.django_db

METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
PRIVATE = "http://10.255.255.1/x.png"


def png() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((48, 64, 3), np.uint8), "RGB").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def run(alice_membership, django_capture_on_commit_callbacks):
    def go(provider: str, model: str) -> Record:
        source = services.upload_image(alice_membership, png(), "photo.png")
        with django_capture_on_commit_callbacks(execute=True):
            record = services.start_edit(
                alice_membership,
                provider=provider,
                model=model,
                type="IMAGE_EDITOR",
                prompt="a red balloon",
                params={},
                source=source,
            )
        record.refresh_from_db()
        return record

    return go


def assert_refused_and_refunded(record: Record, host: str) -> None:
    assert record.status == Record.Status.FAILED
    assert f"{host}, a private or local address" in record.error, record.error
    assert "was not contacted" in record.error
    assert sum(CreditEntry.objects.values_list("amount", flat=True)) == 0


@pytest.mark.parametrize("url", [METADATA, PRIVATE])
def test_a_result_url_at_a_private_address_is_not_downloaded(run, openai, url):
    openai.fail_next(200, {"data": [{"url": url}]}, path="/v1/images/edits")

    record = run("openai", "gpt-image-2.5-sunburst")

    assert_refused_and_refunded(record, url.split("/")[2])
    assert len(openai.requests_to("/v1/images/edits")) == 1


def test_a_team_proxy_cannot_send_the_worker_to_a_private_address(
    run, openai, alice_membership, settings
):
    """A team's own base URL is public-checked; a result URL it answers with is checked too."""
    settings.SSRF_ALLOW_LOOPBACK = True  # the loopback fake stands in for a public proxy
    port = openai.url.rsplit(":", 1)[1]
    set_provider_key(
        alice_membership.team, "openai", openai.api_key, base_url=f"http://localhost:{port}/v1"
    )
    openai.fail_next(200, {"data": [{"url": METADATA}]}, path="/v1/images/edits")

    record = run("openai", "gpt-image-2.5-sunburst")

    assert_refused_and_refunded(record, "169.254.169.254")


def test_a_segmind_status_page_at_a_private_address_is_not_polled(run, segmind):
    segmind.fail_next(
        200,
        {"request_id": "r1", "status_url": METADATA, "response_url": PRIVATE},
        path="/v2/gpt-image-1-edit",
    )

    record = run("segmind", "gpt-image-1-edit")

    assert_refused_and_refunded(record, "169.254.169.254")
    assert "Segmind job r1 was already submitted" in record.error


def test_a_onemin_signed_link_at_a_private_address_is_not_downloaded(run, onemin):
    record_body = {
        "aiRecord": {
            "uuid": "u1",
            "status": "SUCCESS",
            "aiRecordDetail": {"resultObject": [METADATA]},
            "temporaryUrl": PRIVATE,
        }
    }
    onemin.fail_next(200, record_body, path="/api/features")

    record = run("onemin", "gpt-image-1")

    assert_refused_and_refunded(record, "169.254.169.254")
    assert "10.255.255.1, a private or local address" in record.error
