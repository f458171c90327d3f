"""The editor on a phone (390x844): the header's links and buttons and the staged result's bar
(previous, next, Original, Drift, Accept, close) are tap targets of at least 44x44 px, the page
does not scroll sideways, and the stage keeps its height."""

import pytest

from editor import services
from tests.browser.canvas import open_editor, stroke
from tests.browser.screens import harbour_png

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TARGETS = "header a, header button, [data-stage-bar] button, [data-stage-bar] a"

# Each shown target's name and box (the header scrolls sideways inside itself: all are measured).
MEASURE = """(els) => els.filter((el) => el.offsetParent !== null).map((el) => {
  const r = el.getBoundingClientRect();
  const name = el.innerText.trim().split(String.fromCharCode(10)).pop();
  return { name, width: r.width, height: r.height, top: r.top, bottom: r.bottom,
           clipped: el.scrollWidth > el.clientWidth + 1 };
})"""


def test_the_editor_header_and_result_bar_are_tappable_on_a_phone(
    signed_in, live_server, alice_membership
):
    page = signed_in
    page.set_viewport_size(PHONE)
    asset = services.upload_image(alice_membership, harbour_png(), "harbour.png")
    open_editor(page, live_server, asset)
    page.locator("[data-mask-canvas]").focus()
    page.keyboard.press("r")
    stroke(page, [(1000, 540), (1200, 700)], steps=4)
    page.get_by_role("button", name="Change painted area").click()
    page.locator('[data-stage][data-showing="result"]').wait_for(timeout=20_000)

    targets = page.locator(TARGETS).evaluate_all(MEASURE)
    names = [t["name"] for t in targets]
    assert "Gallery" in names and "Sign out" in names and "Accept" in names
    assert "Original" in names and "Previous result" in names
    small = [(t["name"], round(t["width"]), round(t["height"])) for t in targets]
    small = [t for t in small if t[1] < 44 or t[2] < 44]
    assert small == []
    # None squeezed below its words (the brand was, to 44 px, under the link beside it).
    assert [t["name"] for t in targets if t["clipped"]] == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    # The bar sits under the stage, clear of the bottom sheet that covers the screen's foot.
    bar = page.locator("[data-stage-bar]").bounding_box()
    sheet = page.locator("[data-sheet]").bounding_box()
    assert bar["y"] + bar["height"] <= sheet["y"]
    stage = page.locator("[data-stage]").bounding_box()
    assert stage["height"] >= 250  # 254 px with the 32 px targets
    assert page.js_errors == []
