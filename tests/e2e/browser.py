"""Headless Chromium driven by Playwright, for browser tests against pytest-django's ``live_server``.

The browser is Debian's Chromium (``apt-get install -y chromium``) at ``/usr/bin/chromium``: Playwright never
downloads a browser of its own here (``playwright install`` cannot work without the internet). A missing
browser FAILS the test with the command that installs it; it never skips.

Use the ``page`` fixture: a fresh page in a fresh profile (its own user-data dir) per test, downloads
accepted, short timeouts so a broken page fails in seconds rather than minutes.

Do every database write and read of the test's own BEFORE the browser starts: list the fixtures that make
the data ahead of ``page`` in the test's arguments. While the browser is open, Playwright's sync API keeps
an asyncio loop running in the test's thread, so Django refuses ORM calls there (SynchronousOnlyOperation).
Do not force them with DJANGO_ALLOW_ASYNC_UNSAFE: Django's connections are then per async context, and the
extra connection such a call opens is never closed, which keeps PostgreSQL from dropping the test database
at the end of the run.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    # Chromium's own calls home (updates, sync, field trials) are refused by this machine's closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


def require_chromium() -> Path:
    """Fail the test (never skip it) when Debian's Chromium is not installed."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install -y chromium). "
            "Playwright's own browser download (`playwright install`) is never used.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture
def browser_context(tmp_path: Path) -> Iterator[BrowserContext]:
    executable = require_chromium()
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            accept_downloads=True,
            viewport=VIEWPORT,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context: BrowserContext) -> Page:
    pages = browser_context.pages  # a persistent context opens with one blank page
    return pages[0] if pages else browser_context.new_page()
