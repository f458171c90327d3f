"""The canvas page on one screen: at 1440x900 everything needed to send an edit is in view and
Ctrl+Enter sends it; at 390x844 (touch) a bottom sheet holds provider, prompt and submit, and
nothing overflows sideways. Tool buttons are a radio group; stars are keyboard operable."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from editor import services
from gallery.models import Record
from tests.browser.canvas import (
    form_refresh,
    htmx_settled,
    open_editor,
    scene_png,
    set_size,
    stroke,
)
from tests.browser.chromium import ARGS, CHROMIUM
from tests.browser.screens import harbour_png
from tests.gallery.factories import make_record

pytestmark = pytest.mark.django_db(transaction=True)

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0
    && r.right <= innerWidth && r.bottom <= innerHeight; }"""


@pytest.fixture
def asset(alice_membership):
    return services.upload_image(alice_membership, scene_png(), "scene.png")


def in_view(locator) -> bool:
    return locator.evaluate(IN_VIEW)


def no_page_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= innerWidth"
        " && document.documentElement.scrollHeight <= innerHeight"
    )


def test_everything_to_send_an_edit_is_in_view_and_ctrl_enter_sends_it(
    signed_in, live_server, asset, alice_membership
):
    for _ in range(4):  # a filled filmstrip must not push anything away
        make_record(alice_membership, source=asset, results=2)
    page = signed_in
    open_editor(page, live_server, asset)

    for name, locator in {
        "stage": page.locator("[data-stage]"),
        "tools": page.get_by_role("radiogroup", name="Tool"),
        "mode": page.get_by_role("group", name="Mode"),
        "provider": page.get_by_role("combobox", name="Provider"),
        "model": page.get_by_role("combobox", name="Model"),
        "prompt": page.get_by_label("Prompt"),
        "submit": page.get_by_role("button", name="Change painted area"),
        "jobs": page.locator("[data-job]").first,
    }.items():
        assert in_view(locator), name
    assert no_page_scroll(page)
    stage_box = page.locator("[data-stage]").bounding_box()
    assert stage_box["height"] >= 450 and stage_box["width"] >= 900

    set_size(page, 30)
    stroke(page, [(160, 150), (240, 150)])
    page.get_by_label("Prompt").fill("remove the red square")
    page.get_by_label("Prompt").press("Control+Enter")  # from inside the prompt
    page.locator(".job.status-success").nth(4).wait_for()
    assert Record.objects.count() == 5
    assert page.evaluate("() => scrollY") == 0
    assert page.locator("[data-stage]").bounding_box() == stage_box  # the canvas stayed put
    assert no_page_scroll(page)

    page.locator("[data-mask-canvas]").focus()  # and from the canvas, with Cmd on a Mac
    page.keyboard.press("Meta+Enter")
    page.wait_for_function("() => document.querySelectorAll('.job.status-success').length === 6")
    assert page.js_errors == []


def test_phone_bottom_sheet_holds_provider_prompt_and_submit(
    playwright_instance, live_server, alice, asset, alice_membership
):
    make_record(alice_membership, source=asset, results=2)
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    client = Client()
    client.force_login(alice)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        open_editor(page, live_server, asset)
        sheet = page.locator("[data-sheet]")
        for name, locator in {
            "stage": page.locator("[data-stage]"),
            "provider": sheet.get_by_role("combobox", name="Provider"),
            "prompt": sheet.get_by_label("Prompt"),
            "submit": sheet.get_by_role("button", name="Change painted area"),
        }.items():
            assert in_view(locator), name
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert page.evaluate("() => scrollY") == 0
        stage = page.locator("[data-stage]").bounding_box()
        assert stage["height"] >= 250
        assert stage["y"] + stage["height"] <= sheet.bounding_box()["y"]  # not under the sheet

        # "More options" pulls the sheet up; the submit stays reachable.
        sheet.get_by_role("button", name="More options").tap()
        page.wait_for_function("() => document.querySelector('[data-sheet]').offsetHeight > 600")
        assert in_view(sheet.get_by_role("button", name="Change painted area"))
        assert in_view(sheet.get_by_role("group", name="Mode"))
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert errors == []
    finally:
        context.close()
        browser.close()


def test_on_a_phone_the_editor_menu_shows_edit_text_to_image_and_gallery_whole(
    signed_in, live_server, asset
):
    """The editor's top bar is one row that scrolls sideways; the menu in it keeps its width, so
    the first links are whole and in sight (not cut, nor hidden behind the credit count)."""
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 844})
    open_editor(page, live_server, asset)
    nav = page.get_by_role("navigation", name="Main")
    seen = """(a) => {
        const r = a.getBoundingClientRect(), box = a.closest("ul").getBoundingClientRect();
        return r.left >= box.left && r.right <= box.right && r.right <= innerWidth
            && a.contains(document.elementFromPoint(r.right - 2, r.top + r.height / 2)); }"""
    for name in ("Edit", "Text to image", "Gallery"):
        assert nav.get_by_role("link", name=name).evaluate(seen), name
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.js_errors == []


FITS_ITS_CHOICE = """(select) => {
    const style = getComputedStyle(select);
    const context = document.createElement("canvas").getContext("2d");
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = context.measureText(select.selectedOptions[0].text).width;
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = select.clientWidth - padding;
    return text + 16 <= room;  // 16 px for the arrow
}"""


def test_on_a_wide_screen_the_chosen_model_is_read_whole(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    model = page.get_by_role("combobox", name="Model")
    assert model.evaluate("(s) => s.selectedOptions[0].text") == "PatchMatch (objects, textures)"
    assert model.evaluate(FITS_ITS_CHOICE)  # not "PatchMatch (ob"
    assert page.get_by_role("button", name="Change painted area").is_visible()
    assert page.js_errors == []


def test_with_no_provider_for_text_to_image_the_cost_line_promises_nothing(signed_in, live_server):
    page = signed_in  # no key for any provider: only the local one, which cannot generate
    page.goto(live_server.url + reverse("editor:generate"))
    assert page.get_by_role("status").filter(has_text="No provider your team").is_visible()
    assert page.get_by_role("button", name="Generate").is_disabled()
    cost = page.locator("#cost")
    assert cost.inner_text().startswith("Nothing to send yet")
    assert "Free" not in cost.inner_text()
    assert page.js_errors == []


def test_tools_are_a_radio_group_moved_by_arrow_keys(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    group = page.get_by_role("radiogroup", name="Tool")
    brush = group.get_by_role("radio", name="Brush")
    assert brush.get_attribute("aria-checked") == "true"
    # one tab stop: only the checked tool is in the tab order
    assert group.locator('[role="radio"][tabindex="0"]').count() == 1
    brush.focus()
    page.keyboard.press("ArrowRight")
    eraser = group.get_by_role("radio", name="Eraser")
    assert eraser.get_attribute("aria-checked") == "true"
    assert brush.get_attribute("aria-checked") == "false"
    assert page.evaluate("() => document.activeElement.dataset.tool") == "eraser"
    page.keyboard.press("End")  # the last tool (box select) is in the same group
    assert group.get_by_role("radio", name="Box select").get_attribute("aria-checked") == "true"
    page.keyboard.press("ArrowRight")  # wraps round
    assert brush.get_attribute("aria-checked") == "true"
    assert page.locator("[data-stage]").get_attribute("data-tool") == "brush"


CONTRAST = """(el) => {
  const lum = (c) => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map((v) => {
    v = v / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let bg = el;
  while (getComputedStyle(bg).backgroundColor === 'rgba(0, 0, 0, 0)') bg = bg.parentElement;
  const a = lum(getComputedStyle(el).stroke), b = lum(getComputedStyle(bg).backgroundColor);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_stars_on_a_card_rate_by_keyboard_with_enough_contrast(
    signed_in, live_server, asset, alice_membership
):
    record = make_record(alice_membership, source=asset)
    page = signed_in
    open_editor(page, live_server, asset)
    card = page.locator(f"#job-{record.code}")
    stars = card.get_by_role("group", name="Rate this result")
    unrated = stars.locator("svg").first
    assert unrated.evaluate(CONTRAST) >= 3

    # The swapped-in stars listen for changes only once htmx has settled them: a key pressed
    # before that would change the radio without a request (this raced under load).
    with htmx_settled(page), page.expect_response(lambda r: r.url.endswith("/rating")):
        stars.get_by_title("3 of 5").click()  # a click on the third star
    record.refresh_from_db()
    assert record.rating == 3
    card.locator('input[value="3"][checked]').wait_for()  # the server's answer is in place
    # Locator.press focuses and presses in one step: a card swapped by a status poll between a
    # separate focus() and a keyboard press would leave the key with nothing focused.
    with page.expect_response(lambda r: r.url.endswith("/rating")):
        card.get_by_role("radio", name="3 of 5 stars").press("ArrowRight")
    record.refresh_from_db()
    assert record.rating == 4
    # the swapped stars keep the focus on the chosen one, so arrows keep working
    card.locator('input[value="4"][checked]').wait_for()
    assert page.evaluate("() => document.activeElement.value") == "4"
    rated = card.locator(".star svg").first
    assert rated.evaluate(CONTRAST) >= 3
    assert page.js_errors == []


def test_screenshots_for_the_readme(signed_in, live_server, alice_membership):
    """Not a check: refreshes docs/editor-1440.png when PB_SCREENSHOTS is set."""

    if not os.environ.get("PB_SCREENSHOTS"):
        pytest.skip("set PB_SCREENSHOTS=1 to refresh the README's screenshots")

    photo = services.upload_image(alice_membership, harbour_png(), "harbour.png")
    docs = Path(__file__).resolve().parents[2] / "docs"
    page = signed_in
    open_editor(page, live_server, photo)
    page.keyboard.press("r")
    for done, model in enumerate(("navier-stokes", "telea"), start=1):  # two real local edits
        with form_refresh(page):
            page.get_by_role("combobox", name="Model").select_option(model)
        stroke(page, [(1000, 545), (1200, 705)])  # a rectangle over the boat
        page.get_by_label("Prompt").fill("calm sea where the boat was")
        page.keyboard.press("Control+Enter")
        page.locator(".job.status-success").nth(done - 1).wait_for()
        page.locator("[data-stage-bar]:not([hidden])").wait_for()
        page.keyboard.press("Escape")
    page.keyboard.press(".")
    page.locator('[data-stage][data-showing="result"]').wait_for()
    page.screenshot(path=str(docs / "editor-1440.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    page.screenshot(path=str(docs / "editor-390.png"))
    assert reverse("editor:edit", args=[photo.code]) in page.url
