"""The first-time hint "Paint over what you want to change." is read without hiding any of the
image: it sits under the stage, in view on a phone, and goes once the first stroke is made."""

import pytest
from playwright.sync_api import expect

from editor import services
from tests.browser.canvas import open_editor, stroke
from tests.browser.screens import harbour_png

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def box(locator) -> list[int]:
    rect = locator.bounding_box()
    return [round(rect[k]) for k in ("x", "y", "width", "height")]


def overlap(a: list[int], b: list[int]) -> int:
    """The area two [x, y, width, height] boxes share, in CSS pixels."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_paint_hint_covers_nothing_and_goes_after_the_first_stroke(
    signed_in, live_server, alice_membership, viewport
):
    page = signed_in
    page.set_viewport_size(viewport)
    asset = services.upload_image(alice_membership, harbour_png(), "harbour.png")
    open_editor(page, live_server, asset)

    hint = page.get_by_text("Paint over what you want to change.")
    expect(hint).to_be_visible()
    where = box(hint)
    assert overlap(where, box(page.locator("[data-stage]"))) == 0
    assert where[0] >= 0 and where[0] + where[2] <= viewport["width"]  # read whole, in view
    assert where[1] + where[3] <= viewport["height"]
    assert float(hint.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")) >= 12
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")

    stroke(page, [(400, 300), (700, 400)])
    expect(hint).to_be_hidden(timeout=5_000)
    assert page.js_errors == []
