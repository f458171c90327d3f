"""The gallery in Debian's Chromium: the pieces that need JavaScript (htmx swaps, the slider)."""

import pytest

from gallery.models import Record
from tests.browser.canvas import htmx_settled
from tests.gallery.factories import days_ago, make_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_rating_saves_in_place_and_the_slider_splits(signed_in, live_server, alice_membership):
    tab = signed_in
    record = make_record(alice_membership, mask=True, drift_share=0.032)
    tab.goto(f"{live_server.url}/gallery/{record.code}/")
    url = tab.url

    slider = tab.get_by_label("Before / after split")
    slider.fill("20")
    box = tab.locator("[data-before-after]")
    assert box.get_attribute("class") == "before-after is-interactive"
    assert box.evaluate("el => el.style.getPropertyValue('--split')") == "20%"

    tab.get_by_label("4 of 5").check()
    tab.get_by_role("textbox", name="Feedback").fill("Sky is right, trees too blue")
    tab.get_by_role("button", name="Save rating").click()
    tab.get_by_text("Saved. Rated 4 of 5").wait_for()
    assert tab.url == url  # swapped in place, no navigation
    record.refresh_from_db()
    assert (record.rating, record.feedback) == (4, "Sky is right, trees too blue")
    assert tab.js_errors == []


def test_filters_and_load_more_swap_the_grid(signed_in, live_server, alice_membership):
    tab = signed_in
    for i in range(30):
        make_record(alice_membership, results=0, prompt=f"local edit {i}", created=days_ago(i))
    make_record(
        alice_membership,
        status=Record.Status.FAILED,
        provider="openai",
        model="gpt-image-1",
        prompt="the failed one",
        created=days_ago(40),
    )
    tab.goto(f"{live_server.url}/gallery/")
    cards = tab.locator(".record-card")
    tab.locator(".load-more").scroll_into_view_if_needed()
    tab.wait_for_function("() => document.querySelectorAll('.record-card').length === 31")
    assert cards.count() == 31

    tab.get_by_label("Status").select_option("FAILED")
    tab.wait_for_function("() => document.querySelectorAll('.record-card').length === 1")
    assert cards.first.inner_text().count("the failed one") == 1
    assert tab.url.endswith("status=FAILED") or "status=FAILED" in tab.url
    assert tab.js_errors == []


def test_job_card_stars_rate_in_place_and_show_a_refused_value(
    signed_in, live_server, alice_membership
):
    tab = signed_in
    record = make_record(alice_membership, feedback="keep this")
    tab.goto(f"{live_server.url}/edit/{record.source.code}/")
    url = tab.url
    stars = tab.locator(f"#stars-{record.code}")

    stars.get_by_role("radio", name="4 of 5 stars").check()
    stars.locator('input[value="4"][checked]').wait_for()  # the answer: rated 4
    assert tab.url == url  # swapped in place, no navigation
    record.refresh_from_db()
    assert (record.rating, record.feedback) == (4, "keep this")

    # A value the stars never send still gets a visible answer, not a silent nothing.
    stars.get_by_role("radio", name="5 of 5 stars").evaluate("radio => { radio.value = '6'; }")
    stars.get_by_role("radio", name="5 of 5 stars").check()
    tab.locator(f"#stars-{record.code} [role=alert]").wait_for()
    assert stars.get_by_role("alert").inner_text() == "Choose a rating from 1 to 5."
    record.refresh_from_db()
    assert record.rating == 4
    assert tab.js_errors == []


def test_saving_a_rating_keeps_the_focus_on_the_save_button(
    signed_in, live_server, alice_membership
):
    tab = signed_in
    record = make_record(alice_membership)
    tab.goto(f"{live_server.url}/gallery/{record.code}/")
    tab.get_by_role("textbox", name="Feedback").fill("Good edges")
    save = tab.get_by_role("button", name="Save rating")
    save.focus()
    tab.keyboard.press("Enter")
    tab.get_by_text("Saved. Not rated yet").wait_for()
    # The section was swapped in place; the focus is not dropped on the page.
    assert save.evaluate("(el) => el === document.activeElement")
    assert tab.js_errors == []


WORDS_SPLIT = """(el) => {
    const text = el.firstChild;
    const split = [];
    for (const match of text.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        if (range.getClientRects().length > 1) split.push(match[0]);
    }
    return split;
}"""


def test_the_facts_wrap_whole_words(signed_in, live_server, alice_membership):
    tab = signed_in
    record = make_record(alice_membership)  # no cost reported: the longest fact
    tab.goto(f"{live_server.url}/gallery/{record.code}/")
    actual = tab.locator("[data-actual-cost]")
    assert actual.inner_text() == "as estimated (the provider reports no cost)"
    assert actual.evaluate("(el) => el.getClientRects()[0].height > 30")  # it wraps
    assert actual.evaluate(WORDS_SPLIT) == []  # but no word is cut in two
    assert tab.js_errors == []


def test_a_gone_edit_says_so_in_words_and_leads_back_to_the_gallery(signed_in, live_server):
    tab = signed_in
    tab.goto(f"{live_server.url}/gallery/00000000-0000-0000-0000-000000000000/")
    alert = tab.get_by_role("alert")
    assert "matches the given query" not in alert.inner_text()  # Django's words, not ours
    assert alert.inner_text().startswith("There is nothing at this address.")
    tab.get_by_role("link", name="Gallery").click()
    tab.get_by_role("heading", name="Gallery").wait_for()
    assert tab.js_errors == []


def test_saving_a_rating_applies_no_inline_style_whatever_the_fields_carry(
    signed_in, live_server, alice_membership
):
    """Autofill and extensions leave a style attribute on form fields; the in-place swap must not
    copy it over with setAttribute, which the Content Security Policy refuses (the page fixture
    fails the test on any such report)."""
    tab = signed_in
    record = make_record(alice_membership)
    tab.goto(f"{live_server.url}/gallery/{record.code}/")
    tab.evaluate(
        """() => { for (const el of document.querySelectorAll("#record-rating input, textarea"))
            el.style.cssText = "color: inherit"; }"""
    )
    tab.get_by_role("textbox", name="Feedback").fill("Fine")
    # htmx copies attributes over when it settles, 20 ms after the swap: waited for (bounded),
    # not guessed with a 100 ms pause that a loaded machine outlasts before the settle.
    with htmx_settled(tab):
        tab.get_by_role("button", name="Save rating").click()
    tab.get_by_text("Saved. Not rated yet").wait_for()
    assert tab.js_errors == []
