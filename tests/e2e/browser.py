"""Headless Chromium driven by Playwright, for browser tests against pytest-django's ``live_server``.

The browser is Debian's Chromium (``apt-get install -y chromium``) at ``/usr/bin/chromium``: Playwright never
downloads a browser of its own here (``playwright install`` cannot work without the internet). A missing
browser FAILS the test with the command that installs it; it never skips.

Use the ``page`` fixture: a fresh page in a fresh profile (its own user-data dir) per test, downloads
accepted, short timeouts so a broken page fails in seconds rather than minutes.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

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
VIEWPORT = {"width": 1280, "height": 800}


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
def browser_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BrowserContext]:
    executable = require_chromium()
    # Playwright's sync API keeps an asyncio loop running in this thread between its calls, so Django sees
    # an "async context" and refuses ORM calls from the test's own code while the browser is open.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            accept_downloads=True,
            viewport=VIEWPORT,  # type: ignore[arg-type]
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
