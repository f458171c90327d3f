"""1min.ai's GETs after the billed feature call (result downloads, result polls): a passing
failure is repeated after the wait the server asks for (Retry-After), a permanent one is not;
the feature call is never sent again."""

import email.utils
import time
from datetime import UTC, datetime, timedelta

import pytest

from editor.providers.base import IMAGE_GENERATOR, EditRequest, ProviderError
from editor.providers.http import call_within
from editor.providers.onemin import OneMinProvider
from editor.providers.retry import call_with_retries
from tests.fakes import OneMinServer


@pytest.fixture
def srv():
    with OneMinServer() as server:
        yield server


@pytest.fixture
def waits():
    return []


@pytest.fixture
def provider(srv, client, waits):
    return OneMinProvider(client, srv.api_key, srv.base_url, srv.asset_base, sleep=waits.append)


def generate():
    return EditRequest(
        type=IMAGE_GENERATOR, model="gpt-image-1", prompt="a lighthouse", params={"n": 1}
    )


def downloads(srv):
    return [r.path.split("/")[1] for r in srv.requests if r.method == "GET"]


@pytest.mark.parametrize(
    ("headers", "asked"),
    [({"Retry-After": "2"}, 2.0), ({"retry-after-ms": "1500"}, 1.5)],
)
def test_a_rate_limited_download_waits_as_long_as_the_host_asks(
    srv, provider, waits, headers, asked
):
    srv.fail_next(429, b"slow down", headers, path="/cdn/")

    result = provider.call(generate())

    assert len(result.images) == 1 and result.missing == []
    assert waits == [asked]
    assert downloads(srv) == ["cdn", "cdn"]  # the same asset again, not the signed link
    assert len(srv.requests_to("/api/features")) == 1


def test_a_retry_after_given_as_a_date_is_waited_until_then(srv, provider, waits):
    when = datetime.now(UTC) + timedelta(seconds=3)
    date = email.utils.format_datetime(when, usegmt=True)
    srv.fail_next(503, b"", {"Retry-After": date}, path="/cdn/")

    assert len(provider.call(generate()).images) == 1

    [wait] = waits
    assert 1.0 < wait <= 3.0  # the date has whole seconds


def test_a_server_error_without_retry_after_backs_off(srv, provider, waits):
    srv.fail_next(503, b"busy", path="/cdn/")

    assert len(provider.call(generate()).images) == 1

    [wait] = waits
    assert 0.375 <= wait <= 0.5  # backoff_delay(0): 0.5 s with up to a quarter off
    assert downloads(srv) == ["cdn", "cdn"]


def test_a_permanent_refusal_is_not_downloaded_again(srv, provider, waits):
    srv.fail_next(404, b"<Error><Code>NoSuchKey</Code></Error>", path="/cdn/")

    result = provider.call(generate())

    assert len(result.images) == 1
    assert waits == []
    assert downloads(srv) == ["cdn", "signed"]  # straight to the signed link


def test_a_wait_over_two_minutes_is_not_waited(srv, provider, waits):
    srv.fail_next(429, b"", {"Retry-After": "600"}, path="/cdn/")

    result = provider.call(generate())

    assert len(result.images) == 1
    assert waits == []
    assert downloads(srv) == ["cdn", "signed"]
    assert len(srv.requests_to("/api/features")) == 1


def processing_first(srv, provider):
    """The next feature call answers PROCESSING; its record is done when polled."""
    done = provider.call(generate()).response["aiRecord"]
    srv.records["u-1"] = done
    srv.requests.clear()
    srv.fail_next(200, {"aiRecord": {"uuid": "u-1", "status": "PROCESSING"}}, path="/api/features")


def test_a_busy_result_poll_is_repeated_after_the_wait_asked_for(srv, provider, waits):
    processing_first(srv, provider)
    srv.fail_next(503, {"message": "busy"}, {"Retry-After": "3"}, path="/api/results/")

    result = provider.call(generate())

    assert len(result.images) == 1
    assert waits == [2.0, 3.0]  # the poll interval, then the wait 1min.ai asked for
    assert len(srv.requests_to("/api/results/u-1")) == 2
    assert len(srv.requests_to("/api/features")) == 1


def test_a_refused_result_poll_is_final_and_not_repeated(srv, provider, waits):
    processing_first(srv, provider)
    srv.fail_next(404, {"message": "no such record"}, path="/api/results/")

    with pytest.raises(ProviderError, match="HTTP 404") as info:
        call_with_retries(lambda: provider.call(generate()), sleep=waits.append)

    assert info.value.permanent is True
    assert waits == [2.0]  # the poll interval only
    assert len(srv.requests_to("/api/results/u-1")) == 1
    assert len(srv.requests_to("/api/features")) == 1


def test_a_wait_past_the_call_deadline_ends_the_call_at_its_deadline(srv, client):
    provider = OneMinProvider(client, srv.api_key, srv.base_url, srv.asset_base)  # real sleep
    srv.fail_next(429, b"", {"Retry-After": "60"}, path="/cdn/")
    started = time.monotonic()

    with pytest.raises(ProviderError) as info:
        call_with_retries(
            lambda: call_within(client, 1.0, lambda: provider.call(generate())),
            sleep=lambda s: None,
        )

    assert time.monotonic() - started < 5  # not the 60 s asked for
    assert info.value.permanent is True
    assert info.value.message.startswith("The provider did not finish within 1 s")
    assert len(srv.requests_to("/api/features")) == 1
