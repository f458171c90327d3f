"""What a provider reports about cost is input too: a billed amount or token counts that are
negative, NaN or infinite must neither crash the job's settling nor give credits away; the
estimate stands instead (and a share of it when results were lost)."""

import math

import pytest

from accounts.models import CreditEntry
from editor import services
from editor.providers.base import EditResult
from editor.services.costs import actual_credits
from gallery.models import Record
from tests.conftest import png_bytes

ESTIMATE = 4_000


@pytest.mark.parametrize("cost", [float("nan"), float("inf"), float("-inf"), -0.5])
def test_a_billed_cost_that_is_not_a_price_leaves_the_estimate(cost):
    result = EditResult(images=[b"png"], cost=cost)

    assert actual_credits("segmind", "sdxl", ESTIMATE, result) is None


def test_a_billed_cost_that_is_not_a_price_is_shared_out_like_the_estimate():
    result = EditResult(images=[b"png"], cost=float("nan"), missing=["result 2: gone"])

    assert actual_credits("segmind", "sdxl", ESTIMATE, result) == ESTIMATE // 2


@pytest.mark.parametrize(
    "usage",
    [
        {"input_tokens": -10_000_000, "output_tokens": 10},
        {"input_tokens": 10, "output_tokens": -10_000_000},
        {"input_tokens_details": {"text_tokens": -5, "image_tokens": -5}, "output_tokens": -5},
    ],
)
def test_negative_token_counts_never_make_a_negative_charge(usage):
    result = EditResult(images=[b"png"], usage=usage)

    actual = actual_credits("openai", "gpt-image-1", ESTIMATE, result)

    assert actual is not None and actual >= 0


def test_token_counts_that_overflow_a_float_leave_the_estimate():
    result = EditResult(images=[b"png"], usage={"input_tokens": 10**400, "output_tokens": 1})

    actual = actual_credits("openai", "gpt-image-1", ESTIMATE, result)

    assert actual is None or (math.isfinite(actual) and actual >= 0)


# --- answers that broke the job's own code (each ended as "Promptbrush failed while
# processing the result: <a Python error>") -------------------------------------------------

PROVIDERS = {
    "openai": ("gpt-image-2.5-sunburst", "/v1/images/edits"),
    "onemin": ("gpt-image-1", "/api/features"),
    "segmind": ("gpt-image-1-edit", "/v2/gpt-image-1-edit"),
}


@pytest.fixture
def run_edit(alice_membership, django_capture_on_commit_callbacks):
    def go(provider: str) -> Record:
        source = services.upload_image(alice_membership, png_bytes(64, 48), "photo.png")
        with django_capture_on_commit_callbacks(execute=True):
            record = services.start_edit(
                alice_membership,
                provider=provider,
                model=PROVIDERS[provider][0],
                type="IMAGE_EDITOR",
                prompt="a red balloon",
                params={},
                source=source,
            )
        record.refresh_from_db()
        return record

    return go


def assert_failed_plainly(record: Record, *words: str) -> None:
    assert record.status == Record.Status.FAILED
    assert "Promptbrush failed" not in record.error, record.error
    for word in words:
        assert word in record.error, record.error
    assert sum(CreditEntry.objects.values_list("amount", flat=True)) == 0


@pytest.mark.parametrize("provider", list(PROVIDERS))
@pytest.mark.parametrize("wait", ["9" * 400, "1e12", "inf"])
def test_a_retry_after_no_clock_can_hold_is_a_plain_failure(request, run_edit, provider, wait):
    fake = request.getfixturevalue(provider)
    fake.fail_next(429, {"error": "slow down"}, {"Retry-After": wait}, path=PROVIDERS[provider][1])

    record = run_edit(provider)

    if record.status == Record.Status.SUCCESS:  # a wait that is no number: retried at once
        assert len(fake.requests_to(PROVIDERS[provider][1], "POST")) == 2
    else:
        assert_failed_plainly(record, "asks to wait")


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_json_nested_deeper_than_python_parses_is_a_plain_failure(request, run_edit, provider):
    fake = request.getfixturevalue(provider)
    deep = b"[" * 100_000 + b"]" * 100_000
    fake.fail_next(200, deep, {"Content-Type": "application/json"}, path=PROVIDERS[provider][1])

    record = run_edit(provider)

    assert_failed_plainly(record, "not the JSON Promptbrush expects")
    assert len(fake.requests_to(PROVIDERS[provider][1], "POST")) == 1
