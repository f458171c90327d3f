"""What an edit really cost, from what the provider reported, for the results delivered.

OpenAI reports `usage` tokens: priced with settings.TOKEN_PRICES (credits per text input, image
input and output token; the longest "provider:model" pattern that matches wins). Segmind reports
the billed amount in USD (`x-cost`): times settings.CREDITS_PER_USD. When some results could not
be fetched, only the delivered share is charged (of the reported cost, else of the estimate).
What a provider reports is not trusted blindly: a billed amount that is negative, NaN or
infinite, or negative token counts, count as not reported (the estimate stands).
"""

from __future__ import annotations

import fnmatch
import math
from typing import Any

from django.conf import settings

from editor.providers.base import EditResult


def actual_credits(provider: str, model: str, estimate: int, result: EditResult) -> int | None:
    """Credits to charge instead of the estimate; None when the provider reported nothing and
    every result arrived (the estimate stands)."""
    billed = reported_credits(provider, model, result)
    if billed is not None and not (math.isfinite(billed) and billed >= 0):
        billed = None  # NaN, infinite or negative: not a price
    delivered = len(result.images)
    made = delivered + len(result.missing)
    if billed is None:
        if not result.missing:
            return None
        billed = estimate
    return round(billed * delivered / made) if made else 0


def reported_credits(provider: str, model: str, result: EditResult) -> float | None:
    if result.usage:
        prices = token_prices(provider, model)
        if prices is not None:
            try:
                return _priced_usage(result.usage, prices)
            except OverflowError:  # token counts past any float: not a real count
                return None
    if result.cost is not None:
        return result.cost * settings.CREDITS_PER_USD
    return None


def token_prices(provider: str, model: str) -> dict[str, float] | None:
    key = f"{provider}:{model}"
    matches = [p for p in settings.TOKEN_PRICES if fnmatch.fnmatchcase(key, p)]
    return settings.TOKEN_PRICES[max(matches, key=len)] if matches else None


def _priced_usage(usage: dict[str, Any], prices: dict[str, float]) -> float:
    """OpenAI's usage: input tokens split into text and image, output tokens."""
    details = usage.get("input_tokens_details") or {}
    image_in = _count(details.get("image_tokens"))
    text_in = _count(details.get("text_tokens"))
    if not details:
        text_in = _count(usage.get("input_tokens"))
    return (
        text_in * prices.get("text_input", 0)
        + image_in * prices.get("image_input", 0)
        + _count(usage.get("output_tokens")) * prices.get("output", 0)
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
