"""The canvas's keyboard: single-key shortcuts leave text fields alone and work everywhere else."""

import pytest

from editor import services
from tests.browser.canvas import exported_mask, open_editor, scene_png

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
