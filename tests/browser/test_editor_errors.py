"""A submit refused with validation errors: the error summary takes the focus (a screen reader
reads it), names each field, and each of its links takes the focus to that field, on a desktop
and inside the phone's bottom sheet."""

import pytest
from playwright.sync_api import expect

from editor import services
from tests.browser.canvas import form_refresh, open_editor, scene_png, stroke

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "Radius (px): Ensure this value is less than or equal to 25."
IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0
    && r.right <= innerWidth && r.bottom <= innerHeight
    && el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)); }"""


@pytest.fixture
def asset(alice_membership):
    return services.upload_image(alice_membership, scene_png(), "scene.png")


def paint(page):
    stroke(page, [(160, 150), (240, 150)])


def ask_for_a_radius_too_large(page):
    with form_refresh(page):  # Telea has a radius (at most 25)
        page.get_by_role("combobox", name="Model").select_option("telea")
    page.get_by_label("Radius (px)").fill("99")


def send(page):
    with page.expect_response(lambda r: r.url.endswith("/jobs/") and r.status == 422):
        page.get_by_role("button", name="Change painted area").click()


def focused(page) -> str:
    return page.evaluate(
        "() => document.activeElement.dataset.errorSummary !== undefined ? 'summary'"
        " : document.activeElement.name || document.activeElement.tagName"
    )


def check_summary_and_link(page):
    summary = page.get_by_role("alert").filter(has_text="to fix before sending")
    # The summary takes the focus once the 422's body is read and swapped in (bounded wait).
    page.wait_for_function(
        "() => document.activeElement.dataset.errorSummary !== undefined", timeout=5000
    )
    assert summary.evaluate(IN_VIEW)
    lines = [line for line in summary.inner_text().splitlines() if line.strip()]
    assert lines == ["1 thing to fix before sending:", MESSAGE]
    url = page.url
    summary.get_by_role("link", name=MESSAGE).click()
    radius = page.get_by_label("Radius (px)")
    assert focused(page) == "p_radius"  # the field itself, ready to correct
    assert radius.evaluate(IN_VIEW)
    assert page.url == url  # no #fragment left in the address
    radius.fill("9")
    assert radius.input_value() == "9"


def test_refused_submit_focuses_a_summary_that_names_the_field(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    paint(page)
    ask_for_a_radius_too_large(page)
    send(page)
    check_summary_and_link(page)
    assert page.js_errors == []


def sheet_is(page, state):
    """The phone's bottom sheet has come to rest pulled up ('open') or lowered ('collapsed'): its
    handle says so and it covers most of the screen, or at most its lower third."""
    handle = page.locator("[data-sheet-toggle]")
    expanded = "true" if state == "open" else "false"
    assert handle.get_attribute("aria-expanded") == expanded
    assert handle.inner_text() == ("Fewer options" if state == "open" else "More options")
    page.wait_for_function(
        """(open) => {
            const top = document.querySelector("[data-sheet]").getBoundingClientRect().top;
            return open ? top < innerHeight * 0.25 : top > innerHeight * 0.6;
        }""",
        arg=state == "open",
    )


def test_refused_submit_on_a_phone_leads_to_the_field_in_the_sheet(signed_in, live_server, asset):
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 844})
    open_editor(page, live_server, asset)
    sheet = page.locator("[data-sheet]")
    paint(page)  # while the sheet is low: pulled up, it covers the canvas
    sheet.get_by_role("button", name="More options").click()  # the model is further down
    ask_for_a_radius_too_large(page)
    sheet.get_by_role("button", name="Fewer options").click()  # back to the small sheet
    sheet_is(page, "collapsed")
    send(page)
    check_summary_and_link(page)
    # The link pulled the sheet up: the field is seen whole, with the options around it.
    sheet_is(page, "open")
    radius = page.get_by_label("Radius (px)")
    assert focused(page) == "p_radius"
    assert radius.evaluate(IN_VIEW)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.js_errors == []


def test_a_mask_error_on_a_phone_lowers_the_sheet_off_the_canvas(signed_in, live_server, asset):
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 844})
    open_editor(page, live_server, asset)
    page.locator("[data-sheet]").get_by_role("button", name="More options").click()
    sheet_is(page, "open")
    send(page)  # nothing painted
    summary = page.get_by_role("alert").filter(has_text="to fix before sending")
    summary.get_by_role("link", name="Mask:").click()
    sheet_is(page, "collapsed")
    canvas = page.locator("[data-mask-canvas]")
    assert canvas.evaluate("(el) => el === document.activeElement")
    # Its middle is on screen and not under the sheet: the mask can be painted at once.
    assert canvas.evaluate(
        """(el) => { const r = el.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            return y > 0 && y < innerHeight
                && document.elementFromPoint(x, y)?.closest("[data-sheet]") === null; }"""
    )
    assert page.js_errors == []


def test_a_send_that_goes_through_clears_the_errors_of_the_refused_one(
    signed_in, live_server, asset
):
    page = signed_in
    open_editor(page, live_server, asset)
    send(page)  # nothing painted: refused
    form = page.locator("[data-edit-form]")
    # The 422 has arrived; its body is swapped in a moment later (bounded wait, not a read).
    expect(form.get_by_role("alert").filter(has_text="to fix before sending")).to_be_visible()
    paint(page)
    page.get_by_role("button", name="Change painted area").click()
    page.locator("[data-job] .badge.SUCCESS").wait_for()
    # The job went: nothing in the form still says the mask is empty.
    assert form.locator("[data-error-summary]").count() == 0
    assert form.locator(".error:visible").all_inner_texts() == []
    assert form.locator(".has-error").count() == 0
    assert "The mask is empty" not in form.inner_text()
    assert page.js_errors == []


def test_sending_from_the_button_keeps_the_focus_on_it(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    paint(page)
    button = page.get_by_role("button", name="Change painted area")
    button.focus()
    page.keyboard.press("Enter")
    page.locator("[data-job] .badge.SUCCESS").wait_for()
    page.wait_for_function("() => !document.querySelector('[data-submit]').disabled")
    # Not dropped on the page: Tab goes on from the button, Enter sends again.
    assert button.evaluate("(el) => el === document.activeElement")
    assert page.js_errors == []


def test_closing_the_preview_gives_the_focus_back_to_its_button(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    paint(page)
    preview = page.get_by_role("button", name="Preview what is sent")
    preview.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="What each provider receives")
    dialog.wait_for()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert preview.evaluate("(el) => el === document.activeElement")
    assert page.js_errors == []


def test_the_preview_of_a_local_edit_reads_as_sentences(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    paint(page)
    page.get_by_role("button", name="Preview what is sent").click()
    dialog = page.get_by_role("dialog", name="What each provider receives")
    dialog.wait_for()
    mask_line = dialog.locator("p", has_text="Mask:").inner_text()
    assert mask_line == "Mask: The mask stays on this machine; nothing is uploaded."
    assert page.js_errors == []
