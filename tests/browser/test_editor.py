"""The editor in a real browser: upload, paint, zoom, undo/redo, eraser, invert, reload, submit.

Tasks run inline (ImmediateBackend), so a submitted `local` job is done when its card arrives.
"""

import io

import numpy as np
import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from editor import services
from gallery.models import Record
from gallery.services import store_asset
from tests.browser.canvas import (
    H,
    W,
    editor_ready,
    exported_mask,
    form_refresh,
    open_editor,
    scene_png,
    set_size,
    stroke,
)
from tests.fakes.openai_server import OpenAIServer
from tests.gallery.factories import make_record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def asset(alice_membership):
    return services.upload_image(alice_membership, scene_png(), "scene.png")


def test_upload_paint_submit_changes_only_the_painted_area(signed_in, live_server, alice):
    page = signed_in
    page.goto(live_server.url + reverse("editor:home"))
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "scene.png", "mimeType": "image/png", "buffer": scene_png()}],
    )
    page.wait_for_url("**/edit/**")
    editor_ready(page)
    set_size(page, 30)
    stroke(page, [(160, 150), (240, 150)])
    page.get_by_role("button", name="Change painted area").click()
    card = page.locator("[data-job]").first
    card.locator(".badge.SUCCESS").wait_for()
    assert card.locator("[data-result-image]").count() == 1

    record = Record.objects.get(user=alice)
    source = np.asarray(Image.open(record.source.file.open()).convert("RGB")).astype(int)
    result = np.asarray(Image.open(record.images.get().image.file.open()).convert("RGB"))
    changed = np.argwhere((np.abs(result.astype(int) - source) > 0).any(axis=2))
    ys, xs = changed[:, 0], changed[:, 1]
    assert len(changed) > 500
    # The stroke ran from x=160 to x=240 along y=150 with a 30 px brush.
    assert xs.min() >= 160 - 16 and xs.max() <= 240 + 16
    assert ys.min() >= 150 - 16 and ys.max() <= 150 + 16
    assert page.js_errors == []


def test_zoomed_in_stroke_lands_on_the_right_image_pixels(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    page.evaluate("window.promptbrush.view.zoomTo(4, 0, 0)")
    page.evaluate(
        "([x, y]) => { const v = window.promptbrush.view; const s = v.imageToStage(x, y);"
        " const w = v.stageSize(); v.panBy(w.w / 2 - s.x, w.h / 2 - s.y); }",
        [100, 80],
    )
    set_size(page, 10)
    stroke(page, [(90, 80), (110, 80)])
    mask = exported_mask(page)
    ys, xs = np.nonzero(mask > 127)
    bbox = np.array([xs.min(), xs.max(), ys.min(), ys.max()])
    assert np.abs(bbox - [85, 114, 75, 84]).max() <= 1, bbox
    assert mask[80, 100] == 255
    assert mask[80, 130] == 0


def test_undo_redo_eraser_and_invert(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    set_size(page, 40)
    stroke(page, [(50, 150), (350, 150)])
    painted = exported_mask(page)
    assert painted[150, 200] == 255

    page.keyboard.press("Control+z")
    assert (exported_mask(page) == 0).all()
    page.keyboard.press("Control+Shift+z")
    assert (exported_mask(page) == painted).all()

    page.keyboard.press("e")  # eraser across the middle of the stroke
    set_size(page, 20)
    stroke(page, [(200, 100), (200, 200)])
    erased = exported_mask(page)
    assert (erased[150, 200], erased[150, 100], erased[150, 300]) == (0, 255, 255)

    page.get_by_role("button", name="Invert").click()
    inverted = exported_mask(page)
    assert (inverted[150, 200], inverted[150, 100], inverted[20, 20]) == (255, 0, 255)

    page.get_by_role("button", name="Undo").click()
    assert (exported_mask(page) == erased).all()


def test_rectangle_and_lasso_fill(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    page.keyboard.press("r")
    stroke(page, [(20, 20), (60, 50)], steps=4)
    mask = exported_mask(page)
    ys, xs = np.nonzero(mask > 127)
    bbox = np.array([xs.min(), xs.max(), ys.min(), ys.max()])
    assert np.abs(bbox - [20, 59, 20, 49]).max() <= 1, bbox
    page.keyboard.press("l")
    stroke(page, [(300, 200), (380, 200), (340, 280)], steps=6)
    mask = exported_mask(page)
    assert (mask[230, 340], mask[215, 301], mask[150, 340]) == (255, 0, 0)


def test_reload_keeps_the_mask_until_cleared(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    set_size(page, 24)
    stroke(page, [(100, 100), (300, 220)])
    before = exported_mask(page)
    page.reload()
    page.wait_for_selector("html[data-editor-ready]")
    assert (exported_mask(page) == before).all()
    page.get_by_role("button", name="Clear").click()
    page.reload()
    page.wait_for_selector("html[data-editor-ready]")
    assert (exported_mask(page) == 0).all()


def test_validation_error_is_shown_beside_the_field_and_nothing_is_lost(
    signed_in, live_server, asset
):
    page = signed_in
    open_editor(page, live_server, asset)
    stroke(page, [(160, 150), (240, 150)])
    page.get_by_label("Prompt").fill("remove the red square")
    with form_refresh(page):  # Telea has a radius; PatchMatch none
        page.get_by_role("combobox", name="Model").select_option("telea")
    with form_refresh(page):
        page.get_by_label("Radius (px)").fill("99")
        page.get_by_label("Radius (px)").press("Tab")
    with page.expect_response(lambda r: r.url.endswith("/jobs/") and r.status == 422):
        page.get_by_role("button", name="Change painted area").click()
    error = page.locator("#field-p_radius .error")
    assert error.inner_text() == "Ensure this value is less than or equal to 25."
    assert page.get_by_label("Prompt").input_value() == "remove the red square"
    assert exported_mask(page)[150, 200] == 255
    assert page.url.endswith(f"/edit/{asset.code}/")
    assert Record.objects.count() == 0


def test_a_parameter_typed_while_the_form_refreshes_is_kept_and_counted(
    signed_in, live_server, asset
):
    page = signed_in
    open_editor(page, live_server, asset)
    with form_refresh(page):
        page.get_by_role("combobox", name="Model").select_option("telea")
    # Nothing of that refresh still on its way (a re-sent one included): the next is the one held.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    held = []

    def hold(route):  # the first refresh waits; later ones go through
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/jobs/?*", hold)
    page.get_by_role("combobox", name="Model").select_option("navier-stokes")
    for _ in range(250):  # bounded: a refresh that never comes fails here, it does not hang
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "choosing another model sent no form refresh"
    page.get_by_label("Radius (px)").fill("9")  # typed into the form the refresh will replace
    sent_again = page.expect_request(lambda r: "/jobs/?" in r.url and "p_radius=9" in r.url)
    # Both swapped in: the held refresh, then the one re-sent for the radius.
    with sent_again, form_refresh(page, times=2):
        held[0].continue_()
    radius = page.get_by_label("Radius (px)")
    assert radius.input_value() == "9"
    assert radius.evaluate("(field) => field === document.activeElement")
    assert page.get_by_role("combobox", name="Model").input_value() == "navier-stokes"
    assert page.js_errors == []


def test_a_failing_provider_shows_its_reason_on_the_card(signed_in, live_server, asset, settings):
    with OpenAIServer() as server:
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_API_KEY = server.api_key
        server.unauthorized_next()
        page = signed_in
        open_editor(page, live_server, asset)
        with form_refresh(page):
            page.get_by_label("Change the whole image").check()
        page.get_by_label("Prompt").fill("make it a watercolour")
        page.get_by_role("button", name="Change whole image").click()
        card = page.locator("[data-job]").first
        card.locator(".badge.FAILED").wait_for()
        record = Record.objects.get()
        assert record.status == "FAILED"
        assert card.locator("[data-job-error]").inner_text() == record.error
        assert "API key" in record.error


def test_shortcuts_dialog_and_labelled_controls(signed_in, live_server, asset):
    page = signed_in
    open_editor(page, live_server, asset)
    page.locator("[data-mask-canvas]").focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll(
                'input:not([type=hidden]), select, textarea, button, canvas')]
            .filter((el) => !(el.labels?.length || el.getAttribute('aria-label')
                || el.textContent.trim() || el.getAttribute('aria-labelledby')))
            .map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert unlabelled == []


def test_a_recent_prompt_fills_the_prompt_field(signed_in, live_server, asset, alice_membership):
    make_record(
        alice_membership,
        results=0,
        source=asset,
        prompt="replace the square with a potted plant",
        rating=4,
    )
    page = signed_in
    open_editor(page, live_server, asset)
    page.get_by_text("Recent prompts").click()
    page.get_by_role("button", name="replace the square with a potted plant").click()

    assert page.get_by_label("Prompt").input_value() == "replace the square with a potted plant"
    assert page.locator("#prompt-counter").inner_text().startswith("38 / 4000")


def test_an_earlier_mask_is_reused_refined_and_survives_a_reload(
    signed_in, live_server, asset, alice_membership
):
    earlier = np.zeros((H, W), dtype=np.uint8)
    earlier[100:200, 150:250] = 255  # the red square
    buf = io.BytesIO()
    Image.fromarray(earlier, "L").save(buf, "PNG")
    mask_asset = store_asset(
        alice_membership, buf.getvalue(), kind="MASK", extension="png", width=W, height=H
    )
    earlier_edit = make_record(alice_membership, results=0, source=asset, prompt="remove it")
    Record.objects.filter(pk=earlier_edit.pk).update(mask=mask_asset)
    page = signed_in
    open_editor(page, live_server, asset)

    page.get_by_label("Reuse mask").select_option(
        label=page.locator("[data-reuse-mask] option").nth(1).inner_text()
    )
    page.wait_for_function("() => window.promptbrush.store.ops.length === 1")
    assert np.array_equal(exported_mask(page), earlier)

    # The eraser refines it: a stroke across the top edge takes those pixels out.
    page.locator('[data-tool="eraser"]').click()
    set_size(page, 20)
    stroke(page, [(140, 105), (260, 105)])
    refined = exported_mask(page)
    assert refined[105, 200] == 0 and refined[150, 200] == 255 and refined[50, 50] == 0

    page.reload()
    page.wait_for_selector("html[data-editor-ready]")
    assert np.array_equal(exported_mask(page), refined)

    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    assert exported_mask(page).max() == 0


def test_one_click_sends_the_edit_to_several_providers_side_by_side(
    signed_in, live_server, asset, settings
):
    with OpenAIServer() as server:
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_API_KEY = server.api_key
        page = signed_in
        open_editor(page, live_server, asset)
        set_size(page, 30)
        stroke(page, [(160, 150), (240, 150)])
        with form_refresh(page):
            page.get_by_role("combobox", name="Provider").select_option("local")
        page.wait_for_function(
            "() => document.querySelector('#edit-form select[name=model]').value === 'patchmatch'"
        )
        page.get_by_label("Prompt").fill("a potted plant")
        page.get_by_text("Send to several providers").click()
        page.locator('input[name="also"][value="openai:gpt-image-2.5-sunburst"]').check()
        page.get_by_role("button", name="Change painted area").click()

        group = page.locator(".job-group.several").first
        group.locator("[data-job] .badge.SUCCESS").nth(1).wait_for()

    records = list(Record.objects.order_by("id"))
    assert [(r.provider, r.status) for r in records] == [
        ("local", "SUCCESS"),
        ("openai", "SUCCESS"),
    ]
    assert records[0].group == records[1].group is not None
    assert group.locator("[data-job]").count() == 2
    # The same mask went to OpenAI, in its convention: alpha 0 where the stroke was painted.
    mask = server.requests_to("/v1/images/edits")[0].part("mask").image()
    assert mask.mode == "RGBA" and mask.getpixel((200, 150))[3] == 0
    assert mask.getpixel((20, 20))[3] == 255
    assert page.js_errors == []


def test_text_to_image_shows_the_new_image_on_its_card(signed_in, live_server, settings):
    with OpenAIServer() as server:
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_API_KEY = server.api_key
        page = signed_in
        page.goto(live_server.url + reverse("editor:generate"))
        page.get_by_label("Prompt").fill("a lighthouse at dusk, watercolour")
        page.get_by_role("button", name="Generate").click()
        card = page.locator("[data-job]").first
        card.locator(".badge.SUCCESS").wait_for()

    record = Record.objects.get()
    assert (record.type, record.provider, record.prompt) == (
        "IMAGE_GENERATOR",
        "openai",
        "a lighthouse at dusk, watercolour",
    )
    sent = server.requests_to("/v1/images/generations")[0].json()
    assert sent["prompt"] == "a lighthouse at dusk, watercolour"
    image = card.locator("[data-result-image]").first
    # Shown is not loaded (the card's image loads lazily, from the server): wait (at most 10 s)
    # until the image has loaded or failed, then check it is a real picture.
    image.wait_for_function("(img) => img.complete", timeout=10_000)
    assert image.evaluate("(img) => img.naturalWidth > 0")
    assert page.js_errors == []


def test_preview_shows_the_mask_each_provider_receives_without_sending(
    signed_in, live_server, asset, settings
):
    settings.OPENAI_API_KEY = "sk-test"  # configured; nothing is sent, so no server is needed
    page = signed_in
    open_editor(page, live_server, asset)
    set_size(page, 30)
    stroke(page, [(160, 150), (240, 150)])
    page.get_by_label("Prompt").fill("a potted plant")

    page.get_by_role("button", name="Preview what is sent").click()

    dialog = page.get_by_role("dialog", name="What each provider receives")
    dialog.wait_for()
    mask = dialog.get_by_role("img", name="The mask file OpenAI receives")
    # Its size is known once the image has loaded (at most 5 s), not the moment it is inserted.
    mask.wait_for_function("(img) => img.complete", timeout=5000)
    assert mask.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [W, H]
    assert "fully transparent where the model may paint" in dialog.inner_text()
    assert Record.objects.count() == 0
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    assert page.js_errors == []
