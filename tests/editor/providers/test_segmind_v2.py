"""Segmind's v2 async API against the loopback server: submit, poll the status, fetch the
output; a failed job (422) is permanent; nothing is submitted twice once accepted."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from editor.providers.base import IMAGE_EDITOR, IMAGE_INPAINTER, EditRequest, ProviderError
from editor.providers.http import call_within
from editor.providers.retry import call_with_retries
from editor.providers.segmind import SegmindProvider
from tests.fakes import SegmindServer

from .conftest import box_mask, png


@pytest.fixture
def srv():
    with SegmindServer() as server:
        yield server


@pytest.fixture
def waits():
    return []


@pytest.fixture
def provider(srv, client, waits):
    return SegmindProvider(
        client, srv.api_key, srv.base_url, srv.upload_url, poll_interval=0.5, sleep=waits.append
    )


def inpaint(model="gpt-image-1-edit"):
    return EditRequest(
        type=IMAGE_INPAINTER,
        model=model,
        prompt="a red balloon",
        images=[png(32, 16)],
        mask=box_mask(32, 16),
    )


def test_submit_poll_fetch(srv, provider, waits):
    srv.polls_before_done = 2

    result = provider.call(inpaint())

    submit = srv.requests_to("/v2/gpt-image-1-edit")[0]
    assert submit.json()["image_urls"] == [f"{srv.url}/files/upload_0001.png"]
    assert submit.json()["mask"] == f"{srv.url}/files/upload_0002.png"
    [request_id] = list(srv.jobs)
    polls = srv.requests_to(f"/v2/requests/{request_id}/status")
    assert len(polls) == 3 and waits == [0.5, 0.5]  # QUEUED twice, then COMPLETED
    assert len(srv.requests_to(f"/v2/requests/{request_id}", method="GET")) == 4
    api_calls = [r for r in srv.requests if not r.path.startswith("/files/")]
    assert all(r.headers["x-api-key"] == srv.api_key for r in api_calls)
    with Image.open(io.BytesIO(result.images[0])) as img:
        assert img.size == (32, 16)
    assert (result.response["api"], result.response["request_id"]) == ("v2", request_id)
    assert request_id in result.request_ids
    assert srv.requests_to("/v1/") == []
    assert srv.credits == 99.86  # charged once, on completion


@pytest.mark.parametrize("model", ["gpt-image-1.5-edit", "gpt-image-2"])
def test_the_newer_edit_models_run_on_v2(srv, provider, model):
    req = EditRequest(type=IMAGE_EDITOR, model=model, prompt="dusk", images=[png(8, 8)])

    assert len(provider.call(req).images) == 1
    assert len(srv.requests_to(f"/v2/{model}")) == 1


def test_a_failed_job_is_permanent_and_never_resubmitted(srv, provider):
    srv.job_fails_next("Image could not be processed: unsupported content")

    with pytest.raises(ProviderError) as info:
        call_with_retries(lambda: provider.call(inpaint()), sleep=lambda s: None)

    assert info.value.permanent is True
    assert info.value.message == (
        "Segmind could not make the image: Image could not be processed: unsupported content"
    )
    assert len(srv.requests_to("/v2/gpt-image-1-edit")) == 1
    assert info.value.request_ids == list(srv.jobs)  # quotable to Segmind
    assert srv.credits == 100.0  # a failed job costs nothing


def test_a_poll_that_fails_for_a_moment_is_repeated_not_the_job(srv, provider):
    srv.fail_next(503, {"error": "busy"}, path="/v2/requests/", times=2)

    result = call_with_retries(lambda: provider.call(inpaint()), sleep=lambda s: None)

    assert len(result.images) == 1
    assert len(srv.requests_to("/v2/gpt-image-1-edit")) == 1


def test_losing_the_job_says_it_was_not_sent_again(srv, provider):
    srv.fail_next(503, {"error": "busy"}, path="/v2/requests/", times=99)

    with pytest.raises(ProviderError, match="submitted, so Promptbrush did not send it again"):
        call_with_retries(lambda: provider.call(inpaint()), sleep=lambda s: None)
    assert len(srv.requests_to("/v2/gpt-image-1-edit")) == 1


def test_losing_the_job_within_a_call_deadline_names_the_job_once(srv, provider):
    srv.fail_next(503, {"error": "busy"}, path="/v2/requests/", times=99)

    def call():
        return call_within(provider.client, 30.0, lambda: provider.call(inpaint()))

    with pytest.raises(ProviderError) as info:
        call_with_retries(call, sleep=lambda s: None)

    [request_id] = list(srv.jobs)
    assert info.value.message == (
        "Segmind had a server error (HTTP 503; often a parameter it could not use): busy "
        f"Segmind job {request_id} was already submitted, so Promptbrush did not send it again; "
        "it may still finish and be billed by Segmind. Re-running the edit submits a second job, "
        "billed on its own: do it only if you still need the image."
    )
    assert info.value.request_ids == [request_id]
    assert len(srv.requests_to("/v2/gpt-image-1-edit")) == 1


def test_a_job_that_never_finishes_is_given_up_with_its_id(srv, client):
    srv.polls_before_done = 10**6
    provider = SegmindProvider(
        client, srv.api_key, srv.base_url, srv.upload_url, poll_timeout=0, sleep=lambda s: None
    )
    with pytest.raises(ProviderError, match="still processing after 0 s") as info:
        provider.call(inpaint())
    assert next(iter(srv.jobs)) in info.value.message


def test_a_model_without_v2_falls_back_to_v1(srv, provider):
    srv.v2_slugs = {"gpt-image-1-edit-mini"}

    result = provider.call(inpaint())

    assert [r.path for r in srv.requests if r.method == "POST"] == [
        "/upload-asset",
        "/v2/gpt-image-1-edit",
        "/v1/gpt-image-1-edit",
    ]
    assert (result.response["api"], result.cost) == ("v1", 0.14)
    assert result.response["x-request-id"] in result.request_ids


@pytest.mark.parametrize(
    ("status", "body", "message", "permanent"),
    [
        (401, {"error": "Unauthorized. API key is invalid"}, "Segmind rejected the API key", True),
        (406, {"error": "Not enough credits"}, "out of credits or over its spend limit", True),
        (410, {"error": "Model deprecated"}, "Segmind has retired this model", True),
        (422, {"error": "bad size"}, "Segmind could not make the image: bad size", True),
        (429, {"error": "Rate limit exceeded"}, "Segmind is rate limiting requests", False),
        (500, {"error": "Internal server error"}, "Segmind had a server error (HTTP 500", False),
    ],
)
def test_plain_messages_for_each_refusal(srv, provider, status, body, message, permanent):
    srv.fail_next(status, body, path="/v2/")

    with pytest.raises(ProviderError, match=message.replace("(", r"\(")) as info:
        provider.call(inpaint())
    assert info.value.permanent is permanent


def _gets(srv, prefix):
    return len(srv.requests_to(prefix, method="GET"))


def test_a_rate_limited_poll_waits_until_segmind_resets(srv, provider, waits):
    reset = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    srv.fail_next(
        429,
        {"error": "Rate limit exceeded"},
        {"x-rate-limit-reset-at-utc": reset},
        path="/v2/requests/",
    )

    assert len(provider.call(inpaint()).images) == 1

    [wait] = waits
    assert 1.0 < wait <= 2.0
    assert len(srv.requests_to("/v2/gpt-image-1-edit")) == 1


def test_a_busy_poll_waits_as_long_as_retry_after_says(srv, provider, waits):
    srv.fail_next(503, {"error": "busy"}, {"Retry-After": "2"}, path="/v2/requests/")

    assert len(provider.call(inpaint()).images) == 1

    assert waits == [2.0]
    assert len(srv.requests_to("/v2/gpt-image-1-edit")) == 1


def test_a_rate_limited_output_download_waits_as_long_as_retry_after_says(srv, provider, waits):
    srv.fail_next(429, b"slow down", {"Retry-After": "2"}, path="/files/output_")

    assert len(provider.call(inpaint()).images) == 1

    assert waits == [2.0]
    assert _gets(srv, "/files/output_") == 2
    assert len(srv.requests_to("/v2/gpt-image-1-edit")) == 1


def test_a_failed_output_download_without_retry_after_backs_off(srv, provider, waits):
    srv.fail_next(503, b"busy", path="/files/output_")

    assert len(provider.call(inpaint()).images) == 1

    [wait] = waits
    assert 0.375 <= wait <= 0.5  # backoff_delay(0)
    assert _gets(srv, "/files/output_") == 2


def test_a_refused_output_download_is_permanent_and_not_repeated(srv, provider, waits):
    srv.fail_next(404, b"gone", path="/files/output_")

    with pytest.raises(ProviderError, match="HTTP 404") as info:
        call_with_retries(lambda: provider.call(inpaint()), sleep=waits.append)

    assert info.value.permanent is True
    assert waits == []
    assert _gets(srv, "/files/output_") == 1
    assert len(srv.requests_to("/v2/gpt-image-1-edit")) == 1


def test_a_poll_asked_to_wait_over_two_minutes_gives_up_without_waiting(srv, provider, waits):
    srv.fail_next(503, {"error": "busy"}, {"Retry-After": "600"}, path="/v2/requests/")

    with pytest.raises(ProviderError, match="asks to wait about 10 minutes") as info:
        call_with_retries(lambda: provider.call(inpaint()), sleep=waits.append)

    assert info.value.permanent is True
    assert waits == []
    assert len(srv.requests_to("/v2/gpt-image-1-edit")) == 1


# --- giving up the wait on a job Segmind already has: say so, and what re-running means ------

SUBMITTED = "was already submitted"


def assert_says_submitted(error: ProviderError, srv: SegmindServer) -> None:
    [request_id] = list(srv.jobs)
    assert error.permanent is True
    assert f"Segmind job {request_id} {SUBMITTED}" in error.message
    assert "did not send it again" in error.message
    assert "billed" in error.message  # re-running starts a second, separately billed job
    assert "try again after" not in error.message
    assert error.request_ids == [request_id]
    assert len(srv.requests_to("/v2/gpt-image-1-edit")) == 1


def test_a_job_past_its_poll_time_says_it_was_submitted(srv, client):
    srv.polls_before_done = 10**6
    provider = SegmindProvider(
        client, srv.api_key, srv.base_url, srv.upload_url, poll_timeout=0, sleep=lambda s: None
    )

    with pytest.raises(ProviderError) as info:
        call_with_retries(lambda: provider.call(inpaint()), sleep=lambda s: None)

    assert "still processing after 0 s" in info.value.message
    assert_says_submitted(info.value, srv)


def test_a_job_past_the_call_deadline_says_it_was_submitted(srv, client):
    srv.polls_before_done = 10**6
    provider = SegmindProvider(
        client, srv.api_key, srv.base_url, srv.upload_url, poll_interval=0.05
    )

    def call():
        return call_within(provider.client, 2.0, lambda: provider.call(inpaint()))

    with pytest.raises(ProviderError) as info:
        call_with_retries(call, sleep=lambda s: None)

    assert info.value.message.startswith("The provider did not finish within 2 s")
    assert_says_submitted(info.value, srv)


def test_a_poll_asked_to_wait_too_long_says_the_job_was_submitted(srv, provider, waits):
    srv.fail_next(503, {"error": "busy"}, {"Retry-After": "600"}, path="/v2/requests/")

    with pytest.raises(ProviderError) as info:
        call_with_retries(lambda: provider.call(inpaint()), sleep=waits.append)

    assert "asks to wait about 10 minutes" in info.value.message
    assert_says_submitted(info.value, srv)
    assert waits == []
