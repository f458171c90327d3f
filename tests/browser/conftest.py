"""Playwright (sync API) driving Debian's /usr/bin/chromium headless against live_server.

Each test gets a fresh browser profile, a signed-in session cookie for alice, and on failure a
screenshot in test-output/<test name>.png.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.browser.chromium import ARGS, CHROMIUM

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not os.path.exists(CHROMIUM):
                item.add_marker(
                    pytest.mark.skip(reason=f"{CHROMIUM} is missing (make test installs it)")
                )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def playwright_instance(monkeypatch):
    """Playwright for one test only: its sync API keeps an event loop running in this thread,
    which must not outlive the test (later ORM tests would see it) nor leak the env var."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  lazy: browser tests only

    # The ORM calls our tests make between browser steps are plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser_context(playwright_instance):
    profile = tempfile.mkdtemp(prefix="promptbrush-chromium-")
    context = playwright_instance.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=ARGS,
        viewport={"width": 1440, "height": 900},
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(request, browser_context, live_server):
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    csp_violations = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)
    # The pages obey their own Content Security Policy in every browser test.
    assert csp_violations == []


@pytest.fixture
def signed_in(page, browser_context, live_server, alice):
    """alice's session cookie in the browser: the page opens signed in."""
    client = Client()
    client.force_login(alice)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    browser_context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )
    return page
