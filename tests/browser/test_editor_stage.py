"""Results on the stage: a finished edit shows on the canvas itself (same zoom and pan), the
original comes back while C is held, the strip steps through variants, Accept carries the
provider, model and options on, and painting over a staged result edits that result."""

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from editor import services
from gallery.models import Record
from tests.browser.canvas import (
    exported_mask,
    form_refresh,
    next_frame,
    open_editor,
    scene_png,
    set_size,
    stroke,
    to_client,
)
from tests.fakes.openai_server import OpenAIServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def asset(alice_membership):
    return services.upload_image(alice_membership, scene_png(), "scene.png")


def stage_pixel(page, x, y) -> np.ndarray:
    """The colour the stage shows at image pixel (x, y): a screenshot of the stage element."""
    box = page.locator("[data-stage]").bounding_box()
    shot = Image.open(io.BytesIO(page.locator("[data-stage]").screenshot())).convert("RGB")
    cx, cy = to_client(page, x, y)
    k = shot.width / box["width"]
    return np.asarray(shot, dtype=int)[round((cy - box["y"]) * k), round((cx - box["x"]) * k)]


def showing(page) -> str:
    return page.locator("[data-stage]").get_attribute("data-showing")


def paint_out_the_red_square(page):
    page.locator("[data-mask-canvas]").focus()  # R in a form field would be typed, not a tool
    page.keyboard.press("r")  # rectangle fill over the whole square and a margin
    stroke(page, [(140, 90), (260, 210)], steps=4)


def test_a_local_edit_shows_on_the_stage_and_held_c_shows_the_source(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    red = stage_pixel(page, 200, 150)
    assert abs(red - [220, 30, 30]).max() < 40  # the source: red under the stroke
    paint_out_the_red_square(page)
    page.get_by_role("button", name="Change painted area").click()
    page.locator('[data-stage][data-showing="result"]').wait_for()

    result = stage_pixel(page, 200, 150)
    assert abs(result - red).max() > 60, result  # the stage itself shows the edit
    assert abs(result - [128, 128, 128]).max() < 40  # filled from the grey around it
    page.keyboard.down("c")
    assert showing(page) == "original"
    assert abs(stage_pixel(page, 200, 150) - red).max() < 12
    page.keyboard.up("c")
    assert showing(page) == "result"

    # The button does the same; the result follows zoom and pan like the mask.
    bar = page.get_by_role("toolbar", name="Result on the stage")
    bar.get_by_role("button", name="Original").click()
    assert showing(page) == "original"
    bar.get_by_role("button", name="Original").click()
    page.keyboard.press("+")
    page.keyboard.press("+")
    next_frame(page)  # the zoom is drawn (image and result moved) on the next frame
    transforms = page.evaluate(
        "() => ['[data-stage-image]', '[data-stage-result]'].map("
        "(q) => document.querySelector(q).style.transform)"
    )
    assert transforms[0] == transforms[1] and "scale(" in transforms[0]
    # Zoomed in past the preview's own pixels, the full-resolution file replaces it.
    staged = page.locator("[data-stage-result]")
    page.wait_for_function(
        "() => document.querySelector('[data-stage-result]').dataset.resolution === 'full'"
    )
    assert "?preview" not in staged.get_attribute("src")
    assert abs(stage_pixel(page, 200, 150) - result).max() < 12

    # The drift heatmap of this result, on and off.
    drift = bar.get_by_role("button", name="Drift")
    drift.click()
    assert drift.get_attribute("aria-pressed") == "true"
    expect(page.locator("[data-stage-drift]")).to_be_visible()
    page.keyboard.press("d")
    expect(page.locator("[data-stage-drift]")).to_be_hidden()

    page.keyboard.press("Escape")  # back to the image being edited, with its mask shown again
    assert showing(page) == "image"
    mask = page.locator("[data-mask-canvas]")
    assert not mask.evaluate("(c) => c.classList.contains('mask-hidden')")
    page.keyboard.press("h")
    assert abs(stage_pixel(page, 200, 150) - red).max() < 12
    assert page.js_errors == []


def test_the_strip_flips_between_two_variants(signed_in, live_server, asset, settings):
    with OpenAIServer() as server:
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_API_KEY = server.api_key
        page = signed_in
        open_editor(page, live_server, asset)
        assert page.get_by_role("combobox", name="Provider").input_value() == "openai"
        page.get_by_label("Number of images").fill("2")
        set_size(page, 30)
        stroke(page, [(160, 150), (240, 150)])
        page.get_by_label("Prompt").fill("a potted plant")
        page.keyboard.press("Control+Enter")
        page.locator('[data-stage][data-showing="result"]').wait_for()

    record = Record.objects.get()
    first, second = (i.image for i in record.images.order_by("position"))
    label = page.locator("[data-stage-label]")
    src = page.locator("[data-stage-result]")
    assert "variant 1 of 2" in label.inner_text()
    assert f"openai · {record.model}" in label.inner_text()
    assert src.get_attribute("src").split("?")[0].endswith(f"/{first.code}")  # or its preview
    page.locator("[data-mask-canvas]").focus()  # in the prompt, "." is just a full stop
    page.keyboard.press(".")
    page.wait_for_function(
        "() => document.querySelector('[data-stage-label]').textContent.includes('variant 2 of 2')"
    )
    assert src.get_attribute("src").split("?")[0].endswith(f"/{second.code}")
    # The strip marks the current result just after the label changes: wait for it, not race it.
    page.locator('[data-result][aria-current="true"][data-position="2"]').wait_for(timeout=5000)
    page.get_by_role("button", name="Previous result").click()
    page.wait_for_function(
        "() => document.querySelector('[data-stage-label]').textContent.includes('variant 1 of 2')"
    )
    # each result in the strip says who made it, and can be rated and accepted
    strip = page.locator("[data-result]")
    assert strip.count() == 2
    card = page.locator(f"#job-{record.code}")
    assert f"openai · {record.model}" in card.locator(".job-head").inner_text()
    assert card.get_by_role("group", name="Rate this result").count() == 1
    assert card.get_by_role("link", name="Accept").count() == 2
    assert page.js_errors == []


def test_accept_keeps_provider_model_parameters_and_mask_options(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    with form_refresh(page):
        page.get_by_role("combobox", name="Model").select_option("navier-stokes")
    page.get_by_label("Radius (px)").fill("9")
    page.locator("#edit-form").evaluate("(form) => { form.dataset.old = 'yes'; }")
    page.get_by_label("Grow (px)").fill("3")  # leaving Radius refreshes the form meanwhile
    page.locator("#edit-form:not([data-old])").wait_for()
    assert page.get_by_label("Grow (px)").input_value() == "3"  # what was typed stays
    paint_out_the_red_square(page)
    page.keyboard.press("Control+Enter")
    page.locator('[data-stage][data-showing="result"]').wait_for()
    record = Record.objects.get()
    result = record.images.get().image

    page.keyboard.press("a")  # Accept: continue editing from this result
    page.wait_for_url(f"**/edit/{result.code}/?from={record.code}&result=1")
    page.wait_for_selector("html[data-editor-ready]")
    assert page.get_by_role("combobox", name="Provider").input_value() == "local"
    assert page.get_by_role("combobox", name="Model").input_value() == "navier-stokes"
    assert page.get_by_label("Radius (px)").input_value() == "9"
    assert page.get_by_label("Grow (px)").input_value() == "3"
    # the round it came from stays in the strip, ready to compare or accept instead
    assert page.locator(f"#job-{record.code} [data-result]").count() == 1
    assert page.js_errors == []


def test_painting_over_a_staged_result_edits_that_result(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    paint_out_the_red_square(page)
    page.keyboard.press("Control+Enter")
    page.locator('[data-stage][data-showing="result"]').wait_for()
    first = Record.objects.get()
    assert page.locator("[data-mask-canvas]").evaluate("(c) => c.classList.contains('mask-hidden')")

    page.keyboard.press("b")
    set_size(page, 20)
    stroke(page, [(40, 40), (90, 40)])  # a new mask, painted over the result
    assert not page.locator("[data-mask-canvas]").evaluate(
        "(c) => c.classList.contains('mask-hidden')"
    )
    page.keyboard.press("Control+Enter")
    page.locator(".job.status-success").nth(1).wait_for()

    second = Record.objects.exclude(pk=first.pk).get()
    assert second.source_id == first.images.get().image_id  # the result, not the upload
    assert second.parent_id == first.pk
    assert page.js_errors == []


def mask_hidden(page) -> bool:
    return page.locator("[data-mask-canvas]").evaluate("(c) => c.classList.contains('mask-hidden')")


def reopen(page):
    page.reload()
    page.wait_for_selector("html[data-editor-ready]")


def test_a_staged_result_leaves_the_show_mask_choice_as_the_user_made_it(
    signed_in, live_server, asset
):
    page = signed_in
    open_editor(page, live_server, asset)
    paint_out_the_red_square(page)
    show_mask = page.get_by_label("Show mask")
    show_mask.uncheck()  # the user's own choice: no overlay
    page.keyboard.press("Control+Enter")
    page.locator('[data-stage][data-showing="result"]').wait_for()
    page.get_by_role("button", name="Close the result").click()
    assert showing(page) == "image"
    assert not show_mask.is_checked() and mask_hidden(page)
    reopen(page)
    assert not show_mask.is_checked() and mask_hidden(page)

    # Accepting a result opens its page with the choice still the user's.
    page.locator("[data-stage-open]").first.click()
    page.locator('[data-stage][data-showing="result"]').wait_for()
    page.keyboard.press("a")
    page.wait_for_url("**result=1")
    page.wait_for_selector("html[data-editor-ready]")
    show_mask = page.get_by_label("Show mask")
    assert not show_mask.is_checked() and mask_hidden(page)

    # Shown again by the user: a result on the stage hides the mask for a while, and a reload
    # meanwhile comes back to the mask shown, as the user left it.
    show_mask.check()
    assert not mask_hidden(page)
    page.locator("[data-stage-open]").first.click()
    page.locator('[data-stage][data-showing="result"]').wait_for()
    assert mask_hidden(page)
    reopen(page)
    assert page.get_by_label("Show mask").is_checked() and not mask_hidden(page)
    assert page.js_errors == []


def run_and_accept(page):
    """Send the edit, wait for its result on the stage, Accept it from the result bar and wait
    for the result's own page; (record, result asset)."""
    page.keyboard.press("Control+Enter")
    page.locator('[data-stage][data-showing="result"]').wait_for()
    record = Record.objects.get()
    result = record.images.get().image
    bar = page.get_by_role("toolbar", name="Result on the stage")
    bar.get_by_role("link", name="Accept").click()
    page.wait_for_url(f"**/edit/{result.code}/?from={record.code}&result=1")
    page.wait_for_selector("html[data-editor-ready]")
    return record, result


def test_accept_carries_the_mask_over_and_the_next_edit_starts_from_the_result(
    signed_in, live_server, asset
):
    page = signed_in
    open_editor(page, live_server, asset)
    paint_out_the_red_square(page)
    painted = exported_mask(page)
    first, result = run_and_accept(page)
    assert page.evaluate("document.activeElement.id") == "mask-canvas"  # keys work at once
    assert (exported_mask(page) == painted).all()  # the same mask, painted on the result
    assert not mask_hidden(page)
    page.keyboard.press("Control+Enter")
    page.locator(".job.status-success").nth(1).wait_for()
    second = Record.objects.exclude(pk=first.pk).get()
    assert second.source_id == result.pk
    assert page.js_errors == []


def test_a_mask_carried_over_by_accept_shows_on_arrival_with_show_mask_off(
    signed_in, live_server, asset
):
    page = signed_in
    open_editor(page, live_server, asset)
    paint_out_the_red_square(page)
    painted = exported_mask(page)
    page.get_by_label("Show mask").uncheck()  # the user's own choice: no overlay
    run_and_accept(page)
    page.wait_for_function("() => document.querySelector('[data-stage-image]').complete")
    # What the next Run changes is on screen: the mask's colour over the painted area only,
    # the box says so, and the status line says where it came from and how to hide it.
    assert (exported_mask(page) == painted).all()
    assert not mask_hidden(page)
    assert page.get_by_label("Show mask").is_checked()
    inside, outside = stage_pixel(page, 200, 150), stage_pixel(page, 30, 30)
    assert abs(outside - [128, 128, 128]).max() < 40  # the result, untinted
    assert abs(inside - outside).max() > 40, (inside, outside)  # tinted by the mask
    status = page.locator("[data-stage-status]")
    expect(status).to_contain_text("Mask carried over from the previous image, shown (H hides it)")

    # Only on arrival: the setting is still the user's "off", and a reload keeps the mask.
    reopen(page)
    assert not page.get_by_label("Show mask").is_checked() and mask_hidden(page)
    assert "carried over" not in status.inner_text()
    assert (exported_mask(page) == painted).all()
    assert page.js_errors == []


def test_the_result_bar_next_and_close_by_click_and_keyboard(
    signed_in, live_server, asset, settings
):
    with OpenAIServer() as server:
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_API_KEY = server.api_key
        page = signed_in
        open_editor(page, live_server, asset)
        page.get_by_label("Number of images").fill("2")
        paint_out_the_red_square(page)
        page.get_by_label("Prompt").fill("a potted plant")
        page.keyboard.press("Control+Enter")
        page.locator('[data-stage][data-showing="result"]').wait_for()

    bar = page.get_by_role("toolbar", name="Result on the stage")
    label = page.locator("[data-stage-label]")
    next_button = bar.get_by_role("button", name="Next result")
    close = bar.get_by_role("button", name="Close the result")
    canvas_focused = "() => document.activeElement === document.querySelector('[data-mask-canvas]')"
    expect(label).to_contain_text("variant 1 of 2 · 1 of 2")
    next_button.click()
    expect(label).to_contain_text("variant 2 of 2 · 2 of 2")
    next_button.click()  # round to the first again
    expect(label).to_contain_text("variant 1 of 2 · 1 of 2")
    next_button.press("Enter")
    expect(label).to_contain_text("variant 2 of 2")
    next_button.press(" ")  # Space presses the button; it does not start panning
    expect(label).to_contain_text("variant 1 of 2")
    assert not page.locator("[data-stage]").evaluate("(s) => s.classList.contains('grab')")

    close.click()
    assert showing(page) == "image"
    assert bar.is_hidden() and page.locator("[data-stage-result]").is_hidden()
    assert page.evaluate(canvas_focused)  # the focus goes on to the canvas, not lost

    page.locator("[data-stage-open]").nth(1).click()  # the second result, from the strip
    expect(label).to_contain_text("variant 2 of 2")
    close.press("Enter")
    assert showing(page) == "image"
    assert page.evaluate(canvas_focused)

    page.keyboard.press(".")
    expect(label).to_contain_text("variant 1 of 2")
    page.keyboard.press("Escape")
    assert showing(page) == "image" and bar.is_hidden()
    assert page.js_errors == []
