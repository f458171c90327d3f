"""The canvas keeps still for the user judging it: the first job's strip does not shrink the
image, and nothing covers the image's pixels while a result is on the stage."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from editor import services
from tests.browser.canvas import open_editor, stroke
from tests.browser.screens import harbour_png

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def asset(alice_membership):
    return services.upload_image(alice_membership, harbour_png(), "harbour.png")


def box(page, selector) -> list[int]:
    rect = page.locator(selector).bounding_box()
    return [round(rect[k]) for k in ("x", "y", "width", "height")]


def send_a_local_edit(page):
    """Paint out the boat with the rectangle and send it; wait for its result on the stage."""
    page.locator("[data-mask-canvas]").focus()
    page.keyboard.press("r")
    stroke(page, [(1000, 540), (1200, 700)], steps=4)
    page.get_by_role("button", name="Change painted area").click()
    page.locator('[data-stage][data-showing="result"]').wait_for(timeout=20_000)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_image_does_not_jump_when_the_first_result_arrives(
    signed_in, live_server, asset, viewport
):
    page = signed_in
    page.set_viewport_size(viewport)
    open_editor(page, live_server, asset)
    stage, image = box(page, "[data-stage]"), box(page, "[data-stage-image]")

    send_a_local_edit(page)

    page.locator("#jobs [data-result]").first.wait_for(timeout=5_000)  # the strip is filled
    assert box(page, "[data-stage]") == stage
    assert box(page, "[data-stage-image]") == image
    assert box(page, "[data-stage-result]") == image  # the result is judged at the same size
    assert page.js_errors == []


def overlap(a: list[int], b: list[int]) -> int:
    """The area two [x, y, width, height] boxes share, in CSS pixels."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_result_bar_covers_none_of_the_image(signed_in, live_server, asset, viewport):
    page = signed_in
    page.set_viewport_size(viewport)
    open_editor(page, live_server, asset)
    send_a_local_edit(page)

    bar = page.get_by_role("toolbar", name="Result on the stage")
    assert bar.is_visible()
    image = box(page, "[data-stage-result]")
    # The part of the result the stage shows, and the bar: no pixel of one is under the other.
    stage = box(page, "[data-stage]")
    shown = [
        max(image[0], stage[0]),
        max(image[1], stage[1]),
        min(image[0] + image[2], stage[0] + stage[2]) - max(image[0], stage[0]),
        min(image[1] + image[3], stage[1] + stage[3]) - max(image[1], stage[1]),
    ]
    assert overlap(box(page, "[data-stage-bar]"), shown) == 0
    # Its buttons still work: Original shows the source, and back.
    bar.get_by_role("button", name="Original").click()
    assert page.locator("[data-stage]").get_attribute("data-showing") == "original"
    bar.get_by_role("button", name="Original").click()
    assert page.locator("[data-stage]").get_attribute("data-showing") == "result"
    assert page.js_errors == []


def test_the_strip_says_the_edit_is_on_its_way_not_nothing_sent(signed_in, live_server, asset):
    page = signed_in
    page.set_viewport_size(PHONE)
    open_editor(page, live_server, asset)
    hint = page.locator("[data-jobs-empty]")
    assert "Nothing sent yet" in hint.inner_text()
    held = []  # the submit, held until the strip has been read

    def hold(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    submit_url = live_server.url + reverse("editor:submit")
    page.route(submit_url, hold)
    page.locator("[data-mask-canvas]").focus()
    page.keyboard.press("r")
    stroke(page, [(1000, 540), (1200, 700)], steps=4)
    with page.expect_request(submit_url, timeout=5_000):
        page.get_by_role("button", name="Change painted area").click()
    expect(hint).to_contain_text("Sending", timeout=5_000)
    assert "Nothing sent yet" not in hint.inner_text()
    assert len(held) == 1

    held[0].continue_()
    page.locator('[data-stage][data-showing="result"]').wait_for(timeout=20_000)
    expect(hint).to_have_count(0, timeout=5_000)  # the job's card took its place
    assert page.js_errors == []
