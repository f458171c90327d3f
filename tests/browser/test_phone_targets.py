"""The gallery's header on a phone (390 px): every link of the main menu, the account corner and
the gallery's own links is a tap target of at least 44x44 px, on one line, and nothing scrolls
sideways."""

import pytest
from django.urls import reverse

from tests.gallery.factories import make_record

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TARGETS = "header a, header button, .gallery-links a"

# Each target's name, box, and how many lines its words take.
MEASURE = """(els) => els.filter((el) => el.offsetParent !== null).map((el) => {
  const r = el.getBoundingClientRect(), words = document.createRange();
  words.selectNodeContents(el);
  const lines = new Set([...words.getClientRects()].map((q) => Math.round(q.top))).size;
  return { name: el.textContent.trim(), left: r.left, right: r.right, top: r.top,
           bottom: r.bottom, width: r.width, height: r.height, lines };
})"""


def test_the_gallery_header_links_are_tappable_on_a_phone(signed_in, live_server, alice_membership):
    tab = signed_in
    make_record(alice_membership, prompt="a red door")
    tab.set_viewport_size(PHONE)
    tab.goto(live_server.url + reverse("gallery:list"))
    targets = tab.locator(TARGETS).evaluate_all(MEASURE)
    names = [t["name"] for t in targets]
    assert "Providers compared" in names and "Download images (zip)" in names
    assert "Provider keys" in names and "Sign out" in names

    small = [t["name"] for t in targets if t["width"] < 44 or t["height"] < 44]
    assert small == []
    wrapped = [t["name"] for t in targets if t["lines"] > 1]
    assert wrapped == []
    outside = [t["name"] for t in targets if t["left"] < 0 or t["right"] > PHONE["width"]]
    assert outside == []
    overlapping = [
        (a["name"], b["name"])
        for i, a in enumerate(targets)
        for b in targets[i + 1 :]
        if min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0
    ]
    assert overlapping == []
    assert tab.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    # The first edit still starts on the first screen.
    assert tab.locator(".record-card img").first.bounding_box()["y"] < PHONE["height"]
    assert tab.js_errors == []
