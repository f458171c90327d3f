# The browser fixtures (Chromium via Playwright, a signed-in page) are the editor's; reuse them.
from tests.browser.conftest import (  # noqa: F401
    browser_context,
    page,
    playwright_instance,
    signed_in,
)
