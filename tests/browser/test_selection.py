"""Smart selection in the real editor: refine edges, magic wand and box select, each one undo step.

The images are synthetic scenes whose object masks are known exactly, so each test measures
the mask the page would send (its own export) against the truth.
"""

import base64
import io

import cv2
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from editor import services
from tests.browser.canvas import open_editor, set_size, stroke, to_client
from tests.scenes import iou, make_scene

pytestmark = pytest.mark.django_db(transaction=True)

W, H = 600, 400


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def two_objects() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grainy grey-green background with a flat orange disc and a flat blue square."""
    rng = np.random.default_rng(4)
    image = np.clip(rng.normal((120, 140, 110), 8, (H, W, 3)), 0, 255).astype(np.uint8)
    disc = np.zeros((H, W), np.uint8)
    cv2.circle(disc, (170, 200), 90, 255, -1)
    square = np.zeros((H, W), np.uint8)
    square[120:280, 360:520] = 255
    image[disc > 0] = (235, 140, 30)
    image[square > 0] = (40, 70, 200)
    return image, disc, square


def mask(page) -> np.ndarray:
    url = page.evaluate("window.promptbrush.exportMaskDataURL()")
    img = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert img.size == (W, H)
    return np.asarray(img.convert("L"))


def wait_for_steps(page, n: int) -> None:
    """Until the stroke history holds n ops (a selection's request has come back)."""
    page.wait_for_function("n => window.promptbrush.store.ops.length === n", arg=n)


def click(page, x, y, modifiers=None):
    page.mouse.move(*to_client(page, x, y))
    for key in modifiers or []:
        page.keyboard.down(key)
    page.mouse.down()
    page.mouse.up()
    for key in modifiers or []:
        page.keyboard.up(key)


def test_refine_snaps_a_rough_stroke_to_the_drawn_object(signed_in, live_server, alice_membership):
    scene = make_scene(2, size=(W, H))
    asset = services.upload_image(alice_membership, png(scene.image), "scene.png")
    page = signed_in
    open_editor(page, live_server, asset)
    # Paint the object the way a hurried hand does: a fat brush along a wobbly path inside it.
    brush = 36
    set_size(page, brush)
    core = cv2.erode(scene.truth, np.ones((brush // 2, brush // 2), np.uint8))
    contours, _ = cv2.findContours(core, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    path = max(contours, key=cv2.contourArea)[:, 0, :]
    rng = np.random.default_rng(1)
    jitter = rng.integers(-10, 11, (len(path), 2))
    points = [(int(x), int(y)) for x, y in (path + jitter)[:: max(1, len(path) // 24)]]
    stroke(page, [*points, points[0]], steps=4)
    ys, xs = np.nonzero(core)
    for y in range(int(ys.min()), int(ys.max()), brush // 2):
        row = xs[ys == y]
        if row.size:
            stroke(page, [(int(row.min()), y), (int(row.max()), y)], steps=3)
    rough = mask(page)
    steps = page.evaluate("window.promptbrush.store.ops.length")
    assert iou(rough, scene.truth) < 0.9

    page.get_by_role("button", name="Refine edges").click()
    wait_for_steps(page, steps + 1)
    refined = mask(page)
    assert iou(refined, scene.truth) >= 0.9
    assert "Edges refined" in page.locator("[data-stage-status]").inner_text()

    page.keyboard.press("Control+z")  # one step takes the refinement back
    assert (mask(page) == rough).all()
    page.keyboard.press("Control+Shift+z")
    page.reload()  # ...and a reload keeps it, as it keeps strokes
    page.wait_for_selector("html[data-editor-ready]")
    assert iou(mask(page), refined) > 0.999
    assert page.js_errors == []


def test_wand_selects_adds_and_subtracts_flat_colour_objects(
    signed_in, live_server, alice_membership
):
    image, disc, square = two_objects()
    asset = services.upload_image(alice_membership, png(image), "objects.png")
    page = signed_in
    open_editor(page, live_server, asset)
    page.keyboard.press("w")
    assert "Shift+click adds" in page.locator("[data-selection-note]").inner_text()
    click(page, 170, 200)
    wait_for_steps(page, 1)
    assert iou(mask(page), disc) >= 0.97

    click(page, 440, 200, ["Shift"])  # adds the square
    wait_for_steps(page, 2)
    both = mask(page)
    assert iou(both, np.maximum(disc, square)) >= 0.97

    click(page, 170, 200, ["Alt"])  # takes the disc away again
    wait_for_steps(page, 3)
    assert iou(mask(page), square) >= 0.97

    page.keyboard.press("Control+z")
    assert (mask(page) == both).all()

    # The eraser works on a selection like on any stroke.
    page.keyboard.press("e")
    set_size(page, 20)
    stroke(page, [(440, 130), (440, 270)])
    erased = mask(page)
    assert erased[200, 440] == 0 and erased[200, 400] == 255
    assert page.js_errors == []


def test_wand_tolerance_slider_decides_how_alike_colours_must_be(
    signed_in, live_server, alice_membership
):
    image = np.zeros((H, W, 3), np.uint8)
    image[:, : W // 2] = (200, 60, 60)
    image[:, W // 2 :] = (205, 66, 60)  # a shade apart: about 4 delta E
    asset = services.upload_image(alice_membership, png(image), "halves.png")
    page = signed_in
    open_editor(page, live_server, asset)
    page.keyboard.press("w")
    page.eval_on_selector(
        "[data-wand-tolerance]",
        "el => { el.value = 2; el.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    click(page, 100, 100)
    wait_for_steps(page, 1)
    assert (mask(page)[:, : W // 2] == 255).all() and (mask(page)[:, W // 2 :] == 0).all()
    page.eval_on_selector(
        "[data-wand-tolerance]",
        "el => { el.value = 10; el.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    click(page, 100, 100)
    wait_for_steps(page, 2)
    assert (mask(page) == 255).all()


def test_box_selects_the_object_and_says_what_it_is_good_at(
    signed_in, live_server, alice_membership
):
    image, disc, _square = two_objects()
    asset = services.upload_image(alice_membership, png(image), "objects.png")
    page = signed_in
    open_editor(page, live_server, asset)
    page.get_by_role("radio", name="Box select").click()
    note = page.locator("[data-selection-note]")
    expect(note).to_contain_text("works best on objects that stand out")
    expect(note).to_be_visible()
    stroke(page, [(65, 95), (275, 305)], steps=6)
    wait_for_steps(page, 1)
    assert iou(mask(page), disc) >= 0.95
    page.keyboard.press("Control+z")
    assert (mask(page) == 0).all()
    assert page.js_errors == []


def test_a_refused_selection_says_why_and_changes_nothing(signed_in, live_server, alice_membership):
    image, _disc, _square = two_objects()
    asset = services.upload_image(alice_membership, png(image), "objects.png")
    page = signed_in
    open_editor(page, live_server, asset)
    page.keyboard.press("f")  # nothing painted yet
    status = page.locator("[data-stage-status]")
    assert "Paint roughly over the object first" in status.inner_text()
    page.keyboard.press("o")
    stroke(page, [(0, 0), (W, H)], steps=4)  # the whole image is no box around an object
    page.wait_for_function(
        "() => document.querySelector('[data-stage-status]').textContent.includes('whole image')"
    )
    assert page.evaluate("window.promptbrush.store.ops.length") == 0


def test_on_a_phone_the_controls_fit_and_the_menu_adds_without_keys(
    signed_in, live_server, alice_membership
):
    image, disc, square = two_objects()
    asset = services.upload_image(alice_membership, png(image), "objects.png")
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 844})
    open_editor(page, live_server, asset)
    for name in ("Wand", "Box select"):
        box = page.get_by_role("radio", name=name).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.get_by_role("radio", name="Wand").click()  # its settings show with it
    for control in ("[data-refine]", "[data-wand-tolerance]", "[data-selection-combine]"):
        box = page.locator(control).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, control
    click(page, 170, 200)
    wait_for_steps(page, 1)
    page.select_option("[data-selection-combine]", "add")
    click(page, 440, 200)
    wait_for_steps(page, 2)
    assert iou(mask(page), np.maximum(disc, square)) >= 0.97
    page.select_option("[data-selection-combine]", "subtract")
    click(page, 170, 200)
    wait_for_steps(page, 3)
    assert iou(mask(page), square) >= 0.97


def test_the_wand_settings_show_only_with_a_selection_tool(
    signed_in, live_server, alice_membership
):
    """A new user with the brush sees brush settings, not the wand's; on a phone the toolbar is a
    row shorter for it, and the canvas a row taller."""
    image, _disc, _square = two_objects()
    asset = services.upload_image(alice_membership, png(image), "objects.png")
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 844})
    open_editor(page, live_server, asset)
    tolerance = page.get_by_label("Magic wand tolerance")
    combine = page.locator("[data-selection-combine]")
    refine = page.locator("[data-refine]")
    toolbar = page.get_by_role("toolbar", name="Mask tools")
    with_brush = toolbar.bounding_box()["height"]
    assert not tolerance.is_visible() and not combine.is_visible()
    assert refine.is_visible()  # it refines any painted mask, whatever the tool
    page.get_by_role("radio", name="Wand").click()
    expect(tolerance).to_be_visible()
    expect(combine).to_be_visible()
    assert toolbar.bounding_box()["height"] > with_brush
    page.get_by_role("radio", name="Box select").click()
    expect(combine).to_be_visible()
    expect(tolerance).to_be_hidden()  # the box has no tolerance
    page.get_by_role("radio", name="Brush").click()
    expect(tolerance).to_be_hidden()
    expect(combine).to_be_hidden()
    assert page.js_errors == []
