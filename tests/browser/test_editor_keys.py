"""The canvas's keyboard: single-key shortcuts leave text fields alone and work everywhere else,
[ and ] size the brush, 0 and 1 fit and show actual pixels, Space+drag pans."""

import pytest
from playwright.sync_api import expect

from editor import services
from tests.browser.canvas import (
    exported_mask,
    next_frame,
    open_editor,
    scene_png,
    set_size,
    stroke,
    to_client,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Every single-key shortcut of the canvas (tools, mask, size, zoom, help, selection, results).
SHORTCUT_KEYS = "berlhiwof[]{}+-=01?,.acd"


@pytest.fixture
def asset(alice_membership):
    return services.upload_image(alice_membership, scene_png(), "scene.png")


def tool(page) -> str:
    return page.locator('[role="radio"][data-tool][aria-checked="true"]').get_attribute("data-tool")


def zoom(page) -> str:
    return page.locator("[data-zoom-level]").inner_text()


def image_box(page) -> dict:
    return page.locator("[data-stage-image]").bounding_box()


def test_shortcut_keys_type_into_the_prompt_and_act_on_sliders_and_radios(
    signed_in, live_server, asset
):
    page = signed_in
    open_editor(page, live_server, asset)
    show_mask = page.get_by_label("Show mask")
    before = {"zoom": zoom(page), "size": page.locator('[data-output="size"]').inner_text()}

    prompt = page.get_by_label("Prompt")
    prompt.focus()
    page.keyboard.type(SHORTCUT_KEYS)
    assert prompt.input_value() == SHORTCUT_KEYS  # every key typed, none taken
    next_frame(page)  # a zoom the keys set off would be drawn by now
    assert tool(page) == "brush"
    assert zoom(page) == before["zoom"]
    assert page.locator('[data-output="size"]').inner_text() == before["size"]
    assert show_mask.is_checked()
    assert not page.get_by_role("dialog", name="Keyboard shortcuts").is_visible()
    assert (exported_mask(page) == 0).all()  # I (invert) did nothing either

    # A slider takes no text: the tool keys work from it.
    page.locator('[data-setting="size"]').focus()
    page.keyboard.press("e")
    assert tool(page) == "eraser"
    page.keyboard.press("w")
    assert tool(page) == "wand"

    # Nor does a radio button (the edit mode): tool and selection keys work from it too.
    page.get_by_label("Change the whole image").focus()
    page.keyboard.press("l")
    assert tool(page) == "lasso"
    page.keyboard.press("o")
    assert tool(page) == "box"
    page.keyboard.press("]")
    assert page.locator('[data-output="size"]').inner_text() != before["size"]

    # Space on a checkbox ticks it (it does not start panning).
    show_mask.focus()
    page.keyboard.press(" ")
    assert not show_mask.is_checked()
    assert not page.locator("[data-stage]").evaluate("(s) => s.classList.contains('grab')")
    assert page.js_errors == []


def test_square_brackets_make_the_brush_smaller_and_larger(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    set_size(page, 20)
    size = page.locator('[data-output="size"]')
    page.locator("[data-mask-canvas]").focus()
    for _ in range(3):
        page.keyboard.press("]")
    assert size.inner_text() == "34"  # 20 -> 24 -> 29 -> 34 (x 1.15 + 1 each)
    assert page.locator('[data-setting="size"]').input_value() == "34"
    stroke(page, [(100, 150), (300, 150)])
    painted = (exported_mask(page)[:, 200] > 127).sum()
    assert 32 <= painted <= 36, painted  # the stroke is as wide as the brush now says

    page.keyboard.press("[")
    page.keyboard.press("[")
    assert size.inner_text() == "23"  # 34 -> 28 -> 23 (x 0.85 - 1 each)
    page.keyboard.press("Shift+BracketRight")  # Shift: softness instead of size
    assert page.locator('[data-output="softness"]').inner_text() == "10"
    assert size.inner_text() == "23"
    assert page.js_errors == []


def test_one_shows_actual_pixels_and_zero_fits_the_image(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    stage = page.locator("[data-stage]").bounding_box()
    fitted = image_box(page)
    fit_zoom = zoom(page)
    assert fit_zoom != "100%"  # 400x300 fits a desktop stage larger than actual size
    # Fitted: the whole image in view, as large as the stage allows (16 px margin).
    assert fitted["x"] >= stage["x"] and fitted["y"] >= stage["y"]
    assert fitted["x"] + fitted["width"] <= stage["x"] + stage["width"]
    assert fitted["y"] + fitted["height"] <= stage["y"] + stage["height"]
    assert min(stage["width"] - fitted["width"], stage["height"] - fitted["height"]) < 40

    page.locator("[data-mask-canvas]").focus()
    page.keyboard.press("1")
    expect(page.locator("[data-zoom-level]")).to_have_text("100%")  # drawn on the next frame
    actual = image_box(page)
    assert abs(actual["width"] - 400) < 1 and abs(actual["height"] - 300) < 1

    page.keyboard.press("+")
    expect(page.locator("[data-zoom-level]")).to_have_text("125%")
    page.keyboard.press("0")
    expect(page.locator("[data-zoom-level]")).to_have_text(fit_zoom)
    again = image_box(page)
    assert all(abs(again[k] - fitted[k]) < 1 for k in ("x", "y", "width", "height"))
    assert page.js_errors == []


def test_space_and_drag_pans_the_view_without_painting(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    stage = page.locator("[data-stage]")
    page.locator("[data-mask-canvas]").focus()
    start = image_box(page)

    page.keyboard.down(" ")
    assert stage.evaluate("(s) => s.classList.contains('grab')")  # the hand cursor
    x, y = to_client(page, 200, 150)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 40, steps=6)
    page.mouse.up()
    page.keyboard.up(" ")
    next_frame(page)  # the pan is drawn on the next frame, not by the drag's last move
    moved = image_box(page)
    assert abs(moved["x"] - start["x"] - 60) < 1 and abs(moved["y"] - start["y"] - 40) < 1
    assert abs(moved["width"] - start["width"]) < 0.01  # panned, not zoomed
    assert (exported_mask(page) == 0).all()  # and nothing painted
    assert not stage.evaluate("(s) => s.classList.contains('grab')")

    # Space released: the same drag paints again, where the image now is.
    stroke(page, [(150, 150), (250, 150)])
    assert exported_mask(page)[150, 200] == 255
    assert page.js_errors == []


def test_keys_pressed_in_an_open_dialog_leave_the_canvas_alone(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    stroke(page, [(160, 150), (240, 150)])
    painted = exported_mask(page)
    before = {"zoom": zoom(page), "size": page.locator('[data-output="size"]').inner_text()}
    page.get_by_role("button", name="Preview what is sent").click()
    dialog = page.get_by_role("dialog", name="What each provider receives")
    dialog.wait_for()
    for key in ["e", "]", "h", "i", "0", "1", "+"]:
        page.keyboard.press(key)
    next_frame(page)  # a zoom the keys set off would be drawn by now
    expect(dialog).to_be_visible()
    assert tool(page) == "brush"
    assert page.get_by_label("Show mask").is_checked()
    assert page.locator('[data-output="size"]').inner_text() == before["size"]
    assert zoom(page) == before["zoom"]
    assert (exported_mask(page) == painted).all()  # not inverted behind the dialog
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("e")  # the dialog closed, the keys work again
    assert tool(page) == "eraser"
    assert page.js_errors == []
