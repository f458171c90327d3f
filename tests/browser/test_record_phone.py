"""A gallery record's own page on a phone: the rating and feedback come right after the results
the user is judging, not below the parameters, facts and conversation."""

import pytest
from django.urls import reverse

from tests.gallery.factories import make_record

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def top(locator) -> float:
    """Where the element starts, in CSS pixels from the top of the page."""
    return locator.evaluate("(el) => el.getBoundingClientRect().top + scrollY")


def test_the_rating_follows_the_results_on_a_phone(signed_in, live_server, alice_membership):
    page = signed_in
    record = make_record(alice_membership, results=1, mask=True, drift_share=0.04)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("gallery:detail", args=[record.code]))

    stars = page.get_by_role("group", name="Rating", exact=True)
    result = page.get_by_role("article").filter(has_text="Result 1")
    assert top(result) < top(stars)  # seen first, then rated
    for later in ("Source and mask", "What was sent", "Facts"):
        heading = page.get_by_role("heading", name=later, exact=True)
        assert top(stars) < top(heading), later
    # Within two screens of the top for a one-result edit (it was past three).
    assert top(stars) < 2 * PHONE["height"]

    stars.get_by_role("radio", name="4 of 5 stars").check()
    page.get_by_role("button", name="Save rating").click()
    page.get_by_text("Saved. Rated 4 of 5").wait_for(timeout=5_000)
    assert page.js_errors == []
