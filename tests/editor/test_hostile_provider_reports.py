"""What a provider reports about cost is input too: a billed amount or token counts that are
negative, NaN or infinite must neither crash the job's settling nor give credits away; the
estimate stands instead (and a share of it when results were lost)."""

import math

import pytest

from editor.providers.base import EditResult
from editor.services.costs import actual_credits

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
