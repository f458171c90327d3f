"""The canvas keeps still for the user judging it: the first job's strip does not shrink the
image, and nothing covers the image's pixels while a result is on the stage."""

import pytest

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
