"""Credits: reserve before a job, settle after, refund on failure; one conditional UPDATE each."""

import threading

import pytest
from django.db import connection
from django.db.models import Sum

from accounts import services
from accounts.models import CreditEntry, Membership


def ledger(membership) -> list[tuple[str, int, str]]:
    return list(
        CreditEntry.objects.filter(membership=membership)
        .order_by("id")
        .values_list("kind", "amount", "reference")
    )


def used(membership) -> int:
    return Membership.objects.get(pk=membership.pk).used_credit


def test_reserve_then_settle_spends_the_credits(bob_membership):
    services.reserve_credits(bob_membership, 4_000, "rec-1")
    services.settle_credits(bob_membership.pk, "rec-1")

    assert used(bob_membership) == 4_000
    assert ledger(bob_membership) == [("RESERVE", 4_000, "rec-1"), ("SETTLE", 0, "rec-1")]


@pytest.mark.parametrize(("actual", "change"), [(2_500, -1_500), (4_700, 700), (4_000, 0)])
def test_settling_on_the_actual_cost_gives_back_or_charges_the_difference(
    bob_membership, actual, change
):
    services.reserve_credits(bob_membership, 4_000, "rec-1")
    services.settle_credits(bob_membership.pk, "rec-1", actual)
    services.settle_credits(bob_membership.pk, "rec-1", actual)  # idempotent

    assert used(bob_membership) == actual
    assert ledger(bob_membership) == [("RESERVE", 4_000, "rec-1"), ("SETTLE", change, "rec-1")]


def test_refund_gives_the_reservation_back_once(bob_membership):
    services.reserve_credits(bob_membership, 4_000, "rec-1")

    assert services.refund_credits(bob_membership.pk, "rec-1") == 4_000
    assert services.refund_credits(bob_membership.pk, "rec-1") == 0

    assert used(bob_membership) == 0
    assert ledger(bob_membership) == [("RESERVE", 4_000, "rec-1"), ("REFUND", -4_000, "rec-1")]


def test_a_settled_job_is_not_refunded(bob_membership):
    services.reserve_credits(bob_membership, 1_000, "rec-1")
    services.settle_credits(bob_membership.pk, "rec-1")

    assert services.refund_credits(bob_membership.pk, "rec-1") == 0
    assert used(bob_membership) == 1_000


def test_refunds_touch_only_their_own_reference(bob_membership):
    services.reserve_credits(bob_membership, 1_000, "rec-1")
    services.reserve_credits(bob_membership, 16_000, "rec-2")

    services.refund_credits(bob_membership.pk, "rec-2")

    assert used(bob_membership) == 1_000


def test_a_member_over_the_limit_gets_a_plain_message_and_nothing_is_spent(bob_membership):
    # bob's limit is 50,000
    services.reserve_credits(bob_membership, 48_000, "rec-1")

    with pytest.raises(services.InsufficientCredits) as caught:
        services.reserve_credits(bob_membership, 4_000, "rec-2")

    assert str(caught.value) == (
        "This edit costs 4,000 credits but you have 2,000 left of your 50,000 credit limit. "
        "Ask a team admin to raise your limit."
    )
    assert used(bob_membership) == 48_000
    assert ledger(bob_membership) == [("RESERVE", 48_000, "rec-1")]


def test_exactly_the_limit_can_be_spent(bob_membership):
    services.reserve_credits(bob_membership, 50_000, "rec-1")

    assert used(bob_membership) == 50_000


def test_an_inactive_member_cannot_reserve(bob_membership):
    services.set_member_status(bob_membership, active=False)

    with pytest.raises(services.InsufficientCredits):
        services.reserve_credits(bob_membership, 0, "rec-1")
    assert ledger(bob_membership) == []


@pytest.mark.sqlite_path
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_reserving_against_one_limit_never_overspend(bob_membership):
    # limit 50,000 at 4,000 each: exactly 12 of 20 fit (48,000), 8 must be refused.
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def reserve(i: int) -> None:
        try:
            barrier.wait()
            services.reserve_credits(bob_membership, 4_000, f"rec-{i}")
            outcome = "ok"
        except services.InsufficientCredits:
            outcome = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=reserve, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok"] * 12 + ["refused"] * 8
    assert used(bob_membership) == 48_000
    entries = CreditEntry.objects.filter(membership=bob_membership)
    assert entries.count() == 12
    assert entries.aggregate(total=Sum("amount"))["total"] == 48_000


def test_the_local_provider_costs_nothing(settings):
    assert services.price_for("local", "telea", "high", "1024x1024", n=4) == 0


def test_the_most_specific_price_wins(settings):
    settings.CREDIT_PRICES = {
        "*:*:*:*": 5_000,
        "openai:*:*:*": 4_200,
        "openai:*:high:*": 16_700,
        "openai:gpt-image-1:high:1536x1024": 25_000,
    }

    assert services.price_for("openai", "gpt-image-1", "high", "1536x1024") == 25_000
    assert services.price_for("openai", "gpt-image-1", "high", "1024x1024") == 16_700
    assert services.price_for("openai", "gpt-image-1", "low", "1024x1024") == 4_200
    assert services.price_for("segmind", "x", "low", "auto") == 5_000
    assert services.price_for("openai", "gpt-image-1", "high", "1024x1024", n=3) == 50_100


def test_missing_quality_and_size_count_as_auto(settings):
    settings.CREDIT_PRICES = {"onemin:*:auto:auto": 777, "*:*:*:*": 1}

    assert services.price_for("onemin", "m", "", "") == 777


def test_the_default_price_table(settings):
    assert services.price_for("onemin", "dall-e-2", "low", "auto") == 1_000
    # No row names OpenAI: the model's own price applies, else the fallback.
    assert services.price_for("openai", "gpt-image-1", "medium", "auto", default=4_200) == 4_200
    assert services.price_for("openai", "gpt-image-x", "medium", "auto") == 5_000
    assert services.price_for("segmind", "gpt-image-1-edit", "high", "auto") == 14_000
