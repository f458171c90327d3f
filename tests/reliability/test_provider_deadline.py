"""A provider call has a total deadline and a job a hard ceiling, however slowly the bytes
arrive (issue 11, item 3); a bad answer to a billable request is never sent again (item 4).
Every provider, against loopback servers that trickle, stall or send junk."""

import io
import re
import time

import numpy as np
import pytest
from PIL import Image

from accounts.models import CreditEntry
from editor import services
from gallery.models import Record
from tests.fakes import onemin_server, openai_server, segmind_server
from tests.fakes.base import Reply
from tests.imagedata import bomb_png

# provider id -> (model, the billable endpoint's path prefix, the fake's module)
PROVIDERS = {
    "openai": ("gpt-image-2.5-sunburst", "/v1/images/edits", openai_server),
    "onemin": ("gpt-image-1", "/api/features", onemin_server),
    "segmind": ("gpt-image-1-edit", "/v2/", segmind_server),
}
SLOW_BODY = Reply.json({"data": [{"b64_json": "A" * 4000}], "padding": "x" * 4000})


def png(width: int = 64, height: int = 48, noise: bool = False) -> bytes:
    rng = np.random.default_rng(3)
    shape = (height, width, 3)
    pixels = rng.integers(0, 256, shape, dtype=np.uint8) if noise else np.zeros(shape, np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


@pytest.fixture
def server(request, settings):
    provider = request.param
    fixture = request.getfixturevalue(provider)
    settings.PROVIDER_TIMEOUT_SECONDS = 60  # the deadline tests set their own
    return provider, fixture


@pytest.fixture
def run(alice_membership, django_capture_on_commit_callbacks):
    def go(provider: str) -> tuple[Record, float]:
        model = PROVIDERS[provider][0]
        source = services.upload_image(alice_membership, png(), "photo.png")
        started = time.monotonic()
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
        return record, time.monotonic() - started

    return go


def assert_failed_refunded_sent_once(record, server, words: str) -> None:
    provider, fake = server
    assert record.status == Record.Status.FAILED
    assert words in record.error, (record.error, [r.path for r in fake.requests])
    assert re.search(r"(did not send it|was not sent) again", record.error)
    record.membership.refresh_from_db()
    assert record.membership.used_credit == 0
    assert CreditEntry.objects.filter(kind="REFUND", reference=str(record.code)).exists()
    assert len(fake.requests_to(PROVIDERS[provider][1], "POST")) == 1


ALL = pytest.mark.parametrize("server", list(PROVIDERS), indirect=True)


@ALL
@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_a_provider_trickling_its_answer_fails_at_the_deadline(server, run, headers_too, settings):
    provider, fake = server
    settings.PROVIDER_TIMEOUT_SECONDS = 2
    fake.trickle_next(SLOW_BODY, 0.05, headers_too=headers_too, path=PROVIDERS[provider][1])

    record, seconds = run(provider)

    assert_failed_refunded_sent_once(record, server, "did not finish within 2 s")
    assert seconds < 15  # the trickle alone would take over 6 minutes


@ALL
def test_the_job_ceiling_ends_a_call_before_its_own_limit(server, run, settings):
    provider, fake = server
    settings.JOB_TIMEOUT_SECONDS = 2
    fake.trickle_next(SLOW_BODY, 0.05, path=PROVIDERS[provider][1])

    record, seconds = run(provider)

    assert_failed_refunded_sent_once(record, server, "reached its limit of 2 s")
    assert seconds < 15


@pytest.mark.parametrize("server", ["openai"], indirect=True)
def test_retries_stop_at_the_job_ceiling(server, run, settings):
    _, fake = server
    settings.JOB_TIMEOUT_SECONDS = 2
    fake.fail_next(503, {"error": {"message": "busy"}}, delay=1.2, times=20)

    record, seconds = run("openai")

    assert record.status == Record.Status.FAILED
    assert "reached its limit of 2 s" in record.error
    assert len(fake.requests_to("/v1/images/edits")) == 2  # not billed: a retry was fine
    assert seconds < 15


@ALL
def test_a_damaged_image_fails_the_job_without_sending_again(server, run):
    provider, fake = server
    fake.truncated_image_next(times=5)

    record, _ = run(provider)

    assert_failed_refunded_sent_once(record, server, "damaged image")


@ALL
def test_a_decompression_bomb_fails_the_job_without_sending_again(server, run, monkeypatch):
    provider, _ = server
    monkeypatch.setattr(PROVIDERS[provider][2], "make_png", lambda *a, **k: bomb_png())

    record, _ = run(provider)

    assert_failed_refunded_sent_once(record, server, "damaged image")


@ALL
def test_an_answer_over_the_size_cap_fails_without_sending_again(
    server, run, monkeypatch, settings
):
    provider, _ = server
    settings.PROVIDER_MAX_RESPONSE_MB = 1
    big = png(800, 800, noise=True)
    assert len(big) > 1024 * 1024
    monkeypatch.setattr(PROVIDERS[provider][2], "make_png", lambda *a, **k: big)

    record, _ = run(provider)

    assert_failed_refunded_sent_once(record, server, "over 1 MB")


@pytest.mark.parametrize("server", ["segmind"], indirect=True)
def test_a_segmind_job_past_the_deadline_tells_the_user_it_was_submitted(server, run, settings):
    _provider, fake = server
    settings.PROVIDER_TIMEOUT_SECONDS = 2
    fake.polls_before_done = 10**6

    record, _seconds = run("segmind")

    [request_id] = list(fake.jobs)
    assert_failed_refunded_sent_once(record, server, "did not finish within 2 s")
    assert f"Segmind job {request_id} was already submitted" in record.error
    assert request_id in record.request_ids
