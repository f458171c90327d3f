"""Light pages: with 10 finished edits of a 2000x1300 photo, the editor page transfers at most
2.5 MB of images and a record page at most 2 MB (cards and pages show stored previews and
thumbnails; the full result loads to zoom or download). Measured by the browser's resource
timing, on a cold cache."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from editor.services import start_edit, upload_image
from gallery.models import Record
from tests.imagedata import photo_jpeg

pytestmark = pytest.mark.django_db(transaction=True)

IMAGE_BYTES = """() => performance.getEntriesByType("resource")
  .filter((e) => e.initiatorType === "img" || e.name.includes("/files/"))
  .reduce((n, e) => n + e.transferSize, 0)"""


def weigh(tab, url: str) -> int:
    tab.goto(url, wait_until="networkidle")
    tab.mouse.wheel(0, 20_000)  # lazy images further down count too
    tab.wait_for_load_state("networkidle")
    return tab.evaluate(IMAGE_BYTES)


def test_ten_finished_jobs_stay_within_the_image_budget(signed_in, live_server, alice_membership):
    source = upload_image(alice_membership, photo_jpeg(2000, 1300), "photo.jpg")
    mask = Image.new("L", (2000, 1300), 0)
    mask.paste(255, (800, 500, 1000, 700))
    buf = io.BytesIO()
    mask.save(buf, "PNG")
    records = [
        start_edit(
            alice_membership,
            type="IMAGE_INPAINTER",
            provider="local",
            model="telea",
            prompt=f"remove it {i}",
            params={},
            source=source,
            mask=buf.getvalue(),
        )
        for i in range(10)
    ]
    done = Record.objects.filter(pk__in=[r.pk for r in records], status=Record.Status.SUCCESS)
    assert done.count() == 10
    full = sum(r.images.get().image.size for r in done)
    assert full > 25_000_000  # what the page used to load: ten full-size PNG results

    tab = signed_in
    # Every page as on a first visit: nothing comes from the cache.
    tab.context.new_cdp_session(tab).send("Network.setCacheDisabled", {"cacheDisabled": True})
    editor = weigh(tab, live_server.url + reverse("editor:edit", args=[source.code]))
    assert editor <= 2_500_000, editor
    assert tab.locator(".job.status-success img[data-result-image]").count() == 10

    record = weigh(tab, live_server.url + reverse("gallery:detail", args=[records[0].code]))
    assert record <= 2_000_000, record
