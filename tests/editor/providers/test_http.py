from datetime import UTC, datetime

import httpx
import pytest

from editor.providers.base import ProviderError
from editor.providers.fetch import check_image, fetch_image
from editor.providers.http import after_acceptance, call_within, make_client, send
from editor.providers.retry import (
    backoff_delay,
    call_with_retries,
    parse_reset_at,
    parse_retry_after,
)
from tests.fakes import LoopbackServer, Reply, make_png

NOW = datetime(2026, 10, 30, 12, 0, 0, tzinfo=UTC)


class EchoServer(LoopbackServer):
    def handle(self, request):
        return Reply(200, make_png(4, 4), {"Content-Type": "image/png"})


def test_make_client_has_explicit_timeouts_user_agent_and_no_redirects():
    with make_client() as client:
        assert client.timeout.connect == 10.0
        assert client.timeout.read == 300.0
        assert client.headers["User-Agent"] == "Promptbrush/0.1"
        assert client.follow_redirects is False


def test_make_client_number_sets_every_timeout():
    with make_client(timeout=2.5) as client:
        assert client.timeout.connect == client.timeout.read == 2.5


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "Fri, 30 Oct 2026 12:00:30 GMT"}, 30.0),
        ({"retry-after": "Fri, 30 Oct 2026 11:00:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers, expected):
    assert parse_retry_after(httpx.Headers(headers), now=lambda: NOW) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-30T12:00:05+00:00", 5.0),
        ("2026-10-30T12:00:05Z", 5.0),
        ("2026-10-30T12:00:05", 5.0),
        (str(NOW.timestamp() + 7), 7.0),
        (str(int((NOW.timestamp() + 7) * 1000)), 7.0),
        ("garbage", None),
        (None, None),
    ],
)
def test_parse_reset_at(value, expected):
    assert parse_reset_at(value, now=lambda: NOW) == expected


def test_backoff_grows_caps_at_8_and_jitters_down_to_three_quarters():
    assert backoff_delay(0, rand=lambda: 0.0) == 0.5
    assert backoff_delay(1, rand=lambda: 0.0) == 1.0
    assert backoff_delay(10, rand=lambda: 0.0) == 8.0
    assert backoff_delay(10, rand=lambda: 0.999) == pytest.approx(8 * 0.75, abs=0.01)


def _flaky(errors, result="ok"):
    calls = []

    def fn():
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return result

    return fn, calls


def test_call_with_retries_retries_transient_errors_with_backoff():
    fn, calls = _flaky([ProviderError("busy"), ProviderError("busy")])
    waits, retries = [], []
    result = call_with_retries(
        fn,
        sleep=waits.append,
        rand=lambda: 0.0,
        on_retry=lambda n, e, d: retries.append((n, e.message, d)),
    )
    assert result == "ok"
    assert len(calls) == 3
    assert waits == [0.5, 1.0]
    assert retries == [(1, "busy", 0.5), (2, "busy", 1.0)]


def test_call_with_retries_never_retries_permanent_errors():
    fn, calls = _flaky([ProviderError("bad key", permanent=True)])
    waits = []
    with pytest.raises(ProviderError, match="bad key"):
        call_with_retries(fn, sleep=waits.append)
    assert len(calls) == 1
    assert waits == []


def test_call_with_retries_gives_up_after_attempts():
    fn, calls = _flaky([ProviderError("busy") for _ in range(5)])
    waits = []
    with pytest.raises(ProviderError, match="busy"):
        call_with_retries(fn, attempts=3, sleep=waits.append)
    assert len(calls) == 3
    assert len(waits) == 2


def test_call_with_retries_waits_exactly_retry_after():
    fn, _calls = _flaky([ProviderError("slow down", retry_after=7.0)])
    waits = []
    assert call_with_retries(fn, sleep=waits.append) == "ok"
    assert waits == [7.0]


def test_call_with_retries_does_not_wait_over_two_minutes_and_says_when_to_retry():
    fn, calls = _flaky([ProviderError("Rate limited.", retry_after=3600.0, status=429)])
    waits = []
    with pytest.raises(ProviderError) as info:
        call_with_retries(fn, sleep=waits.append, now=lambda: NOW)
    assert waits == []
    assert len(calls) == 1
    assert info.value.permanent is True
    assert info.value.status == 429
    assert info.value.message == (
        "Rate limited. The provider asks to wait about 60 minutes; try again after 13:00 UTC."
    )


def test_send_maps_connect_error_to_retryable(client):
    with pytest.raises(ProviderError) as info:
        send(client, "POST", "http://127.0.0.1:9/x", provider="Acme", billable=True)
    assert info.value.permanent is False
    assert "Could not reach Acme" in info.value.message


def test_send_timeout_after_billable_post_is_permanent_and_says_why():
    with EchoServer() as srv, make_client(timeout=0.3) as client:
        srv.hang_next(3.0)
        with pytest.raises(ProviderError) as info:
            send(client, "POST", srv.url + "/run", provider="Acme", billable=True, json={})
    assert info.value.permanent is True
    assert info.value.message == (
        "Acme did not answer within 0.3 s. It may still have produced (and billed) the image, "
        "so Promptbrush did not send it again; re-run the edit if you need it."
    )


def test_send_timeout_on_non_billable_request_is_retryable():
    with EchoServer() as srv, make_client(timeout=0.3) as client:
        srv.hang_next(3.0)
        with pytest.raises(ProviderError) as info:
            send(client, "GET", srv.url + "/x", provider="Acme")
    assert info.value.permanent is False


def test_timed_out_billable_post_is_sent_once_under_call_with_retries():
    with EchoServer() as srv, make_client(timeout=0.3) as client:
        srv.hang_next(3.0)
        with pytest.raises(ProviderError):
            call_with_retries(
                lambda: send(client, "POST", srv.url + "/run", provider="Acme", billable=True),
                sleep=lambda s: None,
            )
        assert len(srv.requests) == 1


class JobServer(LoopbackServer):
    """Accepts a job on POST; its result page is always busy."""

    def handle(self, request):
        if request.method == "POST":
            return Reply.json({"id": "job-7"})
        return Reply.json({"error": "busy"}, 503)


def _run_then_fetch(client, url):
    send(client, "POST", url + "/run", provider="Acme", billable=True, json={})
    response = send(client, "GET", url + "/result", provider="Acme")
    raise ProviderError(f"Acme answered HTTP {response.status_code}.", status=response.status_code)


def test_a_passing_failure_after_an_accepted_billable_post_is_final_within_a_call():
    with (
        JobServer() as srv,
        make_client(timeout=5.0) as client,
        pytest.raises(ProviderError) as info,
    ):
        call_with_retries(
            lambda: call_within(client, 10.0, lambda: _run_then_fetch(client, srv.url)),
            sleep=lambda s: None,
        )
    assert (info.value.permanent, info.value.status) == (True, 503)
    assert info.value.message == (
        "Acme answered HTTP 503. The provider had accepted the request (and may bill it), so "
        "Promptbrush did not send it again."
    )
    assert [r.method for r in srv.requests] == ["POST", "GET"]


def test_after_acceptance_makes_a_passing_failure_final_in_the_words_given():
    def busy():
        raise ProviderError("Acme is busy.", status=503, response={"error": "busy"})

    with pytest.raises(ProviderError) as info:
        after_acceptance(busy, "Acme job 7 was submitted, so Promptbrush did not send it again.")

    assert info.value.permanent is True
    assert info.value.message == (
        "Acme is busy. Acme job 7 was submitted, so Promptbrush did not send it again."
    )
    assert (info.value.status, info.value.response) == (503, {"error": "busy"})


def test_after_acceptance_lets_a_final_error_through_as_it_is():
    refusal = ProviderError("Acme could not make the image.", permanent=True)

    def refuse():
        raise refusal

    with pytest.raises(ProviderError) as info:
        after_acceptance(refuse, "Acme job 7 was submitted.")
    assert info.value is refusal


def test_fetch_image_downloads_and_checks(client):
    with EchoServer() as srv:
        data = fetch_image(client, srv.url + "/img.png")
    assert check_image(data) == "PNG"


def test_fetch_image_rejects_truncated_download(client):
    with EchoServer() as srv:
        srv.fail_next(200, make_png(64, 64), {"Content-Type": "image/png"}, truncate_to=40)
        with pytest.raises(ProviderError, match="sent a damaged image"):
            fetch_image(client, srv.url + "/img.png")


def test_fetch_image_rejects_truncated_png_with_honest_length(client):
    with EchoServer() as srv:
        srv.fail_next(200, make_png(64, 64)[:60], {"Content-Type": "image/png"})
        with pytest.raises(ProviderError, match="sent a damaged image"):
            fetch_image(client, srv.url + "/img.png")


def test_fetch_image_rejects_non_image(client):
    with EchoServer() as srv:
        srv.fail_next(200, "<html>login</html>", {"Content-Type": "text/html"})
        with pytest.raises(ProviderError, match="damaged image"):
            fetch_image(client, srv.url + "/img.png")


def test_fetch_image_enforces_size_cap(client):
    with EchoServer() as srv, pytest.raises(ProviderError, match="limit") as info:
        fetch_image(client, srv.url + "/img.png", max_bytes=10)
    assert info.value.permanent is True


def test_fetch_image_http_error_statuses(client):
    with EchoServer() as srv:
        srv.fail_next(403, "denied")
        srv.fail_next(503, "busy")
        with pytest.raises(ProviderError) as forbidden:
            fetch_image(client, srv.url + "/a.png?X-Amz-Signature=secret")
        with pytest.raises(ProviderError) as busy:
            fetch_image(client, srv.url + "/a.png")
    assert forbidden.value.permanent is True
    assert "secret" not in forbidden.value.message
    assert busy.value.permanent is False
