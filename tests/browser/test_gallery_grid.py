"""The gallery grid shows the edit: whole thumbnails, how many results, the stars; and its
colours meet WCAG AA (3:1 for stars, 4.5:1 for status text), measured in the browser."""

import pytest
from django.urls import reverse

from gallery.models import Record
from tests.gallery.factories import make_record

pytestmark = pytest.mark.django_db(transaction=True)

CONTRAST = """(el, property) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = c.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let bg = el, back = "rgba(0, 0, 0, 0)";
  while (bg && (back === "rgba(0, 0, 0, 0)" || back === "transparent")) {
    back = getComputedStyle(bg).backgroundColor; bg = bg.parentElement;
  }
  const [a, b] = [lum(rgb(getComputedStyle(el)[property])), lum(rgb(back))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_the_grid_shows_whole_thumbnails_a_result_count_and_stars(
    signed_in, live_server, alice_membership
):
    tab = signed_in
    several = make_record(alice_membership, results=3, rating=4, prompt="three variants")
    make_record(alice_membership, results=1, prompt="one result")
    tab.goto(live_server.url + reverse("gallery:list"))

    card = tab.locator(f"#record-{several.code}")
    assert card.locator(".result-count").inner_text() == "3 results"
    stars = card.get_by_role("img", name="Rated 4 of 5")  # the one star control, read-only
    assert stars.locator("svg").count() == 5
    assert stars.locator("svg.on").count() == 4
    assert tab.locator(".result-count").count() == 1  # a single result needs no badge

    thumb = card.locator("img.record-thumb")
    fit = thumb.evaluate(
        "el => [getComputedStyle(el).objectFit, el.naturalWidth, el.naturalHeight]"
    )
    assert fit == ["contain", 8, 6]  # the factory's 8x6 thumbnail, shown whole, never cropped
    assert thumb.get_attribute("width") == "8" and thumb.get_attribute("height") == "6"


@pytest.mark.parametrize("status", ["SUCCESS", "FAILED", "RUNNING", "PENDING"])
def test_status_text_meets_4_5_to_1(signed_in, live_server, alice_membership, status):
    tab = signed_in
    make_record(alice_membership, results=0, status=Record.Status(status))
    tab.goto(live_server.url + reverse("gallery:list"))
    assert tab.locator(f".badge.{status}").first.evaluate(CONTRAST, "color") >= 4.5


def test_stars_rated_and_unrated_meet_3_to_1(signed_in, live_server, alice_membership):
    tab = signed_in
    record = make_record(alice_membership, rating=2)
    tab.goto(live_server.url + reverse("gallery:list"))
    shown = tab.locator(f"#record-{record.code} .stars svg")
    assert shown.nth(0).evaluate(CONTRAST, "fill") >= 3  # rated
    assert shown.nth(4).evaluate(CONTRAST, "stroke") >= 3  # not rated: an outline
    tab.goto(live_server.url + reverse("editor:edit", args=[record.source.code]))
    stars = tab.locator(f"#job-{record.code} .stars svg")  # the rating control on a card
    assert stars.nth(0).evaluate(CONTRAST, "fill") >= 3
    assert stars.nth(4).evaluate(CONTRAST, "stroke") >= 3


def test_an_empty_gallery_says_how_to_fill_it_and_a_filtered_one_how_to_widen(
    signed_in, live_server, alice_membership
):
    tab = signed_in
    tab.goto(live_server.url + reverse("gallery:list"))  # a new user: no edits at all
    empty = tab.locator("#record-grid .empty")
    assert empty.inner_text().startswith("No edits yet.")
    empty.get_by_role("link", name="Start an edit").click()
    tab.get_by_role("heading", name="Start an edit").wait_for()

    make_record(alice_membership, prompt="a red door")
    tab.goto(live_server.url + reverse("gallery:list") + "?q=zebra")
    assert empty.inner_text().startswith("No edits match these filters.")
    empty.get_by_role("link", name="Show all edits").click()
    tab.locator(".record-card").first.wait_for()
    assert tab.locator(".record-card").count() == 1
    assert tab.js_errors == []
