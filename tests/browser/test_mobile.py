"""Every page but the canvas editor at 390x844 (a phone): nothing scrolls sideways, the
gallery's filters fold behind one button, tables become stacked rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services as accounts
from accounts.models import Invite
from gallery.models import Record
from tests.gallery.factories import make_record

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def overflow(tab) -> int:
    """How far the page reaches past the screen's right edge, in CSS pixels."""
    return tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_no_page_scrolls_sideways_on_a_phone(signed_in, live_server, alice_membership):
    tab = signed_in
    tab.set_viewport_size(PHONE)
    accounts.add_member(
        alice_membership.team, "bartholomew-the-long-named", "pw-" * 6, credit_limit=90_000
    )
    accounts.create_api_token(alice_membership, "a script with a long descriptive name")
    Invite.objects.create(
        team=alice_membership.team,
        created_by=alice_membership.user,
        credit_limit=123_456,
        expires=timezone.now() + datetime.timedelta(days=7),
    )
    record = make_record(
        alice_membership,
        results=3,
        mask=True,
        drift_share=0.04,
        rating=4,
        prompt="Replace the sky with a dramatic sunset and add a flock of birds " * 3,
    )
    make_record(alice_membership, status=Record.Status.FAILED, error="Rate limited " * 20)
    pages = [
        reverse("editor:home"),
        reverse("gallery:list"),
        reverse("gallery:list") + "?scope=team",
        reverse("gallery:detail", args=[record.code]),
        reverse("gallery:compare", args=[record.source.code]),
        reverse("gallery:stats"),
        reverse("accounts:tokens"),
        reverse("accounts:team"),
        reverse("accounts:keys"),
        reverse("accounts:password_change"),
    ]
    wide = {}
    for path in pages:
        tab.goto(live_server.url + path)
        if overflow(tab) > 0:
            wide[path] = overflow(tab)
    assert wide == {}
    assert tab.js_errors == []


def test_the_sign_in_page_fits_a_phone(page, live_server, alice):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("accounts:login"))
    assert overflow(page) <= 0


def test_gallery_filters_fold_behind_one_button_on_a_phone(
    signed_in, live_server, alice_membership
):
    tab = signed_in
    make_record(alice_membership, prompt="a red door")
    tab.set_viewport_size(PHONE)
    tab.goto(live_server.url + reverse("gallery:list"))
    search = tab.get_by_role("searchbox", name="Search")
    assert not search.is_visible()
    first_image = tab.locator(".record-card img").first.bounding_box()
    assert first_image["y"] < 844  # the first edit is on the first screen
    tab.get_by_text("Filters", exact=True).click()
    expect(search).to_be_visible()
    search.fill("door")
    tab.get_by_role("button", name="Apply").click()
    tab.wait_for_url("**q=door**")
    tab.goto(tab.url)  # opened from a link: the folded button says a filter is on
    tab.get_by_text("Filters (1 on)").wait_for()

    tab.set_viewport_size({"width": 1440, "height": 900})
    tab.goto(live_server.url + reverse("gallery:list"))
    assert tab.get_by_role("searchbox", name="Search").is_visible()  # wide: always shown
    assert not tab.get_by_text("Filters", exact=True).is_visible()


def test_tables_become_stacked_rows_with_labels(signed_in, live_server, alice_membership):
    tab = signed_in
    accounts.add_member(alice_membership.team, "bob", "pw-" * 6, credit_limit=5)
    tab.set_viewport_size(PHONE)
    tab.goto(live_server.url + reverse("accounts:team"))
    row = tab.locator("#member-rows tr").first
    cells = row.locator("td")
    assert cells.first.evaluate("el => getComputedStyle(el).display") == "block"
    label = cells.first.evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"Role"'
    tab.set_viewport_size({"width": 1440, "height": 900})
    assert cells.first.evaluate("el => getComputedStyle(el).display") == "table-cell"


def test_every_main_link_is_in_sight_on_a_phone(signed_in, live_server, alice_membership):
    """Outside the editor the main menu wraps: Team and Provider keys are not hidden past the
    right edge of a row that scrolls without a scroll bar."""
    tab = signed_in
    tab.set_viewport_size(PHONE)
    for path in (reverse("editor:home"), reverse("gallery:list"), reverse("accounts:team")):
        tab.goto(live_server.url + path)
        nav = tab.get_by_role("navigation", name="Main")
        names = nav.get_by_role("link").all_inner_texts()
        assert names == ["Edit", "Text to image", "Gallery", "API tokens", "Team", "Provider keys"]
        cut = nav.get_by_role("link").evaluate_all(
            """(links) => links.filter((a) => {
                const r = a.getBoundingClientRect(), box = a.closest("ul").getBoundingClientRect();
                return r.left < box.left || r.right > box.right || r.right > innerWidth;
            }).map((a) => a.textContent)"""
        )
        assert cut == [], path
        assert overflow(tab) <= 0
    assert tab.js_errors == []


def test_apply_on_a_phone_folds_the_filters_and_shows_the_results(
    signed_in, live_server, alice_membership
):
    tab = signed_in
    make_record(alice_membership, prompt="a red door")
    make_record(alice_membership, prompt="a blue sky")
    tab.set_viewport_size(PHONE)
    tab.goto(live_server.url + reverse("gallery:list"))
    tab.get_by_text("Filters", exact=True).click()
    tab.get_by_role("searchbox", name="Search").fill("door")
    tab.get_by_role("button", name="Apply").click()
    # Folded again, saying a filter is on; the matching edit is on the first screen.
    tab.get_by_text("Filters (1 on)").wait_for()
    assert not tab.get_by_role("searchbox", name="Search").is_visible()
    cards = tab.locator(".record-card")
    assert cards.all_inner_texts()[0].startswith("a red door") and cards.count() == 1
    box = cards.first.bounding_box()
    assert box["y"] < PHONE["height"]
    assert tab.js_errors == []
