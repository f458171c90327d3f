"""Opening an image in the editor by dropping it anywhere or pasting it, in a real browser."""

import base64

import pytest
from django.urls import reverse

from tests.browser.canvas import H, W, scene_png

pytestmark = pytest.mark.django_db(transaction=True)


# A file built inside the page, as a drop or a paste would carry it.
DROP_FILE = """async ([b64, name, type, event]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type }));
  if (event === "paste") {
    document.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
  } else {
    const init = { dataTransfer: data, bubbles: true, cancelable: true };
    for (const kind of ["dragenter", "dragover", "drop"]) {
      document.body.dispatchEvent(new DragEvent(kind, init));
    }
  }
}"""


@pytest.mark.parametrize("event", ["drop", "paste"])
def test_an_image_dropped_anywhere_or_pasted_opens_in_the_editor(
    signed_in, live_server, alice, event
):
    page = signed_in
    page.goto(live_server.url + reverse("editor:home"))
    payload = base64.b64encode(scene_png()).decode()

    page.evaluate(DROP_FILE, [payload, "scene.png", "image/png", event])

    page.wait_for_url("**/edit/**")
    page.wait_for_selector("html[data-editor-ready]")
    asset = alice.assets.get(kind="UPLOAD")
    assert (asset.width, asset.height) == (W, H)
    assert page.url.endswith(f"/edit/{asset.code}/")
    assert page.js_errors == []


def test_a_dropped_file_that_is_not_an_image_is_refused_before_upload(
    signed_in, live_server, alice
):
    page = signed_in
    page.goto(live_server.url + reverse("editor:home"))
    payload = base64.b64encode(b"%PDF-1.7 not an image").decode()

    page.evaluate(DROP_FILE, [payload, "brief.pdf", "application/pdf", "drop"])

    page.get_by_text("“brief.pdf” is not a PNG, JPEG or WebP image.").wait_for()
    assert alice.assets.count() == 0
    assert page.url == live_server.url + reverse("editor:home")  # still there, nothing opened
