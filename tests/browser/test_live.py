"""Live updates in the browser, served by uvicorn (the pytest-django live server is WSGI and
cannot stream): a queued card turns Done from a pushed event, with no polling request, and the
credit badge and the form's figures follow the server."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.asgi_server import collect_static, free_port, run_python, session_for, start_web
from tests.ops.conftest import data_dir, migrated_template, start_worker, stop  # noqa: F401

pytestmark = pytest.mark.sqlite_path

SETUP = """
import io
from PIL import Image
from accounts import services as accounts
from editor.services.submit import start_edit, upload_image

def png(mode, size, color):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format="PNG")
    return buffer.getvalue()

membership = accounts.create_user_with_team("alice", "correct horse battery staple")
source = upload_image(membership, png("RGB", (320, 240), (200, 30, 30)), "photo.png")
mask = Image.new("L", (320, 240), 0)
mask.paste(255, (40, 40, 120, 120))
buffer = io.BytesIO()
mask.save(buffer, format="PNG")
record = start_edit(
    membership, type="IMAGE_INPAINTER", provider="local", model="telea",
    prompt="remove it", params={}, source=source, mask=buffer.getvalue(),
)
print(membership.pk, source.code, record.code)
"""


@pytest.fixture(scope="session")
def static_files(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("static-data")
    collect_static(root)
    return root / "static"


@pytest.fixture
def served(data_dir, static_files):  # noqa: F811
    shutil.copytree(static_files, data_dir / "static")
    port = free_port()
    web = start_web(data_dir, port)
    yield f"http://127.0.0.1:{port}"
    stop(web, timeout=15)


def test_a_queued_card_turns_done_from_a_pushed_event_without_polling(
    data_dir,  # noqa: F811
    served,
    browser_context,
):
    membership_id, source, record = run_python(data_dir, SETUP).split()[-3:]
    browser_context.add_cookies(
        [{"name": "sessionid", "value": session_for(data_dir, "alice"), "url": served}]
    )
    page = browser_context.new_page()
    card_requests = []
    page.on(
        "request",
        lambda request: card_requests.append(request.url) if f"/jobs/{record}/" in request.url
        else None,
    )  # fmt: skip
    page.goto(f"{served}/edit/{source}/")
    card = page.locator(f"#job-{record}")
    assert "Queued" in card.inner_text()
    page.wait_for_selector("html[data-live=on]", state="attached")
    # Until the stream is open, cards poll every 2 s (a slow start may have polled): from now on
    # nothing may.
    card_requests.clear()
    page.wait_for_timeout(2500)  # a poll would have fired by now
    assert card_requests == []

    worker = start_worker(data_dir, "--threads", "2")
    try:
        page.wait_for_selector(f"#job-{record}.status-success", timeout=60_000)
        assert "Done" in page.locator(f"#job-{record} [data-job-status]").inner_text()
        assert page.locator(f"#job-{record} img[data-result-image]").count() == 1
        # The card was fetched because of events (Running, then Done); not one poll.
        assert card_requests and set(card_requests) == {f"{served}/jobs/{record}/?via=live"}

        # Credits changed by another process (a refund, an admin) show on the badge and the form.
        with sqlite3.connect(data_dir / "promptbrush.sqlite3", timeout=20) as conn:
            conn.execute(
                "UPDATE accounts_membership SET used_credit = 4321, credit_limit = 90000 "
                "WHERE id = ?",
                (int(membership_id),),
            )
        expect(page.locator("#credit-badge")).to_have_text("4,321 / 90,000 credits")
        assert page.locator("[data-credit-usage]").inner_text() == "· 4,321 of 90,000 used"
    finally:
        stop(worker, timeout=30)


ANOTHER_TAB = """
import io
from PIL import Image
from accounts.models import Membership
from editor.services.submit import start_edit, upload_image
from gallery.models import Asset

def png(mode, size, color):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format="PNG")
    return buffer.getvalue()

membership = Membership.objects.get(pk={membership_id})
mask = Image.new("L", (320, 240), 0)
mask.paste(255, (40, 40, 120, 120))
buffer = io.BytesIO()
mask.save(buffer, format="PNG")
here = Asset.objects.get(code="{source}")
elsewhere = upload_image(membership, png("RGB", (320, 240), (30, 200, 30)), "other.png")
for source in (here, elsewhere):
    record = start_edit(
        membership, type="IMAGE_INPAINTER", provider="local", model="telea",
        prompt="from another tab", params={{}}, source=source, mask=buffer.getvalue(),
    )
    print(record.code)
"""


def test_a_job_sent_from_another_tab_appears_on_the_canvas_that_shows_its_image(
    data_dir,  # noqa: F811
    served,
    browser_context,
):
    membership_id, source, _first = run_python(data_dir, SETUP).split()[-3:]
    browser_context.add_cookies(
        [{"name": "sessionid", "value": session_for(data_dir, "alice"), "url": served}]
    )
    page = browser_context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{served}/edit/{source}/")
    page.wait_for_selector("html[data-live=on]", state="attached")
    assert page.locator("[data-job]").count() == 1

    script = ANOTHER_TAB.format(membership_id=membership_id, source=source)
    # The other image's job is asked about too, and the server says it is not this page's.
    # The wait includes starting a Django shell in a subprocess (16 s on a loaded 2-core machine
    # before it even runs the script): bounded at 60 s like the worker in the test above, not the
    # default 15 s, which that start alone used up.
    with page.expect_response(
        lambda r: "around=" in r.url and r.status == 204, timeout=60_000
    ) as refused:
        here, elsewhere = run_python(data_dir, script).split()[-2:]
    assert f"/jobs/{elsewhere}/" in refused.value.url

    page.wait_for_selector(f"#job-{here}", timeout=15_000)
    assert "Queued" in page.locator(f"#job-{here}").inner_text()
    assert page.locator("[data-job]").first.get_attribute("id") == f"job-{here}"  # put first
    assert page.locator(f"#job-{elsewhere}").count() == 0
    assert errors == []
