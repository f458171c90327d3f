"""The phone editor's menu is one row that scrolls sideways: its edge fades where more items
are hidden, so users know to swipe, and stops fading once the last item is in view."""

import io

import numpy as np
import pytest
from PIL import Image

from editor import services
from tests.browser.canvas import open_editor, scene_png

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
BAND = 16  # CSS px at the bar's right edge


def darkest(tab, left, width) -> int:
    """The darkest luminance (0..255) in a vertical band of the menu bar, as shown on screen."""
    header = tab.locator("header.topbar")
    box = header.bounding_box()
    shot = np.asarray(Image.open(io.BytesIO(header.screenshot())).convert("L"), dtype=int)
    k = shot.shape[1] / box["width"]
    return int(shot[:, round(left * k) : round((left + width) * k)].min())


def next_frames(tab):
    """Two frames later: the scroll has been handled and drawn."""
    tab.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_the_phone_editor_menu_shows_that_it_scrolls(signed_in, live_server, alice_membership):
    tab = signed_in
    asset = services.upload_image(alice_membership, scene_png(), "scene.png")
    tab.set_viewport_size(PHONE)
    open_editor(tab, live_server, asset)
    header = tab.locator("header.topbar")
    assert header.evaluate("(el) => el.scrollWidth > el.clientWidth")  # items hidden
    team = tab.get_by_role("navigation", name="Main").get_by_role("link", name="Team")
    assert team.evaluate("(a) => a.getBoundingClientRect().left >= innerWidth")

    # A word that runs past the edge fades out there instead of being cut sharp.
    header.evaluate(
        """(bar) => {
            const a = [...bar.querySelectorAll("nav a")].find((l) => l.textContent === "Gallery");
            bar.scrollLeft = a.offsetLeft + a.offsetWidth / 2 - bar.clientWidth + 8;
        }"""
    )
    width = header.evaluate("(el) => el.clientWidth")
    next_frames(tab)
    assert darkest(tab, width - BAND, BAND) > 140  # faded: no dark glyph at the very edge

    # Swiped to the end: the last item reads in full, the start edge fades instead.
    header.evaluate("(bar) => { bar.scrollLeft = bar.scrollWidth; }")
    next_frames(tab)
    sign_out = tab.get_by_role("button", name="Sign out").bounding_box()
    box = header.bounding_box()
    assert darkest(tab, sign_out["x"] - box["x"], sign_out["width"]) < 120
    assert tab.js_errors == []
